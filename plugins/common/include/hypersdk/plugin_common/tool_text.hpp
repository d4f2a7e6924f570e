// Reading and writing the text of tool command lines and output: qemu-img's
// progress lines, version strings, and a copy-pasteable rendering of argv.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hypersdk::plugin_common {

// qemu-img -p prints "    (12.34/100%)"; returns 12.34, or nullopt for any
// other line.
std::optional<double> parse_progress_percent(std::string_view line);

// The first dotted version number ("7.2.22" from "qemu-img version 7.2.22
// (Debian 1:7.2+dfsg-7)", "0.2.0" from "hyper2kvm 0.2.0"); empty if none.
std::string extract_version(std::string_view text);

// argv as a shell would need it typed, each argument quoted when needed.
std::string format_command(const std::vector<std::string>& argv);

}  // namespace hypersdk::plugin_common
