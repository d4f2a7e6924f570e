#include "summary_box.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

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

}  // namespace

std::string render_summary_box(const std::string& title, const SummaryRows& rows) {
    size_t label_width = 0;
    size_t value_width = 0;
    for (const auto& [label, value] : rows) {
        label_width = std::max(label_width, display_width(label));
        value_width = std::max(value_width, display_width(value));
    }
    // Inner width: " label │ value " must fit, and so must the title.
    size_t inner = label_width + value_width + 5;
    inner = std::max(inner, display_width(title) + 4);
    value_width = inner - label_width - 5;

    const size_t title_left = (inner - display_width(title)) / 2;
    std::string out;
    out += "╔" + repeat("═", inner) + "╗\n";
    out += "║" + std::string(title_left, ' ') + pad(title, inner - title_left) + "║\n";
    out += "╠" + repeat("═", inner) + "╣\n";
    for (const auto& [label, value] : rows)
        out += "║ " + pad(label, label_width) + " │ " + pad(value, value_width) + " ║\n";
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
