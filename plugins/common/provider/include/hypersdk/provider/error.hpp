// The error type every provider plugin throws, its kinds, and the ONE mapping
// from a kind to a hypersdk status. Messages name the input that was wrong
// and what to do; they never hold a password, key, token or signed URL (build
// them from names, never from credential values; pass anything that may hold
// a URL or header through hypersdk::http::redact()).
#pragma once

#include <hypersdk/types.h>

#include <cstdint>
#include <exception>
#include <stdexcept>
#include <string>

namespace hypersdk::http {
class Error;
}

namespace hypersdk::provider {

enum class ErrorKind {
    config,       // a bad or missing option, URL, region, ...: HYPERSDK_ERR_INVALID_ARGUMENT
    auth,         // credentials rejected or missing permission: HYPERSDK_ERR_AUTH
    network,      // connection, HTTP or protocol failure: HYPERSDK_ERR_NETWORK
    tls,          // certificate not trusted, pin mismatch: HYPERSDK_ERR_NETWORK
    not_found,    // VM, disk, snapshot or object missing: HYPERSDK_ERR_NOT_FOUND
    state,        // VM running, lease not ready, operation failed: HYPERSDK_ERR_STATE
    cancelled,    // the job was cancelled: HYPERSDK_ERR_CANCELLED
    timeout,      // a bounded wait ran out: HYPERSDK_ERR_TIMEOUT
    throttled,    // still throttled after the transport's retries: HYPERSDK_ERR_NETWORK
    io,           // a local file failed: HYPERSDK_ERR_IO
    unsupported,  // a format or method this provider does not do: HYPERSDK_ERR_UNSUPPORTED
    internal,     // a bug in the plugin: HYPERSDK_ERR_INTERNAL
    remote,       // the platform reported a failure none of the above names
                  // (a SOAP fault, an API error code): HYPERSDK_ERR_GENERIC
};

const char* to_string(ErrorKind kind);

// The one mapping from a kind to the status a C entry point returns.
int32_t status_for(ErrorKind kind);

// The kind of a transport error: status 401/403 -> auth, 404 -> not_found,
// 429 -> throttled, other statuses -> network (a provider that decodes its
// error bodies throws its own Error instead).
ErrorKind kind_for(const http::Error& error);

class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
    ErrorKind kind() const noexcept { return kind_; }
    int32_t status() const noexcept { return status_for(kind_); }

private:
    ErrorKind kind_;
};

// A client library's own errors as the kit's: runs fn; a ClientError (any
// type with kind() and what()) leaves as provider::Error(to_kit_kind(e.kind()),
// e.what()), the message unchanged (client messages are already redacted).
// Everything else passes through: the kit maps http::Error itself. Each
// plugin keeps only its kind mapping.
template <typename ClientError, typename KindMapping, typename Fn>
auto with_kit_errors(KindMapping to_kit_kind, Fn&& fn) -> decltype(fn()) {
    try {
        return fn();
    } catch (const ClientError& e) {
        throw Error(to_kit_kind(e.kind()), e.what());
    }
}

// The status and message for an exception caught at the plugin boundary:
// provider::Error and http::Error by their kind, hypersdk::cxx::Error by its
// status, anything else HYPERSDK_ERR_INTERNAL ("internal error in plugin: ...").
struct BoundaryError {
    int32_t status = HYPERSDK_ERR_INTERNAL;
    std::string message;
};
BoundaryError boundary_error(const std::exception_ptr& error);

}  // namespace hypersdk::provider
