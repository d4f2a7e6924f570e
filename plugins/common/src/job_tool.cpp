#include "hypersdk/plugin_common/job_tool.hpp"

#include "hypersdk/plugin_common/tool_text.hpp"

namespace hypersdk::plugin_common {

ProcessSpec spec_from_config(const ConverterConfig& config, std::vector<std::string> argv,
                             const std::string& default_working_directory) {
    ProcessSpec spec;
    spec.argv = std::move(argv);
    spec.environment = config.environment;
    spec.environment_unset = config.environment_unset;
    spec.working_directory =
        config.working_directory.empty() ? default_working_directory : config.working_directory;
    spec.timeout = config.timeout();
    return spec;
}

ProcessResult run_tool_for_job(const cxx::Job& job, const JobToolRun& run) {
    cxx::log(HYPERSDK_LOG_INFO, "running: " + format_command(run.spec.argv));
    auto on_line = [&](OutputStream stream, std::string_view line) {
        // Progress redraws are noise in logs and streamed output; the caller
        // still gets them for parsing.
        const bool progress_only = parse_progress_percent(line).has_value();
        if (!progress_only && !line.empty()) {
            cxx::log(HYPERSDK_LOG_DEBUG, std::string(line));
            if (run.stream_output) job.output(std::string(line));
        }
        if (run.on_line) run.on_line(stream, line);
    };
    return run_process(run.spec, on_line, [&] { return job.cancelled(); });
}

}  // namespace hypersdk::plugin_common
