// Text from manifests, plugins and servers made safe for a terminal or a log
// line: escape_for_terminal() keeps valid UTF-8 and renders control
// characters (ESC, newline, C1, bidirectional overrides) and bytes that are
// not UTF-8 visibly (\x1b, \u009b, \xff); quote_for_message() quotes a value
// for an error message the same way and cuts it after 80 bytes. One
// implementation, in the hypersdk_manifest library (plugins/common/manifest,
// <hypersdk/manifest/terminal_text.hpp>), shared with the plugins: use these
// wherever core or the host prints or builds a message from such text.
#pragma once

#include <hypersdk/manifest/terminal_text.hpp>

namespace hypersdk::core {

using manifest::escape_for_terminal;
using manifest::quote_for_message;

}  // namespace hypersdk::core
