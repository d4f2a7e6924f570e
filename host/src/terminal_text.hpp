// Text from manifests, plugins and servers (a VM name, a SOAP fault, a tool's
// output line) must never drive the user's terminal: an ESC[2J in a fault
// string would clear the screen. Everything hyperexport prints that it did
// not write itself goes through terminal_safe.
#pragma once

#include <string>
#include <string_view>

namespace hypersdk::host {

// `text` with every control character (C0 but tab and, when kept, newline;
// DEL; C1) and every byte that is not valid UTF-8 written visibly as \xNN.
// Valid UTF-8 (accents, CJK) passes unchanged.
std::string terminal_safe(std::string_view text, bool keep_newlines = true);

}  // namespace hypersdk::host
