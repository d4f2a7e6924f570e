// The plugin's inputs (docs/provider-json.md, docs/aws.md): the declared
// options given to open, and the export-options given to export_vm.
#pragma once

#include <hypersdk/provider/option_values.hpp>

#include <chrono>
#include <string>

#include "config.hpp"

namespace hypersdk::aws::plugin {

enum class Method { ebs_direct, export_task };

struct Settings {
    Config config;
    Method method = Method::ebs_direct;
    std::string s3_bucket, s3_prefix;
    bool keep_snapshots = false;
    bool keep_intermediate = false;
    std::chrono::seconds poll{5};
};

// Throws provider::Error(config) naming the option or variable to set.
Settings parse_settings(const provider::OptionValues& config);

struct ExportOptions {
    std::string format = "raw";
    bool power_off = false;
    int parallel = 4;
};

ExportOptions parse_export_options(const provider::OptionValues& options);

}  // namespace hypersdk::aws::plugin
