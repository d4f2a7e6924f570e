// Text from manifests, plugins and servers reaches terminals and log files:
// a vm_name holding ESC[2J must not clear the operator's screen. These
// functions keep valid UTF-8 (accents, CJK, emoji) as it is and render
// everything a terminal would act on visibly:
//   C0 controls (ESC, newline, tab, ...) and DEL  -> \x1b, \x0a, \x7f
//   C1 controls (U+0080-U+009F; U+009B is a CSI)   -> \u009b
//   bidirectional and line-separator format characters (U+061C, U+200E,
//   U+200F, U+2028, U+2029, U+202A-U+202E, U+2066-U+2069) -> \u202e
//   bytes that are not UTF-8                       -> \xff
// Core re-exports both as hypersdk::core names (hypersdk/core/terminal_text.hpp).
#pragma once

#include <string>
#include <string_view>

namespace hypersdk::manifest {

// The whole text, escaped as above; a backslash stays a single backslash.
std::string escape_for_terminal(std::string_view text);

// A value quoted for an error message: "..." with `"` and `\` escaped too,
// cut after 80 bytes (on a character boundary) with the full size added, so a
// 10 MB string never floods a terminal: "aaaa..." (10485760 bytes).
std::string quote_for_message(std::string_view value);

}  // namespace hypersdk::manifest
