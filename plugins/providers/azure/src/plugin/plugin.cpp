// org.hypersdk.provider.azure: the descriptor, the declared options and the C
// entry points. Every entry runs inside run_entry() (cxx::guard), so no
// exception crosses the ABI.
#include <hypersdk/provider.h>
#include <hypersdk/cxx/plugin.hpp>

#include <cstring>
#include <memory>

#include "error_status.hpp"
#include "plugin_config.hpp"
#include "session.hpp"
#include "vm_export.hpp"
#include "vm_view.hpp"

// The opaque session handle of provider.h.
struct hypersdk_provider_session {
    explicit hypersdk_provider_session(hypersdk::azure::plugin::PluginConfig config)
        : session(std::move(config)) {}
    hypersdk::azure::plugin::Session session;
};

namespace {

namespace cxx = hypersdk::cxx;
namespace az = hypersdk::azure;
namespace ap = hypersdk::azure::plugin;

const char* const kExportFormats[] = {"vhd", "raw", nullptr};
const char* const kAuthMethods[] = {"client-secret", "sas-url", nullptr};

// The variables azure-identity (EnvironmentCredential) users already set. The
// host offers each as --NAME, the secret as --client-secret-file /
// --client-secret-env only.
using cxx::option;
const hypersdk_option kTenant = option("tenant-id", HYPERSDK_OPTION_STRING, "GUID",
                                       "the Microsoft Entra tenant of the app", "AZURE_TENANT_ID");
const hypersdk_option kClient = option("client-id", HYPERSDK_OPTION_STRING, "GUID",
                                       "the app (service principal) to sign in as", "AZURE_CLIENT_ID");
const hypersdk_option kSecret =
    option("client-secret", HYPERSDK_OPTION_SECRET, "FILE", "the app's client secret", "AZURE_CLIENT_SECRET");
const hypersdk_option kSubscription = option("subscription-id", HYPERSDK_OPTION_STRING, "GUID",
                                             "the subscription holding the VM", "AZURE_SUBSCRIPTION_ID");
const hypersdk_option kAuthority =
    option("authority-host", HYPERSDK_OPTION_STRING, "URL",
           "Microsoft Entra ID endpoint (sovereign clouds; default https://login.microsoftonline.com)",
           "AZURE_AUTHORITY_HOST");
const hypersdk_option kArm = option("arm-endpoint", HYPERSDK_OPTION_STRING, "URL",
                                    "Azure Resource Manager endpoint (sovereign clouds; default "
                                    "https://management.azure.com); tokens are asked for URL/.default",
                                    nullptr);
const hypersdk_option kResourceGroup = option("resource-group", HYPERSDK_OPTION_STRING, "RG",
                                              "the VM's resource group (else the VM name is searched in the "
                                              "subscription); snapshots are made there",
                                              "AZURE_RESOURCE_GROUP");
const hypersdk_option kCaFile =
    option("ca-file", HYPERSDK_OPTION_PATH, "PEM",
           "trust the CA certificates in this file instead of the system's", nullptr);
const hypersdk_option kKeepSnapshots =
    option("keep-snapshots", HYPERSDK_OPTION_BOOL, "BOOL", "keep the snapshots made for the export", nullptr);
const hypersdk_option kNoSnapshot = option(
    "no-snapshot", HYPERSDK_OPTION_BOOL, "BOOL",
    "read the disks themselves, not snapshots (the VM must be deallocated, or give --power-off)", nullptr);
const hypersdk_option kAzureFormat =
    option("azure-format", HYPERSDK_OPTION_STRING, "vhd|raw",
           "vhd: the fixed VHD Azure stores (default); raw: the disk without its 512-byte footer", nullptr);
const hypersdk_option kSasFile =
    option("disk-sas-url-file", HYPERSDK_OPTION_PATH, "FILE",
           "read the disks from these SAS URLs (one per line, a secret file) instead of asking ARM", nullptr);
const hypersdk_option kAccessSeconds =
    option("access-seconds", HYPERSDK_OPTION_INTEGER, "SECONDS",
           "how long each read SAS from beginGetAccess lasts (renewed when it expires)", nullptr,
           HYPERSDK_OPTION_RANGE, "3600", 60, 7 * 86400);
const hypersdk_option kRangeMib =
    option("range-mib", HYPERSDK_OPTION_INTEGER, "MIB",
           "size of each ranged GET; above 4 Azure returns no Content-MD5 (only Content-Range is checked)",
           nullptr, HYPERSDK_OPTION_RANGE, "4", 1, 256);
const hypersdk_option* const kOptions[] = {&kTenant,        &kClient,     &kSecret,        &kSubscription,
                                           &kAuthority,     &kArm,        &kResourceGroup, &kCaFile,
                                           &kKeepSnapshots, &kNoSnapshot, &kAzureFormat,   &kSasFile,
                                           &kAccessSeconds, &kRangeMib,   nullptr};

const hypersdk_provider_capabilities kCapabilities = {
    // exports_powered_on: snapshots are read while the VM runs.
    sizeof(hypersdk_provider_capabilities), "azure", kExportFormats, kAuthMethods, true, false, kOptions,
};

void require_session(hypersdk_provider_session* session) {
    if (session == nullptr) throw cxx::Error(HYPERSDK_ERR_INVALID_ARGUMENT, "no Azure session given");
}

std::string ref_or_throw(const char* vm_ref) {
    if (vm_ref == nullptr || *vm_ref == '\0')
        throw cxx::Error(
            HYPERSDK_ERR_INVALID_ARGUMENT,
            "no VM given: pass --vm NAME (with --resource-group RG) or a virtualMachines resource id");
    return vm_ref;
}

int32_t open(const char* config_json, hypersdk_job* job, hypersdk_provider_session** out_session) {
    return ap::run_entry(job, [&] {
        if (out_session == nullptr) throw cxx::Error(HYPERSDK_ERR_INVALID_ARGUMENT, "no session slot given");
        *out_session = nullptr;
        auto s = std::make_unique<hypersdk_provider_session>(ap::parse_config(config_json));
        s->session.sign_in();
        *out_session = s.release();
    });
}

void close(hypersdk_provider_session* session) {
    delete session;
}

int32_t list_vms(hypersdk_provider_session* session, hypersdk_job* job, hypersdk_buffer* out_json) {
    return ap::run_entry(job, [&] {
        require_session(session);
        if (!session->session.uses_arm())
            throw cxx::Error(
                HYPERSDK_ERR_UNSUPPORTED,
                "listing VMs needs Azure credentials; --disk-sas-url-file only reads the blobs given");
        const cxx::Job j(job);
        const auto vms = session->session.compute().list_vms(session->session.config().resource_group,
                                                             [j] { return j.cancelled(); });
        cxx::Buffer(out_json).append(ap::summaries_json(session->session, vms, j));
    });
}

int32_t describe_vm(hypersdk_provider_session* session, const char* vm_ref, hypersdk_job* job,
                    hypersdk_buffer* out_json) {
    return ap::run_entry(job, [&] {
        require_session(session);
        const cxx::Job j(job);
        const std::string ref = ref_or_throw(vm_ref);
        const auto view = session->session.uses_arm() ? ap::describe(session->session, ref, j)
                                                      : ap::describe_sas_urls(session->session, ref, j);
        cxx::Buffer(out_json).append(ap::description_json(view));
    });
}

int32_t export_vm(hypersdk_provider_session* session, const char* vm_ref, const char* options_json,
                  hypersdk_job* job, hypersdk_buffer* out_json) {
    return ap::run_entry(job, [&] {
        require_session(session);
        const auto options = ap::parse_export_options(options_json);
        cxx::Buffer(out_json).append(
            ap::export_vm_to_sinks(session->session, ref_or_throw(vm_ref), options, cxx::Job(job)));
    });
}

const hypersdk_provider kProvider = {
    sizeof(hypersdk_provider), &kCapabilities, open, close, list_vms, describe_vm, export_vm,
};

int32_t init(const hypersdk_host* host) {
    cxx::set_host(host);
    return HYPERSDK_OK;
}

void deinit() {
    cxx::set_host(nullptr);
}

const void* get_interface(const char* interface_id) {
    if (interface_id != nullptr && std::strcmp(interface_id, HYPERSDK_PROVIDER_INTERFACE_ID) == 0)
        return &kProvider;
    return nullptr;
}

const hypersdk_plugin_descriptor kDescriptor = {
    sizeof(hypersdk_plugin_descriptor),
    HYPERSDK_ABI_MAJOR,
    HYPERSDK_ABI_MINOR,
    "org.hypersdk.provider.azure",
    "azure",
    "0.1.0",
    HYPERSDK_PLUGIN_KIND_PROVIDER,
    HYPERSDK_THREAD_MODEL_PARALLEL,
    init,
    deinit,
    get_interface,
    "Microsoft Azure provider: managed-disk VMs through full snapshots, a read SAS and Get Page Ranges",
    "https://learn.microsoft.com/rest/api/compute/",
    "Apache-2.0",
};

}  // namespace

HYPERSDK_CXX_ENTRY(kDescriptor)
