// Range and Content-Range headers (RFC 9110 14.2, 14.4), one range only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hypersdk::http {

struct ContentRange {
    bool unsatisfied = false;  // "bytes */N"
    uint64_t first = 0;        // "bytes first-last/N"
    uint64_t last = 0;
    std::optional<uint64_t> total;  // N, nullopt for "*"
};

// nullopt when `value` is not a single byte range as above.
std::optional<ContentRange> parse_content_range(std::string_view value);

// "bytes=first-last"; "bytes=first-" when `length` is nullopt.
std::string range_header(uint64_t first, std::optional<uint64_t> length);

}  // namespace hypersdk::http
