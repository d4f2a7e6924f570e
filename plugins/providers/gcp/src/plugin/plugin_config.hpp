// The GCP plugin's settings from its declared options (plugin.cpp), and the
// export options: what the host resolved from flags, profiles and variables.
#pragma once

#include <hypersdk/provider/option_values.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace hypersdk::gcp::plugin {

struct PluginConfig {
    std::string
        project;  // --project, else the key file's project_id, GOOGLE_CLOUD_PROJECT, CLOUDSDK_CORE_PROJECT
    std::string zone;          // --zone / CLOUDSDK_COMPUTE_ZONE; empty: found through the aggregated list
    std::string credentials;   // --credentials / GOOGLE_APPLICATION_CREDENTIALS: a service-account key file
    std::string access_token;  // --access-token-file / GOOGLE_OAUTH_ACCESS_TOKEN: a ready token (secret)
    std::string compute_endpoint = "https://compute.googleapis.com/compute/v1";
    std::string cloudbuild_endpoint = "https://cloudbuild.googleapis.com/v1";
    std::string storage_endpoint = "https://storage.googleapis.com";  // or STORAGE_EMULATOR_HOST
    std::string ca_file;
    std::string gcs_bucket;
    std::vector<std::string> gcs_uris;
    bool keep_intermediate = false;
    std::chrono::seconds build_timeout{std::chrono::hours(2)};
};

PluginConfig parse_config(const provider::OptionValues& config);

// The project in the documented order: the option, the key file's project_id,
// then GOOGLE_CLOUD_PROJECT and CLOUDSDK_CORE_PROJECT from `getenv`.
std::string resolve_project(const std::string& option, const std::string& key_project,
                            const std::function<const char*(const char*)>& getenv);

struct ExportOptions {
    std::string format;  // "raw" (the native disk.raw in .tar.gz) or "vmdk"
    bool power_off = false;
    int parallel = 4;
};

ExportOptions parse_export_options(const provider::OptionValues& options);

}  // namespace hypersdk::gcp::plugin
