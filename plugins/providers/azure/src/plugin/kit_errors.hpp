// The Azure client's errors as the provider kit's, so the kit's one mapping
// (hypersdk/provider/error.hpp) gives the status: runs `fn` and rethrows
// azure::Error as provider::Error with the same message (client messages
// have been through redact() and never hold a secret, token or SAS).
// Transport errors (http::Error) pass through: the kit maps them itself.
#pragma once

#include <hypersdk/provider/error.hpp>

#include <utility>

#include "errors.hpp"

namespace hypersdk::azure::plugin {

inline provider::ErrorKind kit_kind(ErrorKind kind) {
    using PK = provider::ErrorKind;
    switch (kind) {
        case ErrorKind::config:
            return PK::config;
        case ErrorKind::auth:
            return PK::auth;
        case ErrorKind::not_found:
            return PK::not_found;
        case ErrorKind::state:
            return PK::state;
        case ErrorKind::throttled:
            return PK::throttled;
        case ErrorKind::network:
        case ErrorKind::protocol:
        case ErrorKind::integrity:
            return PK::network;
        case ErrorKind::timeout:
            return PK::timeout;
        case ErrorKind::cancelled:
            return PK::cancelled;
        case ErrorKind::remote:
            break;
    }
    return PK::remote;
}

template <typename Fn>
auto with_kit_errors(Fn&& fn) -> decltype(fn()) {
    return provider::with_kit_errors<Error>(kit_kind, std::forward<Fn>(fn));
}

}  // namespace hypersdk::azure::plugin
