#include "errors.hpp"

#include <hypersdk/http/redact.hpp>

namespace hypersdk::azure {

Error::Error(ErrorKind kind, const std::string& message)
    : std::runtime_error(http::redact(message)), kind_(kind) {}

Error from_http(const http::Error& error) {
    switch (error.kind()) {
        case http::ErrorKind::config:
            return Error(ErrorKind::config, error.what());
        case http::ErrorKind::cancelled:
            return Error(ErrorKind::cancelled, error.what());
        case http::ErrorKind::timeout:
            return Error(ErrorKind::timeout, error.what());
        case http::ErrorKind::protocol:
            return Error(ErrorKind::protocol, error.what());
        case http::ErrorKind::integrity:
            return Error(ErrorKind::integrity, error.what());
        case http::ErrorKind::status: {
            const long status = error.http_status();
            if (status == 401 || status == 403) return Error(ErrorKind::auth, error.what());
            if (status == 404) return Error(ErrorKind::not_found, error.what());
            if (status == 409) return Error(ErrorKind::state, error.what());
            if (status == 429) return Error(ErrorKind::throttled, error.what());
            return Error(ErrorKind::remote, error.what());
        }
        case http::ErrorKind::connect:
        case http::ErrorKind::tls:
        case http::ErrorKind::transport:
            break;
    }
    return Error(ErrorKind::network, error.what());
}

}  // namespace hypersdk::azure
