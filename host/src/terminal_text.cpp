#include "terminal_text.hpp"

#include <hypersdk/manifest/terminal_text.hpp>

namespace hypersdk::host {

// One escaping rule for the whole project (hypersdk_manifest's); the host
// only keeps tabs, and newlines where it prints several lines of a tool's
// output. Neither can be part of a UTF-8 sequence, so splitting there is safe.
std::string terminal_safe(std::string_view text, bool keep_newlines) {
    std::string out;
    out.reserve(text.size());
    size_t start = 0;
    for (size_t i = 0; i <= text.size(); ++i) {
        const bool end = i == text.size();
        if (!end && text[i] != '\t' && !(keep_newlines && text[i] == '\n')) continue;
        out += manifest::escape_for_terminal(text.substr(start, i - start));
        if (!end) out += text[i];
        start = i + 1;
    }
    return out;
}

}  // namespace hypersdk::host
