// Running a converter's tool on behalf of a job: the config's environment and
// working directory, the job's cancellation, streamed output when asked, and
// every line logged at debug level so a failure can be diagnosed afterwards.
#pragma once

#include <hypersdk/cxx/plugin.hpp>

#include <functional>
#include <string>
#include <string_view>

#include "hypersdk/plugin_common/converter_params.hpp"
#include "hypersdk/plugin_common/subprocess.hpp"

namespace hypersdk::plugin_common {

struct JobToolRun {
    ProcessSpec spec;
    bool stream_output = false;
    // Optional: sees every line too (progress parsing).
    std::function<void(OutputStream, std::string_view)> on_line;
};

// spec.environment, environment_unset, working_directory and timeout from
// config.
ProcessSpec spec_from_config(const ConverterConfig& config, std::vector<std::string> argv,
                             const std::string& default_working_directory);

ProcessResult run_tool_for_job(const cxx::Job& job, const JobToolRun& run);

}  // namespace hypersdk::plugin_common
