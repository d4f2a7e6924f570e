// Where hyper2kvm writes report.json (design/manifest.md): options.report.path
// relative to the output directory, else <output.directory>/report.json,
// falling back to <manifest dir>/report.json. Only a report written by this
// run counts: a leftover from an earlier run must not pass for the result.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "hypersdk/plugin_common/manifest_reader.hpp"

namespace hypersdk::hyper2kvm {

// In the order they are tried; no duplicates.
std::vector<std::string> report_candidates(const plugin_common::Manifest& manifest);

// The first candidate modified at or after `since`; nullopt if none.
std::optional<std::string> find_fresh_report(const std::vector<std::string>& candidates,
                                             std::chrono::system_clock::time_point since);

}  // namespace hypersdk::hyper2kvm
