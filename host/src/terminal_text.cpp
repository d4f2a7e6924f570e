#include "terminal_text.hpp"

#include <cstdio>

namespace hypersdk::host {
namespace {

void append_escaped(std::string& out, unsigned char byte) {
    char buffer[5];
    std::snprintf(buffer, sizeof buffer, "\\x%02x", byte);
    out += buffer;
}

// Length of the valid UTF-8 sequence starting at text[i], or 0.
size_t utf8_length(std::string_view text, size_t i) {
    const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char lead = byte(i);
    size_t length = 0;
    uint32_t code = 0;
    if (lead >= 0xc2 && lead <= 0xdf) {
        length = 2;
        code = lead & 0x1f;
    } else if (lead >= 0xe0 && lead <= 0xef) {
        length = 3;
        code = lead & 0x0f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        length = 4;
        code = lead & 0x07;
    } else {
        return 0;
    }
    if (i + length > text.size()) return 0;
    for (size_t k = 1; k < length; ++k) {
        if ((byte(i + k) & 0xc0) != 0x80) return 0;
        code = (code << 6) | (byte(i + k) & 0x3f);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((length == 3 && code < 0x800) || (length == 4 && (code < 0x10000 || code > 0x10ffff)) ||
        (code >= 0xd800 && code <= 0xdfff))
        return 0;
    // C1 controls (U+0080..U+009F) act on terminals too.
    if (code >= 0x80 && code <= 0x9f) return 0;
    return length;
}

}  // namespace

std::string terminal_safe(std::string_view text, bool keep_newlines) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            const bool control = c < 0x20 || c == 0x7f;
            if (!control || c == '\t' || (c == '\n' && keep_newlines))
                out += static_cast<char>(c);
            else
                append_escaped(out, c);
            ++i;
            continue;
        }
        if (const size_t length = utf8_length(text, i); length != 0) {
            out.append(text.substr(i, length));
            i += length;
        } else {
            append_escaped(out, c);
            ++i;
        }
    }
    return out;
}

}  // namespace hypersdk::host
