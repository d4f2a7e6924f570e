// Process-wide logging: one spdlog logger writing to stderr, pattern
// "[2026-11-22 03:00:00] [warn] message". The host configures it once at
// start-up; core and plugin messages (through hypersdk_host.log) share it.
#pragma once

#include <optional>
#include <string_view>

#include <spdlog/common.h>

namespace hypersdk::core {

// The level names the CLI accepts, for help texts and error messages.
inline constexpr std::string_view kLogLevelNames = "trace|debug|info|warn|error|off";

// "trace", "debug", "info", "warn", "error" or "off"; nullopt for anything else.
std::optional<spdlog::level::level_enum> parse_log_level(std::string_view name);

// Installs the stderr logger as spdlog's default at the given level. Returns
// false (and changes nothing) when the level name is unknown.
bool configure_logging(std::string_view level_name);

}  // namespace hypersdk::core
