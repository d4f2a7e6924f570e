// org.hypersdk.provider.azure: the descriptor, the declared options and the
// functions the provider kit's C entry points call
// (hypersdk/provider/entry_points.hpp), each inside its run_entry(), with the
// client's errors turned into the kit's (kit_errors.hpp).
#include <hypersdk/provider.h>
#include <hypersdk/cxx/plugin.hpp>
#include <hypersdk/provider/entry_points.hpp>

#include <memory>

#include "kit_errors.hpp"
#include "plugin_config.hpp"
#include "session.hpp"
#include "vm_documents.hpp"
#include "vm_export.hpp"
#include "vm_view.hpp"

namespace {

namespace cxx = hypersdk::cxx;
namespace ap = hypersdk::azure::plugin;
namespace pk = hypersdk::provider;

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
           "read the disks from these SAS URLs (one per line, a secret file) instead of asking ARM; no "
           "repeatable --disk-sas-url: ABI 1.1 options cannot be both repeatable and secret",
           nullptr);
const hypersdk_option kAccessSeconds =
    option("access-seconds", HYPERSDK_OPTION_INTEGER, "SECONDS",
           "how long each read SAS from beginGetAccess lasts (renewed before it expires)", nullptr,
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

// Signs in now (unless only SAS URLs are used), so wrong credentials fail at open.
std::unique_ptr<ap::Session> open(const pk::OptionValues& config, const cxx::Job&) {
    return ap::with_kit_errors([&] {
        auto session = std::make_unique<ap::Session>(ap::parse_config(config));
        session->sign_in();
        return session;
    });
}

std::vector<pk::VmSummary> list_vms(ap::Session& session, const cxx::Job& job) {
    if (!session.uses_arm())
        throw pk::Error(
            pk::ErrorKind::unsupported,
            "listing VMs needs Azure credentials; --disk-sas-url-file only reads the blobs given");
    return ap::with_kit_errors([&] { return ap::list_vms(session, job); });
}

pk::VmDescription describe_vm(ap::Session& session, const std::string& vm_ref, const cxx::Job& job) {
    return ap::with_kit_errors([&] {
        const auto view = session.uses_arm() ? ap::describe(session, vm_ref, job)
                                             : ap::describe_sas_urls(session, vm_ref, job);
        return ap::vm_description(view, ap::export_format(session.config(), "vhd"));
    });
}

pk::ExportResult export_vm(ap::Session& session, const std::string& vm_ref, const pk::OptionValues& options,
                           const cxx::Job& job) {
    return ap::with_kit_errors(
        [&] { return ap::export_vm_to_sinks(session, vm_ref, ap::parse_export_options(options), job); });
}

const pk::ProviderFunctions<ap::Session> kFunctions = {
    open,
    list_vms,
    describe_vm,
    export_vm,
    "no VM given: pass --vm NAME (with --resource-group RG) or a virtualMachines resource id",
};
const hypersdk_provider& kProvider = pk::provider_table<kFunctions, kCapabilities>;

const hypersdk_plugin_descriptor kDescriptor = {
    sizeof(hypersdk_plugin_descriptor),
    HYPERSDK_ABI_MAJOR,
    HYPERSDK_ABI_MINOR,
    "org.hypersdk.provider.azure",
    "azure",
    "0.1.0",
    HYPERSDK_PLUGIN_KIND_PROVIDER,
    HYPERSDK_THREAD_MODEL_PARALLEL,
    cxx::init_keep_host,
    cxx::deinit_forget_host,
    pk::provider_get_interface<kProvider>,
    "Microsoft Azure provider: managed-disk VMs through full snapshots, a read SAS and Get Page Ranges",
    "https://learn.microsoft.com/rest/api/compute/",
    "Apache-2.0",
};

}  // namespace

HYPERSDK_CXX_ENTRY(kDescriptor)
