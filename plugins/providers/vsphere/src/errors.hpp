// The one exception type of the vSphere client. Messages name the input that
// was wrong and what to do; they never contain a password, cookie or session
// key. The plugin boundary turns them into hypersdk error statuses.
#pragma once

#include <stdexcept>
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

class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, const std::string& message, std::string fault_type = {})
        : std::runtime_error(message), kind_(kind), fault_type_(std::move(fault_type)) {}
    ErrorKind kind() const { return kind_; }
    // The vSphere fault type ("InvalidLogin", "InvalidPowerState") for faults.
    const std::string& fault_type() const { return fault_type_; }

private:
    ErrorKind kind_;
    std::string fault_type_;
};

}  // namespace hypersdk::vsphere
