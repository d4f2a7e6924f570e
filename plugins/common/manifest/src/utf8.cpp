#include "utf8.hpp"

namespace hypersdk::manifest::utf8 {

CodePoint decode(std::string_view text, size_t at) {
    const auto lead = static_cast<unsigned char>(text[at]);
    if (lead < 0x80) return {lead, 1};
    size_t length;
    uint32_t value;
    if ((lead & 0xe0) == 0xc0) {
        length = 2;
        value = lead & 0x1f;
    } else if ((lead & 0xf0) == 0xe0) {
        length = 3;
        value = lead & 0x0f;
    } else if ((lead & 0xf8) == 0xf0) {
        length = 4;
        value = lead & 0x07;
    } else {
        return {};
    }
    if (at + length > text.size()) return {};
    for (size_t k = 1; k < length; ++k) {
        const auto continuation = static_cast<unsigned char>(text[at + k]);
        if ((continuation & 0xc0) != 0x80) return {};
        value = (value << 6) | (continuation & 0x3f);
    }
    static constexpr uint32_t kSmallestForLength[] = {0, 0, 0x80, 0x800, 0x10000};
    if (value < kSmallestForLength[length] || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff))
        return {};
    return {value, length};
}

bool is_valid(std::string_view text) {
    for (size_t at = 0; at < text.size();) {
        const CodePoint code_point = decode(text, at);
        if (code_point.length == 0) return false;
        at += code_point.length;
    }
    return true;
}

}  // namespace hypersdk::manifest::utf8
