// The transport's log routed to the host's (host->log, through
// hypersdk::cxx::log): what a plugin passes as ClientOptions::log.
#pragma once

#include <hypersdk/cxx/plugin.hpp>

#include <string>

#include "log.hpp"

namespace hypersdk::http {

static_assert(static_cast<int>(LogLevel::trace) == HYPERSDK_LOG_TRACE &&
                  static_cast<int>(LogLevel::debug) == HYPERSDK_LOG_DEBUG &&
                  static_cast<int>(LogLevel::info) == HYPERSDK_LOG_INFO &&
                  static_cast<int>(LogLevel::warn) == HYPERSDK_LOG_WARN &&
                  static_cast<int>(LogLevel::error) == HYPERSDK_LOG_ERROR,
              "LogLevel mirrors HYPERSDK_LOG_*");

inline LogFn host_log() {
    return [](LogLevel level, const std::string& message) { cxx::log(static_cast<int32_t>(level), message); };
}

}  // namespace hypersdk::http
