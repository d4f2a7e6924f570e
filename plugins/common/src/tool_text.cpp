#include "hypersdk/plugin_common/tool_text.hpp"

#include <cctype>
#include <cstdlib>

namespace hypersdk::plugin_common {

std::optional<double> parse_progress_percent(std::string_view line) {
    size_t i = 0;
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i])) != 0) ++i;
    if (i >= line.size() || line[i] != '(') return std::nullopt;
    const size_t start = ++i;
    while (i < line.size() && (std::isdigit(static_cast<unsigned char>(line[i])) != 0 || line[i] == '.')) ++i;
    if (i == start) return std::nullopt;
    const std::string number(line.substr(start, i - start));
    if (line.substr(i, 6) != "/100%)") return std::nullopt;
    char* end = nullptr;
    const double value = std::strtod(number.c_str(), &end);
    if (end == nullptr || *end != '\0' || value < 0 || value > 100) return std::nullopt;
    return value;
}

std::string extract_version(std::string_view text) {
    for (size_t i = 0; i < text.size(); ++i) {
        if (std::isdigit(static_cast<unsigned char>(text[i])) == 0) continue;
        if (i > 0 && (std::isalnum(static_cast<unsigned char>(text[i - 1])) != 0 || text[i - 1] == '.'))
            continue;
        size_t j = i;
        int dots = 0;
        while (j < text.size() &&
               (std::isdigit(static_cast<unsigned char>(text[j])) != 0 || text[j] == '.')) {
            if (text[j] == '.') ++dots;
            ++j;
        }
        std::string_view candidate = text.substr(i, j - i);
        while (!candidate.empty() && candidate.back() == '.') {
            candidate.remove_suffix(1);
            --dots;
        }
        if (dots >= 1) return std::string(candidate);
        i = j;
    }
    return {};
}

std::string format_command(const std::vector<std::string>& argv) {
    std::string out;
    for (const auto& arg : argv) {
        if (!out.empty()) out += ' ';
        const bool plain = !arg.empty() && arg.find_first_not_of(
                                               "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                               "0123456789-_./=:,+@%") == std::string::npos;
        if (plain) {
            out += arg;
            continue;
        }
        out += '\'';
        for (const char c : arg) {
            if (c == '\'') {
                out += "'\\''";
            } else {
                out += c;
            }
        }
        out += '\'';
    }
    return out;
}

}  // namespace hypersdk::plugin_common
