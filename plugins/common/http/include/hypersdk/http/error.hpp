// The one exception type of the transport. Its message has been through
// redact(): it may name the URL (without credentials) but never a token,
// signature, cookie or password. Providers map kind() to their statuses.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace hypersdk::http {

enum class ErrorKind {
    config,     // a bad setting: URL, thumbprint, CA file, option
    connect,    // name not resolved, connection refused or unreachable
    tls,        // certificate not trusted, pin mismatch, handshake failed
    timeout,    // connect timeout, stall (low-speed) timeout, request timeout
    transport,  // connection broken mid-answer, body shorter than announced
    status,     // an HTTP status the caller does not accept (after retries)
    protocol,   // an answer we cannot use (wrong Content-Range, oversize body, ...)
    integrity,  // a range kept failing the caller's integrity check
    cancelled,  // the caller's cancellation check said stop
};

const char* to_string(ErrorKind kind);

// What the TLS layer saw, for messages that tell the user what to pin.
struct TlsDetails {
    bool pin_mismatch = false;  // a pin was set and the certificate did not match it
    std::string seen_sha1;      // "AA:BB:..." of the server certificate, empty before a handshake
    std::string seen_sha256;
};

class Error : public std::runtime_error {
public:
    // `message` is redacted here, whoever built it.
    Error(ErrorKind kind, const std::string& message, long http_status = 0, TlsDetails tls = {});

    ErrorKind kind() const noexcept { return kind_; }
    // The last HTTP status received (0: none), e.g. for ErrorKind::status.
    long http_status() const noexcept { return http_status_; }
    const TlsDetails& tls() const noexcept { return tls_; }
    // Body bytes delivered before the failure (downloads), for "resume from".
    uint64_t delivered() const noexcept { return delivered_; }
    void set_delivered(uint64_t bytes) noexcept { delivered_ = bytes; }

private:
    ErrorKind kind_;
    long http_status_;
    TlsDetails tls_;
    uint64_t delivered_ = 0;
};

}  // namespace hypersdk::http
