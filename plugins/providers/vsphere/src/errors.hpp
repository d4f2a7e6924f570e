// The one exception type of the vSphere client: a provider::Error (the kit's,
// whose kind gives the hypersdk status at the plugin boundary) that also
// keeps the client's finer kind and the SOAP fault type. Messages name the
// input that was wrong and what to do; they never contain a password, cookie
// or session key.
#pragma once

#include <hypersdk/provider/error.hpp>

#include <string>

namespace hypersdk::vsphere {

enum class ErrorKind {
    config,         // bad configuration value (URL, GOVC_INSECURE, thumbprint)
    transport,      // connection, DNS, timeout, HTTP status
    tls,            // certificate not trusted / thumbprint mismatch
    auth,           // InvalidLogin, NotAuthenticated
    fault,          // any other SOAP fault
    not_found,      // VM, datacenter or lease not found
    invalid_state,  // e.g. VM powered on, lease not ready
    cancelled,      // the caller's cancel check said stop
    timeout,        // a bounded wait ran out
    protocol,       // a response we could not understand
};

// The kit's kind (and so the status) for each client kind.
constexpr provider::ErrorKind provider_kind(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::config:
            return provider::ErrorKind::config;
        case ErrorKind::transport:
        case ErrorKind::protocol:
            return provider::ErrorKind::network;
        case ErrorKind::tls:
            return provider::ErrorKind::tls;
        case ErrorKind::auth:
            return provider::ErrorKind::auth;
        case ErrorKind::fault:
            return provider::ErrorKind::remote;
        case ErrorKind::not_found:
            return provider::ErrorKind::not_found;
        case ErrorKind::invalid_state:
            return provider::ErrorKind::state;
        case ErrorKind::cancelled:
            return provider::ErrorKind::cancelled;
        case ErrorKind::timeout:
            return provider::ErrorKind::timeout;
    }
    return provider::ErrorKind::internal;
}

class Error : public provider::Error {
public:
    Error(ErrorKind kind, const std::string& message, std::string fault_type = {})
        : provider::Error(provider_kind(kind), message), kind_(kind), fault_type_(std::move(fault_type)) {}
    // The client's kind (hides provider::Error::kind(), which a handler of
    // provider::Error still gets: the kit's kind).
    ErrorKind kind() const { return kind_; }
    // The vSphere fault type ("InvalidLogin", "InvalidPowerState") for faults.
    const std::string& fault_type() const { return fault_type_; }

private:
    ErrorKind kind_;
    std::string fault_type_;
};

}  // namespace hypersdk::vsphere
