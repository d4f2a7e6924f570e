// Asking a tool for its version (`<tool> --version`), bounded in time: the
// host calls validate() while routing, so this must stay quick.
#pragma once

#include <string>
#include <vector>

#include "hypersdk/plugin_common/converter_params.hpp"

namespace hypersdk::plugin_common {

struct VersionProbe {
    std::string version;  // bare, e.g. "7.2.22"; empty when it failed
    std::string output;   // what the tool printed
    std::string problem;  // why it failed ("exit code 2: ..."), empty on success
    bool ok() const { return problem.empty(); }
};

// A successful answer is remembered for the life of the process, per binary
// (by path and file identity: device, inode, size, mtime), arguments and
// environment; a failed one is asked again next time.
VersionProbe probe_version(const std::string& binary, const ConverterConfig& config,
                           const std::vector<std::string>& args = {"--version"}, int timeout_seconds = 15);

}  // namespace hypersdk::plugin_common
