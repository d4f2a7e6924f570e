// How the transport reports what it does: one callback the plugin routes to
// host->log. Every message has been through redact() before the callback
// sees it.
#pragma once

#include <functional>
#include <string>

namespace hypersdk::http {

// The values of HYPERSDK_LOG_* (sdk/include/hypersdk/types.h).
enum class LogLevel : int { trace = 0, debug = 1, info = 2, warn = 3, error = 4 };

using LogFn = std::function<void(LogLevel level, const std::string& message)>;

}  // namespace hypersdk::http
