// The Azure client's one exception type: what went wrong, in one line that
// names the request or input and says what to do, never a credential
// (messages pass through the transport's redact()). The plugin maps kind()
// to SDK statuses.
#pragma once

#include <hypersdk/http/error.hpp>

#include <stdexcept>
#include <string>

namespace hypersdk::azure {

enum class ErrorKind {
    config,     // a bad or missing setting (the user's input)
    auth,       // credentials refused: Entra ID or ARM said no (401/403)
    not_found,  // the VM, disk, snapshot or resource group does not exist (404)
    state,      // the resource is in the wrong state for this (409, a running VM)
    throttled,  // 429 after the transport's retries
    remote,     // any other ARM or storage error, or a long-running operation that failed
    network,    // connect, TLS, broken transfers
    timeout,    // a stall, or a long-running operation that did not finish in time
    protocol,   // an answer we cannot use
    integrity,  // a range kept failing its Content-MD5
    cancelled,  // the user stopped the job
};

class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, const std::string& message);
    ErrorKind kind() const noexcept { return kind_; }

private:
    ErrorKind kind_;
};

// A transport error as an Azure error (status errors by their HTTP status).
Error from_http(const http::Error& error);

}  // namespace hypersdk::azure
