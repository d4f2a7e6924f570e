#include "hypersdk/http/error.hpp"

#include "hypersdk/http/redact.hpp"

namespace hypersdk::http {

const char* to_string(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::config:
            return "config";
        case ErrorKind::connect:
            return "connect";
        case ErrorKind::tls:
            return "tls";
        case ErrorKind::timeout:
            return "timeout";
        case ErrorKind::transport:
            return "transport";
        case ErrorKind::status:
            return "status";
        case ErrorKind::protocol:
            return "protocol";
        case ErrorKind::integrity:
            return "integrity";
        case ErrorKind::cancelled:
            return "cancelled";
    }
    return "unknown";
}

Error::Error(ErrorKind kind, const std::string& message, long http_status, TlsDetails tls)
    : std::runtime_error(redact(message)), kind_(kind), http_status_(http_status), tls_(std::move(tls)) {}

}  // namespace hypersdk::http
