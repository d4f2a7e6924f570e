#include "hypersdk/plugin_common/tool_version.hpp"

#include "hypersdk/plugin_common/subprocess.hpp"
#include "hypersdk/plugin_common/tool_text.hpp"

namespace hypersdk::plugin_common {

VersionProbe probe_version(const std::string& binary, const ConverterConfig& config,
                           const std::vector<std::string>& args, int timeout_seconds) {
    VersionProbe probe;
    ProcessSpec spec;
    spec.argv.push_back(binary);
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    spec.environment = config.environment;
    spec.environment_unset = config.environment_unset;
    spec.timeout = std::chrono::seconds(timeout_seconds);
    spec.kill_grace = std::chrono::seconds(1);
    const ProcessResult run = run_process(spec);
    probe.output = run.tail_text();
    if (!run.succeeded()) {
        probe.problem = format_command(spec.argv) + " failed (" + run.describe() + ")";
        if (!probe.output.empty()) probe.problem += ": " + probe.output;
        return probe;
    }
    probe.version = extract_version(probe.output);
    if (probe.version.empty())
        probe.problem = format_command(spec.argv) + " printed no version number: '" + probe.output + "'";
    return probe;
}

}  // namespace hypersdk::plugin_common
