// org.hypersdk.provider.vsphere: the descriptor, the declared capabilities
// and the C entry points. Every entry runs inside run_entry() (cxx::guard)
// so no exception crosses the ABI.
#include <hypersdk/provider.h>
#include <hypersdk/cxx/plugin.hpp>
#include <hypersdk/http/host_log.hpp>

#include <cstring>
#include <memory>

#include "error_status.hpp"
#include "inventory.hpp"
#include "plugin_params.hpp"
#include "session.hpp"
#include "vm_config.hpp"
#include "vm_export.hpp"
#include "vm_json.hpp"

// The opaque session handle of provider.h: one logged-in SOAP session.
struct hypersdk_provider_session {
    explicit hypersdk_provider_session(hypersdk::vsphere::Config config) : session(std::move(config)) {
        // The transport's retries (debug) and header dumps (trace), already redacted, go to the host's log.
        session.transport().set_log(hypersdk::http::host_log());
    }
    hypersdk::vsphere::Session session;
};

namespace {

namespace cxx = hypersdk::cxx;
namespace vs = hypersdk::vsphere;
namespace vp = hypersdk::vsphere::plugin;

const char* const kExportFormats[] = {"ovf", nullptr};  // "ova" once packing exists (docs/vsphere.md)
const char* const kAuthMethods[] = {"password", nullptr};

// The settings govc users already have: every option reads its GOVC_*
// variable when the flag is absent. The host offers them as --url, ...,
// --password-file / --password-env (a password is never a flag value).
using cxx::option;
const hypersdk_option kUrl = option("url", HYPERSDK_OPTION_STRING, "URL",
                                    "the vCenter or ESXi SDK endpoint, e.g. https://vcenter.example.com/sdk",
                                    "GOVC_URL", HYPERSDK_OPTION_REQUIRED);
const hypersdk_option kUsername =
    option("username", HYPERSDK_OPTION_STRING, "USER", "the user to log in as", "GOVC_USERNAME");
const hypersdk_option kPassword =
    option("password", HYPERSDK_OPTION_SECRET, "FILE", "the user's password", "GOVC_PASSWORD");
const hypersdk_option kInsecure =
    option("insecure", HYPERSDK_OPTION_BOOL, "BOOL",
           "skip TLS certificate verification (not recommended); --insecure=false overrides GOVC_INSECURE",
           "GOVC_INSECURE");
const hypersdk_option kThumbprint =
    option("thumbprint", HYPERSDK_OPTION_STRING, "AA:BB:..",
           "trust exactly the server certificate with this SHA-1 or SHA-256 fingerprint", nullptr);
const hypersdk_option kCaFile =
    option("ca-file", HYPERSDK_OPTION_PATH, "PEM", "trust the CA certificates in this file", "GOVC_TLS_CA_CERTS");
const hypersdk_option kDatacenter =
    option("datacenter", HYPERSDK_OPTION_STRING, "DC", "the datacenter to search", "GOVC_DATACENTER");
const hypersdk_option* const kOptions[] = {&kUrl,        &kUsername, &kPassword,   &kInsecure,
                                           &kThumbprint, &kCaFile,   &kDatacenter, nullptr};

const hypersdk_provider_capabilities kCapabilities = {
    sizeof(hypersdk_provider_capabilities), "vsphere", kExportFormats, kAuthMethods, false, false, kOptions,
};

void require_session(hypersdk_provider_session* session) {
    if (session == nullptr) throw cxx::Error(HYPERSDK_ERR_INVALID_ARGUMENT, "no vSphere session given");
}

std::string ref_or_throw(const char* vm_ref) {
    if (vm_ref == nullptr || *vm_ref == '\0')
        throw cxx::Error(HYPERSDK_ERR_INVALID_ARGUMENT,
                         "no VM given: pass --vm NAME (a name, path or vm-id)");
    return vm_ref;
}

int32_t open(const char* config_json, hypersdk_job* job, hypersdk_provider_session** out_session) {
    return vp::run_entry(job, [&] {
        if (out_session == nullptr) throw cxx::Error(HYPERSDK_ERR_INVALID_ARGUMENT, "no session slot given");
        *out_session = nullptr;
        auto s = std::make_unique<hypersdk_provider_session>(vp::parse_config(config_json));
        s->session.login();
        *out_session = s.release();
    });
}

void close(hypersdk_provider_session* session) {
    delete session;  // ~Session logs out, never throws
}

int32_t list_vms(hypersdk_provider_session* session, hypersdk_job* job, hypersdk_buffer* out_json) {
    return vp::run_entry(job, [&] {
        require_session(session);
        cxx::Buffer(out_json).append(vp::summaries_json(vs::list_vms(session->session)));
    });
}

int32_t describe_vm(hypersdk_provider_session* session, const char* vm_ref, hypersdk_job* job,
                    hypersdk_buffer* out_json) {
    return vp::run_entry(job, [&] {
        require_session(session);
        const auto vm =
            vs::describe_vm(session->session, vs::find_vm(session->session, ref_or_throw(vm_ref)));
        cxx::Buffer(out_json).append(vp::description_json(vm));
    });
}

int32_t export_vm(hypersdk_provider_session* session, const char* vm_ref, const char* options_json,
                  hypersdk_job* job, hypersdk_buffer* out_json) {
    return vp::run_entry(job, [&] {
        require_session(session);
        const auto options = vp::parse_export_options(options_json);
        const auto result =
            vp::export_vm_to_sinks(session->session, ref_or_throw(vm_ref), options, cxx::Job(job));
        cxx::Buffer(out_json).append(result);
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
    "org.hypersdk.provider.vsphere",
    "vsphere",
    "0.1.0",
    HYPERSDK_PLUGIN_KIND_PROVIDER,
    HYPERSDK_THREAD_MODEL_PARALLEL,
    init,
    deinit,
    get_interface,
    "VMware vSphere (vCenter/ESXi) provider: export over HttpNfcLease with a generated OVF",
    "https://developer.broadcom.com/xapis/vsphere-web-services-api/latest/",
    "Apache-2.0",
};

}  // namespace

HYPERSDK_CXX_ENTRY(kDescriptor)
