// The plugin's settings as the host hands them over: the declared options
// (config JSON of open) and the export options (format, power_off, parallel).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <hypersdk/provider/option_values.hpp>

#include "config.hpp"

namespace hypersdk::azure::plugin {

struct PluginConfig {
    Config azure;
    std::string resource_group;
    bool keep_snapshots = false;
    bool no_snapshot = false;
    std::string azure_format;           // "vhd", "raw" or "" (not given: the host's --format, else vhd)
    std::vector<std::string> sas_urls;  // from --disk-sas-url-file: disks read without ARM
    int64_t access_seconds = 3600;      // durationInSeconds of beginGetAccess
    uint64_t range_bytes = 4u << 20;    // each ranged GET (Azure returns Content-MD5 only up to 4 MiB)
    int64_t operation_timeout_seconds = 3600;
};

struct ExportOptions {
    std::string format = "vhd";  // the host's --format: vhd or raw
    bool power_off = false;
    int parallel = 4;
};

// Throws provider::Error(config) naming the option, or azure::Error(config)
// from Config::normalise (endpoints, identifiers, missing credentials).
PluginConfig parse_config(const provider::OptionValues& config);
// Throws provider::Error(unsupported) for a format other than vhd or raw.
ExportOptions parse_export_options(const provider::OptionValues& options);

// SAS URLs from a file, one per line ('#' comments and blank lines skipped).
// The file is the user's secret: read bounded (1 MiB), never echoed; each
// line must be an https URL with a query (the SAS). Throws provider::Error(config).
std::vector<std::string> read_sas_url_file(const std::string& path);

}  // namespace hypersdk::azure::plugin
