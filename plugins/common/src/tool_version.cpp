#include "hypersdk/plugin_common/tool_version.hpp"

#include <sys/stat.h>

#include <map>
#include <mutex>
#include <optional>
#include <tuple>

#include "hypersdk/plugin_common/subprocess.hpp"
#include "hypersdk/plugin_common/tool_text.hpp"

namespace hypersdk::plugin_common {
namespace {

// What makes two probes the same question: the file (by identity, so an
// upgraded or replaced tool is asked again), the arguments and the
// environment it runs with.
struct ProbeKey {
    std::string binary;
    dev_t device;
    ino_t inode;
    off_t size;
    int64_t mtime_ns;
    std::vector<std::string> args;
    std::map<std::string, std::string> environment;
    std::vector<std::string> environment_unset;

    bool operator<(const ProbeKey& other) const {
        return std::tie(binary, device, inode, size, mtime_ns, args, environment, environment_unset) <
               std::tie(other.binary, other.device, other.inode, other.size, other.mtime_ns, other.args,
                        other.environment, other.environment_unset);
    }
};

std::optional<ProbeKey> key_of(const std::string& binary, const ConverterConfig& config,
                               const std::vector<std::string>& args) {
    struct stat st {};
    if (::stat(binary.c_str(), &st) != 0) return std::nullopt;
    return ProbeKey{binary,
                    st.st_dev,
                    st.st_ino,
                    st.st_size,
                    static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
                    args,
                    config.environment,
                    config.environment_unset};
}

// Successful probes of this process. A conversion asks twice (validate while
// routing, then convert for its report), and each `qemu-img --version` costs
// a process start: tens of milliseconds, more on a loaded machine.
std::mutex cache_mutex;
std::map<ProbeKey, VersionProbe> cache;

VersionProbe run_probe(const std::string& binary, const ConverterConfig& config,
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

}  // namespace

VersionProbe probe_version(const std::string& binary, const ConverterConfig& config,
                           const std::vector<std::string>& args, int timeout_seconds) {
    const std::optional<ProbeKey> key = key_of(binary, config, args);
    if (key) {
        const std::lock_guard lock(cache_mutex);
        if (const auto it = cache.find(*key); it != cache.end()) return it->second;
    }
    // Not under the lock: a slow tool must not hold up other probes.
    VersionProbe probe = run_probe(binary, config, args, timeout_seconds);
    if (key && probe.ok()) {
        const std::lock_guard lock(cache_mutex);
        cache.emplace(*key, probe);
    }
    return probe;
}

}  // namespace hypersdk::plugin_common
