#include "plugin_config.hpp"

#include <hypersdk/provider/error.hpp>

#include "endpoint.hpp"

namespace hypersdk::gcp::plugin {
namespace pk = hypersdk::provider;

PluginConfig parse_config(const pk::OptionValues& config) {
    PluginConfig c;
    c.project = config.string("project").value_or("");
    c.zone = config.string("zone").value_or("");
    c.credentials = config.string("credentials").value_or("");
    c.access_token = config.string("access-token").value_or("");
    if (auto v = config.string("compute-endpoint"); v && !v->empty()) c.compute_endpoint = *v;
    if (auto v = config.string("cloudbuild-endpoint"); v && !v->empty()) c.cloudbuild_endpoint = *v;
    if (auto v = config.string("storage-endpoint"); v && !v->empty())
        c.storage_endpoint = storage_endpoint_from_emulator_host(*v);
    c.ca_file = config.string("ca-file").value_or("");
    c.gcs_bucket = config.string("gcs-bucket").value_or("");
    if (c.gcs_bucket.rfind("gs://", 0) == 0) c.gcs_bucket = c.gcs_bucket.substr(5);
    while (!c.gcs_bucket.empty() && c.gcs_bucket.back() == '/') c.gcs_bucket.pop_back();
    c.gcs_uris = config.strings("gcs-uri").value_or(std::vector<std::string>{});
    c.keep_intermediate = config.boolean("keep-intermediate").value_or(false);
    if (auto v = config.integer("build-timeout", 60, 86400)) c.build_timeout = std::chrono::seconds(*v);
    if (c.credentials.empty() && c.access_token.empty())
        throw pk::Error(
            pk::ErrorKind::config,
            "no Google credentials given: set GOOGLE_APPLICATION_CREDENTIALS (or --credentials) to a "
            "service account's JSON key file, or give a ready token with GOOGLE_OAUTH_ACCESS_TOKEN "
            "(or --access-token-file)");
    return c;
}

std::string resolve_project(const std::string& option, const std::string& key_project,
                            const std::function<const char*(const char*)>& getenv) {
    if (!option.empty()) return option;
    if (!key_project.empty()) return key_project;
    for (const char* name : {"GOOGLE_CLOUD_PROJECT", "CLOUDSDK_CORE_PROJECT"})
        if (const char* v = getenv(name); v != nullptr && *v != '\0') return v;
    return "";
}

ExportOptions parse_export_options(const pk::OptionValues& options) {
    const pk::CommonExportOptions common = pk::common_export_options(options);
    ExportOptions o;
    o.format = common.format.empty() ? "raw" : common.format;
    if (o.format != "raw" && o.format != "vmdk")
        throw pk::Error(pk::ErrorKind::unsupported,
                        "export format \"" + o.format +
                            "\" is not supported by gcp; use raw (Compute Engine's disk.raw in a .tar.gz, "
                            "unpacked while downloading) or vmdk");
    o.power_off = common.power_off;
    o.parallel = common.parallel;
    return o;
}

}  // namespace hypersdk::gcp::plugin
