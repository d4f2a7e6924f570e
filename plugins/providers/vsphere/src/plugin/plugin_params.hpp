// The plugin's JSON inputs (docs/provider-json.md): the config given to open
// and the options given to export_vm, parsed into typed values.
#pragma once

#include <hypersdk/provider/option_values.hpp>

#include <chrono>
#include <string>

#include "config.hpp"

namespace hypersdk::vsphere::plugin {

// config -> client Config. Missing url/username: an error saying which
// flag or GOVC_* variable sets it. Throws provider::Error(config).
Config parse_config(const provider::OptionValues& config);

struct ExportOptions {
    std::string format = "ovf";
    bool power_off = false;
    int parallel = 4;
    // How often HttpNfcLeaseProgress keeps the lease alive while downloading.
    std::chrono::milliseconds keepalive{std::chrono::seconds(15)};
    std::chrono::seconds lease_ready_timeout{300};
};

ExportOptions parse_export_options(const provider::OptionValues& options);

}  // namespace hypersdk::vsphere::plugin
