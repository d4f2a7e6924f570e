#include "summary_box.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

namespace hypersdk::host {
namespace {

// Display width of UTF-8 text: one column per code point (continuation bytes
// do not count). Good enough for the labels and paths we print.
size_t display_width(const std::string& text) {
    return static_cast<size_t>(std::count_if(
        text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string repeat(const std::string& piece, size_t count) {
    std::string out;
    out.reserve(piece.size() * count);
    for (size_t i = 0; i < count; ++i) out += piece;
    return out;
}

std::string pad(const std::string& text, size_t width) {
    const size_t used = display_width(text);
    return text + std::string(width > used ? width - used : 0, ' ');
}

// The byte offset after `columns` code points of text (or its size).
size_t prefix_bytes(const std::string& text, size_t columns) {
    size_t seen = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
        if (seen == columns) return i;
        ++seen;
    }
    return text.size();
}

// `value` cut into lines of at most `width` columns, preferring to break
// after a space, '/', ',' or ';' in the second half of a line.
std::vector<std::string> wrap(std::string value, size_t width) {
    std::vector<std::string> lines;
    while (display_width(value) > width) {
        size_t cut = prefix_bytes(value, width);
        for (size_t i = cut; i > cut / 2; --i) {
            const char c = value[i - 1];
            if (c == ' ' || c == '/' || c == ',' || c == ';') {
                cut = i;
                break;
            }
        }
        std::string line = value.substr(0, cut);
        while (!line.empty() && line.back() == ' ') line.pop_back();
        lines.push_back(std::move(line));
        value.erase(0, cut);
        value.erase(0, value.find_first_not_of(' ') == std::string::npos ? value.size()
                                                                         : value.find_first_not_of(' '));
    }
    if (!value.empty() || lines.empty()) lines.push_back(std::move(value));
    return lines;
}

}  // namespace

std::string render_summary_box(const std::string& title, const SummaryRows& rows) {
    size_t label_width = 0;
    size_t value_width = 0;
    for (const auto& [label, value] : rows) {
        label_width = std::max(label_width, display_width(label));
        value_width = std::max(value_width, display_width(value));
    }
    // Inner width: " label │ value " must fit, and so must the title; the
    // whole box stays within kMaxBoxWidth columns, longer values wrap.
    label_width = std::min(label_width, kMaxBoxWidth / 3);
    value_width = std::min(value_width, kMaxBoxWidth - 2 - label_width - 5);
    size_t inner = label_width + value_width + 5;
    inner = std::max(inner, std::min(display_width(title) + 4, kMaxBoxWidth - 2));
    value_width = inner - label_width - 5;

    const size_t title_left = (inner - display_width(title)) / 2;
    std::string out;
    out += "╔" + repeat("═", inner) + "╗\n";
    out += "║" + std::string(title_left, ' ') + pad(title, inner - title_left) + "║\n";
    out += "╠" + repeat("═", inner) + "╣\n";
    for (const auto& [label, value] : rows) {
        const auto lines = wrap(value, value_width);
        for (size_t i = 0; i < lines.size(); ++i)
            out += "║ " + pad(i == 0 ? label : std::string(), label_width) + " │ " +
                   pad(lines[i], value_width) + " ║\n";
    }
    out += "╚" + repeat("═", inner) + "╝\n";
    return out;
}

std::string format_duration(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) seconds = 0;
    char buffer[64];
    if (seconds < 60) {
        std::snprintf(buffer, sizeof buffer, "%.1fs", seconds);
        return buffer;
    }
    const auto total = static_cast<long long>(std::llround(seconds));
    const long long hours = total / 3600;
    const long long minutes = (total % 3600) / 60;
    const long long secs = total % 60;
    if (hours > 0)
        std::snprintf(buffer, sizeof buffer, "%lldh%02lldm%02llds", hours, minutes, secs);
    else
        std::snprintf(buffer, sizeof buffer, "%lldm%02llds", minutes, secs);
    return buffer;
}

}  // namespace hypersdk::host
