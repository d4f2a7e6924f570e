// Strict UTF-8 decoding (no overlong forms, surrogates or code points past
// U+10FFFF), shared by the serializer and the terminal escaping.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace hypersdk::manifest::utf8 {

struct CodePoint {
    uint32_t value = 0;
    size_t length = 0;  // bytes; 0 when the bytes at the position are not UTF-8
};

// Decodes the code point starting at text[at] (at < text.size()).
CodePoint decode(std::string_view text, size_t at);

bool is_valid(std::string_view text);

}  // namespace hypersdk::manifest::utf8
