// The one exception type of the GCP client. Messages name the input that was
// wrong and what to do; they never hold a token, a private key or a signed
// assertion. The plugin boundary turns the kinds into hypersdk statuses.
// Transport failures stay hypersdk::http::Error (already redacted).
#pragma once

#include <stdexcept>
#include <string>

namespace hypersdk::gcp {

enum class ErrorKind {
    config,         // a bad option or key file: what to fix is in the message
    auth,           // token refused, key rejected, 401/403
    not_found,      // instance, zone, image, object, build not found (404)
    invalid_state,  // the instance is running, a disk is not exportable
    api,            // any other error the API answered (Google's error.message)
    operation,      // a long-running operation or build finished with errors
    protocol,       // an answer we cannot use
    cancelled,      // the caller's cancel check said stop
    timeout,        // a bounded wait ran out
    archive,        // the exported .tar.gz is corrupt, truncated or not one disk.raw
};

class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, const std::string& message, long http_status = 0)
        : std::runtime_error(message), kind_(kind), http_status_(http_status) {}
    ErrorKind kind() const noexcept { return kind_; }
    long http_status() const noexcept { return http_status_; }

private:
    ErrorKind kind_;
    long http_status_;
};

}  // namespace hypersdk::gcp
