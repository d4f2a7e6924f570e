// Durations on the command line and in profiles: "2h", "90m", "4h30m", "45s", "3600" (seconds).
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace hypersdk::core {

// nullopt for anything else (empty, negative, unknown unit, overflow, zero).
std::optional<std::chrono::seconds> parse_duration(std::string_view text);

}  // namespace hypersdk::core
