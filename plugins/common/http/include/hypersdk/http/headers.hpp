// HTTP header lists: names compared without case, order and repeats kept.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hypersdk::http {

struct Header {
    std::string name;
    std::string value;
};
using Headers = std::vector<Header>;

bool iequals(std::string_view a, std::string_view b);
bool istarts_with(std::string_view text, std::string_view prefix);
std::string_view trim(std::string_view text);

// The value of the first header called `name`, if any.
std::optional<std::string> find_header(const Headers& headers, std::string_view name);

// Replaces every header called `name` by one with `value` (appends when none).
void set_header(Headers& headers, std::string_view name, std::string value);
void remove_header(Headers& headers, std::string_view name);

}  // namespace hypersdk::http
