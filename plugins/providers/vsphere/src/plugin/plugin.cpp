// org.hypersdk.provider.vsphere: the descriptor, the declared capabilities
// and the functions the kit's C entry points call
// (hypersdk/provider/entry_points.hpp), which run each inside run_entry().
#include <hypersdk/provider.h>
#include <hypersdk/cxx/plugin.hpp>
#include <hypersdk/http/host_log.hpp>
#include <hypersdk/provider/entry_points.hpp>

#include <memory>

#include "inventory.hpp"
#include "plugin_params.hpp"
#include "session.hpp"
#include "vm_config.hpp"
#include "vm_documents.hpp"
#include "vm_export.hpp"

namespace {

namespace cxx = hypersdk::cxx;
namespace vs = hypersdk::vsphere;
namespace vp = hypersdk::vsphere::plugin;
namespace pk = hypersdk::provider;

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
const hypersdk_option kCaFile = option("ca-file", HYPERSDK_OPTION_PATH, "PEM",
                                       "trust the CA certificates in this file", "GOVC_TLS_CA_CERTS");
const hypersdk_option kDatacenter =
    option("datacenter", HYPERSDK_OPTION_STRING, "DC", "the datacenter to search", "GOVC_DATACENTER");
const hypersdk_option* const kOptions[] = {&kUrl,        &kUsername, &kPassword,   &kInsecure,
                                           &kThumbprint, &kCaFile,   &kDatacenter, nullptr};

const hypersdk_provider_capabilities kCapabilities = {
    sizeof(hypersdk_provider_capabilities), "vsphere", kExportFormats, kAuthMethods, false, false, kOptions,
};

std::unique_ptr<vs::Session> open(const pk::OptionValues& config, const cxx::Job&) {
    auto session = std::make_unique<vs::Session>(vp::parse_config(config));
    // The transport's retries (debug) and header dumps (trace), already redacted, go to the host's log.
    session->transport().set_log(hypersdk::http::host_log());
    session->login();
    return session;  // ~Session logs out, never throws
}

std::vector<pk::VmSummary> list_vms(vs::Session& session, const cxx::Job&) {
    return vp::vm_summaries(vs::list_vms(session));
}

pk::VmDescription describe_vm(vs::Session& session, const std::string& vm_ref, const cxx::Job&) {
    return vp::vm_description(vs::describe_vm(session, vs::find_vm(session, vm_ref)));
}

pk::ExportResult export_vm(vs::Session& session, const std::string& vm_ref, const pk::OptionValues& options,
                           const cxx::Job& job) {
    return vp::export_vm_to_sinks(session, vm_ref, vp::parse_export_options(options), job);
}

const pk::ProviderFunctions<vs::Session> kFunctions = {
    open, list_vms, describe_vm, export_vm, "no VM given: pass --vm NAME (a name, path or vm-id)",
};
const hypersdk_provider& kProvider = pk::provider_table<kFunctions, kCapabilities>;

const hypersdk_plugin_descriptor kDescriptor = {
    sizeof(hypersdk_plugin_descriptor),
    HYPERSDK_ABI_MAJOR,
    HYPERSDK_ABI_MINOR,
    "org.hypersdk.provider.vsphere",
    "vsphere",
    "0.1.0",
    HYPERSDK_PLUGIN_KIND_PROVIDER,
    HYPERSDK_THREAD_MODEL_PARALLEL,
    cxx::init_keep_host,
    cxx::deinit_forget_host,
    pk::provider_get_interface<kProvider>,
    "VMware vSphere (vCenter/ESXi) provider: export over HttpNfcLease with a generated OVF",
    "https://developer.broadcom.com/xapis/vsphere-web-services-api/latest/",
    "Apache-2.0",
};

}  // namespace

HYPERSDK_CXX_ENTRY(kDescriptor)
