// org.hypersdk.provider.gcp: the descriptor, the declared options and
// capabilities, and the functions the provider kit's C entry points call
// (hypersdk/provider/entry_points.hpp), each inside run_entry().
#include <hypersdk/provider.h>
#include <hypersdk/cxx/plugin.hpp>
#include <hypersdk/provider/entry_points.hpp>

#include <memory>

#include "error_translation.hpp"
#include "gcp_session.hpp"
#include "vm_documents.hpp"
#include "vm_export.hpp"

namespace {

namespace cxx = hypersdk::cxx;
namespace gp = hypersdk::gcp::plugin;
namespace pk = hypersdk::provider;

// raw: Compute Engine's native export (disk.raw in a .tar.gz), unpacked while
// downloading; vmdk: the export build converts with qemu-img.
const char* const kExportFormats[] = {"raw", "vmdk", nullptr};
const char* const kAuthMethods[] = {"service-account-key", "access-token", nullptr};

// The settings Google's tools already read: the key file of
// GOOGLE_APPLICATION_CREDENTIALS, a ready GOOGLE_OAUTH_ACCESS_TOKEN, gcloud's
// zone and Compute endpoint override, STORAGE_EMULATOR_HOST. The project has
// no variable here: the plugin takes the option, then the key file's
// project_id, then GOOGLE_CLOUD_PROJECT and CLOUDSDK_CORE_PROJECT, in that order.
using cxx::option;
const hypersdk_option kProject = option(
    "project", HYPERSDK_OPTION_STRING, "PROJECT",
    "the Google Cloud project (else the key file's project_id, GOOGLE_CLOUD_PROJECT, CLOUDSDK_CORE_PROJECT)",
    nullptr);
const hypersdk_option kZone =
    option("zone", HYPERSDK_OPTION_STRING, "ZONE", "the instance's zone (else found among all zones)",
           "CLOUDSDK_COMPUTE_ZONE");
const hypersdk_option kCredentials =
    option("credentials", HYPERSDK_OPTION_PATH, "FILE", "a service account's JSON key file",
           "GOOGLE_APPLICATION_CREDENTIALS");
const hypersdk_option kAccessToken =
    option("access-token", HYPERSDK_OPTION_SECRET, "FILE",
           "a ready OAuth 2.0 access token instead of a key file (gcloud auth print-access-token)",
           "GOOGLE_OAUTH_ACCESS_TOKEN");
const hypersdk_option kComputeEndpoint = [] {
    hypersdk_option o = option("compute-endpoint", HYPERSDK_OPTION_STRING, "URL",
                               "the Compute Engine API root, for private endpoints",
                               "CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE");
    o.default_value = "https://compute.googleapis.com/compute/v1";
    return o;
}();
const hypersdk_option kCloudBuildEndpoint = [] {
    hypersdk_option o = option("cloudbuild-endpoint", HYPERSDK_OPTION_STRING, "URL",
                               "the Cloud Build API root, for private endpoints", nullptr);
    o.default_value = "https://cloudbuild.googleapis.com/v1";
    return o;
}();
const hypersdk_option kStorageEndpoint = [] {
    hypersdk_option o =
        option("storage-endpoint", HYPERSDK_OPTION_STRING, "URL",
               "the Cloud Storage endpoint (a bare HOST:PORT means https)", "STORAGE_EMULATOR_HOST");
    o.default_value = "https://storage.googleapis.com";
    return o;
}();
const hypersdk_option kCaFile = option("ca-file", HYPERSDK_OPTION_PATH, "PEM",
                                       "trust the CA certificates in this file (private endpoints)", nullptr);
const hypersdk_option kGcsBucket =
    option("gcs-bucket", HYPERSDK_OPTION_STRING, "BUCKET",
           "the bucket the export build writes each disk to (objects under hypersdk-export/)", nullptr);
const hypersdk_option kGcsUri =
    option("gcs-uri", HYPERSDK_OPTION_LIST, "gs://BUCKET/OBJECT",
           "a disk already exported (repeat per disk, boot disk first): no image or build is made", nullptr);
const hypersdk_option kKeepIntermediate =
    option("keep-intermediate", HYPERSDK_OPTION_BOOL, "BOOL",
           "keep the temporary images and Cloud Storage objects instead of deleting them", nullptr);
const hypersdk_option kBuildTimeout = [] {
    hypersdk_option o = option("build-timeout", HYPERSDK_OPTION_INTEGER, "SECONDS",
                               "how long each Cloud Build export may take", nullptr);
    o.default_value = "7200";
    o.flags |= HYPERSDK_OPTION_RANGE;
    o.min_value = 60;
    o.max_value = 86400;
    return o;
}();
const hypersdk_option* const kOptions[] = {&kProject,
                                           &kZone,
                                           &kCredentials,
                                           &kAccessToken,
                                           &kComputeEndpoint,
                                           &kCloudBuildEndpoint,
                                           &kStorageEndpoint,
                                           &kCaFile,
                                           &kGcsBucket,
                                           &kGcsUri,
                                           &kKeepIntermediate,
                                           &kBuildTimeout,
                                           nullptr};

const hypersdk_provider_capabilities kCapabilities = {
    sizeof(hypersdk_provider_capabilities), "gcp", kExportFormats, kAuthMethods, false, false, kOptions,
};

std::unique_ptr<gp::GcpSession> open(const pk::OptionValues& config, const cxx::Job& job) {
    return gp::translate_errors([&] { return gp::open_session(config, job); });
}

std::vector<pk::VmSummary> list_vms(gp::GcpSession& s, const cxx::Job&) {
    return gp::translate_errors([&] {
        std::vector<pk::VmSummary> out;
        for (const auto& vm : s.compute->list_instances(s.config.zone)) out.push_back(gp::vm_summary(vm));
        return out;
    });
}

pk::VmDescription describe_vm(gp::GcpSession& s, const std::string& vm_ref, const cxx::Job&) {
    return gp::translate_errors([&] {
        const auto [zone, name] = gp::locate_instance(s, vm_ref);
        return gp::vm_description(s.compute->get_instance(zone, name), s.config.project);
    });
}

pk::ExportResult export_vm(gp::GcpSession& s, const std::string& vm_ref, const pk::OptionValues& options,
                           const cxx::Job& job) {
    return gp::translate_errors(
        [&] { return gp::export_vm_to_sinks(s, vm_ref, gp::parse_export_options(options), job); });
}

const pk::ProviderFunctions<gp::GcpSession> kFunctions = {
    open,
    list_vms,
    describe_vm,
    export_vm,
    "no instance given: pass --instance NAME (or ZONE/NAME; --zone narrows the search)",
};

const hypersdk_provider& kProvider = pk::provider_table<kFunctions, kCapabilities>;

const hypersdk_plugin_descriptor kDescriptor = {
    sizeof(hypersdk_plugin_descriptor),
    HYPERSDK_ABI_MAJOR,
    HYPERSDK_ABI_MINOR,
    "org.hypersdk.provider.gcp",
    "gcp",
    "0.1.0",
    HYPERSDK_PLUGIN_KIND_PROVIDER,
    HYPERSDK_THREAD_MODEL_PARALLEL,
    cxx::init_keep_host,
    cxx::deinit_forget_host,
    pk::provider_get_interface<kProvider>,
    "Google Compute Engine provider: disks exported by Cloud Build to Cloud Storage, unpacked while "
    "downloading",
    "https://cloud.google.com/compute/docs/reference/rest/v1",
    "Apache-2.0",
};

}  // namespace

HYPERSDK_CXX_ENTRY(kDescriptor)
