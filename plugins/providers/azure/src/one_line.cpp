#include "one_line.hpp"

namespace hypersdk::azure {

std::string one_line(std::string_view text, size_t limit) {
    std::string out;
    bool space = false;
    for (unsigned char c : text) {
        if (c < 0x20 || c == 0x7f || c == ' ') {
            space = !out.empty();
            continue;
        }
        // Stop at the limit only before a character's first byte, never inside one.
        if (out.size() >= limit && (c & 0xC0) != 0x80) {
            out += "...";
            break;
        }
        if (space) out += ' ';
        space = false;
        out += static_cast<char>(c);
    }
    return out;
}

std::string first_line(std::string_view text, size_t limit) {
    return one_line(text.substr(0, text.find_first_of("\r\n")), limit);
}

}  // namespace hypersdk::azure
