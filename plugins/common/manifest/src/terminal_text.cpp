#include "hypersdk/manifest/terminal_text.hpp"

#include <cstdint>
#include <cstdio>

#include "utf8.hpp"

namespace hypersdk::manifest {
namespace {

constexpr size_t kMaxQuotedBytes = 80;

// Format characters that reorder or break the displayed line.
bool is_display_control(uint32_t code_point) {
    return code_point == 0x061c || code_point == 0x200e || code_point == 0x200f || code_point == 0x2028 ||
           code_point == 0x2029 || (code_point >= 0x202a && code_point <= 0x202e) ||
           (code_point >= 0x2066 && code_point <= 0x2069);
}

void append_hex_byte(std::string& out, unsigned char byte) {
    char escaped[8];
    std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
    out += escaped;
}

void append_code_point_escape(std::string& out, uint32_t code_point) {
    char escaped[12];
    std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(code_point));
    out += escaped;
}

// Appends text[at...] escaped; stops before the character that would take the
// input consumed past `byte_limit`. Returns the bytes of input consumed.
size_t append_escaped(std::string& out, std::string_view text, size_t byte_limit, bool quoting) {
    size_t at = 0;
    while (at < text.size()) {
        const utf8::CodePoint code_point = utf8::decode(text, at);
        const size_t length = code_point.length == 0 ? 1 : code_point.length;
        if (at + length > byte_limit) break;
        if (code_point.length == 0) {
            append_hex_byte(out, static_cast<unsigned char>(text[at]));
        } else if (code_point.value < 0x20 || code_point.value == 0x7f) {
            append_hex_byte(out, static_cast<unsigned char>(code_point.value));
        } else if ((code_point.value >= 0x80 && code_point.value <= 0x9f) ||
                   is_display_control(code_point.value)) {
            append_code_point_escape(out, code_point.value);
        } else if (quoting && (code_point.value == '"' || code_point.value == '\\')) {
            out += '\\';
            out += static_cast<char>(code_point.value);
        } else {
            out.append(text.substr(at, length));
        }
        at += length;
    }
    return at;
}

}  // namespace

std::string escape_for_terminal(std::string_view text) {
    std::string escaped;
    escaped.reserve(text.size());
    append_escaped(escaped, text, text.size(), false);
    return escaped;
}

std::string quote_for_message(std::string_view value) {
    std::string quoted = "\"";
    const size_t shown = append_escaped(quoted, value, kMaxQuotedBytes, true);
    quoted += '"';
    if (shown < value.size()) quoted += "... (" + std::to_string(value.size()) + " bytes)";
    return quoted;
}

}  // namespace hypersdk::manifest
