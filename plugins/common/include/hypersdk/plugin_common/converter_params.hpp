// The ConverterConfig and ConvertOptions documents of converter.h, parsed
// with errors that name the bad key (see docs/converter-json.md).
#pragma once

#include <hypersdk/files/file_modes.hpp>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace hypersdk::plugin_common {

struct ConverterConfig {
    std::string binary_path;
    double timeout_seconds = 0;  // 0 = none
    std::map<std::string, std::string> environment;
    // Removed from the tool's environment (the host lists the variables of
    // every option declared secret); see child_environment.hpp.
    std::vector<std::string> environment_unset;
    std::string working_directory;

    std::chrono::milliseconds timeout() const {
        return std::chrono::milliseconds(static_cast<int64_t>(timeout_seconds * 1000));
    }
};

struct ConvertOptions {
    bool stream_output = false;
    int verbose = 0;  // 0-3
    bool dry_run = false;
    std::string target_format;  // empty = the manifest's output.format
    int compression_level = 0;  // 0 = none, 1-9
    bool preserve_mac = false;
    std::vector<std::string> custom_args;
    // Outputs 0640 / directories 0750 instead of 0600 / 0700.
    bool group_readable = false;
    // The user's --force: files already at the converter's output paths may
    // be replaced (never a source disk). Without it a converter that finds
    // one the host did not vouch for refuses.
    bool overwrite = false;
    // Files the host's output record says this job wrote on an earlier run,
    // unchanged since (absolute paths): replaceable without --force.
    std::vector<std::string> replaceable;

    files::FileModes modes() const { return files::FileModes::private_or_group(group_readable); }
    // The umask a tool runs under, so what it creates itself has these modes.
    int tool_umask() const { return static_cast<int>(modes().child_umask()); }
};

// NULL or "" = all defaults. Throws hypersdk::cxx::Error with
// HYPERSDK_ERR_INVALID_ARGUMENT ("converter config: key 'timeout_seconds' must be ...").
ConverterConfig parse_converter_config(const char* json);
ConvertOptions parse_convert_options(const char* json);

}  // namespace hypersdk::plugin_common
