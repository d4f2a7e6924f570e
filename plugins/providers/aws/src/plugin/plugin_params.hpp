// The plugin's JSON inputs (docs/provider-json.md, docs/aws.md): the config
// given to open (the declared options) and the options given to export_vm.
#pragma once

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

// Throws cxx::Error(INVALID_ARGUMENT) naming the option or variable to set.
Settings parse_settings(const char* config_json);

struct ExportOptions {
    std::string format = "raw";
    bool power_off = false;
    int parallel = 4;
};

ExportOptions parse_export_options(const char* options_json);

}  // namespace hypersdk::aws::plugin
