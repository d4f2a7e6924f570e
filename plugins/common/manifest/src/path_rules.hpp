// The validator's rules for paths in a manifest that may come from another
// machine (validator.cpp applies them to the keys that hold paths).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hypersdk::manifest::path_rules {

// C0 controls (including ESC, newline, tab, NUL), DEL, and C1 controls
// (U+0080-U+009F, or such a byte on its own).
bool has_control_character(std::string_view text);

// A ".." component: "a/../b", "..", "a/.." (".." inside a name is fine).
bool has_dot_dot_segment(std::string_view path);

// True when options.report.path `report` (no "..", no control characters)
// names a file inside the output directory: relative (to the output
// directory), or absolute under an absolute output.directory.
bool report_lies_inside_output(std::string_view report, const std::optional<std::string>& output_directory);

}  // namespace hypersdk::manifest::path_rules
