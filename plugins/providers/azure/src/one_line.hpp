// Text from a server made fit for a one-line message: the first line only,
// control characters and runs of spaces collapsed, at most `limit` bytes.
#pragma once

#include <string>
#include <string_view>

namespace hypersdk::azure {

std::string first_line(std::string_view text, size_t limit = 300);
std::string one_line(std::string_view text, size_t limit = 300);

}  // namespace hypersdk::azure
