#include "hypersdk/http/content_range.hpp"

#include <charconv>

#include "hypersdk/http/headers.hpp"

namespace hypersdk::http {
namespace {

bool parse_number(std::string_view text, uint64_t& value) {
    if (text.empty()) return false;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    return error == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::optional<ContentRange> parse_content_range(std::string_view value) {
    value = trim(value);
    if (!istarts_with(value, "bytes ")) return std::nullopt;
    value = trim(value.substr(6));
    const auto slash = value.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    const std::string_view range = value.substr(0, slash), size = value.substr(slash + 1);
    ContentRange r;
    if (size != "*") {
        uint64_t total = 0;
        if (!parse_number(size, total)) return std::nullopt;
        r.total = total;
    }
    if (range == "*") {
        if (!r.total) return std::nullopt;
        r.unsatisfied = true;
        return r;
    }
    const auto dash = range.find('-');
    if (dash == std::string_view::npos || !parse_number(range.substr(0, dash), r.first) ||
        !parse_number(range.substr(dash + 1), r.last) || r.last < r.first || (r.total && r.last >= *r.total))
        return std::nullopt;
    return r;
}

std::string range_header(uint64_t first, std::optional<uint64_t> length) {
    std::string value = "bytes=" + std::to_string(first) + "-";
    if (length) value += std::to_string(first + *length - 1);
    return value;
}

}  // namespace hypersdk::http
