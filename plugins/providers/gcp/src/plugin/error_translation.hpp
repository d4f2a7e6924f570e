// The GCP client's errors as the provider kit's, so the kit's one mapping
// gives the status: runs `fn` and rethrows gcp::Error as provider::Error
// (messages unchanged: they never hold a token or key). Transport errors
// (http::Error) pass through: the kit maps them itself.
#pragma once

#include <hypersdk/provider/error.hpp>

#include <utility>

#include "errors.hpp"

namespace hypersdk::gcp::plugin {

inline provider::ErrorKind provider_kind(ErrorKind kind) {
    using PK = provider::ErrorKind;
    switch (kind) {
        case ErrorKind::config:
            return PK::config;
        case ErrorKind::auth:
            return PK::auth;
        case ErrorKind::not_found:
            return PK::not_found;
        case ErrorKind::invalid_state:
        case ErrorKind::operation:
            return PK::state;
        case ErrorKind::protocol:
            return PK::network;
        case ErrorKind::cancelled:
            return PK::cancelled;
        case ErrorKind::timeout:
            return PK::timeout;
        case ErrorKind::api:
        case ErrorKind::archive:
            return PK::remote;
    }
    return PK::internal;
}

template <typename Fn>
auto translate_errors(Fn&& fn) -> decltype(fn()) {
    return provider::with_kit_errors<Error>(provider_kind, std::forward<Fn>(fn));
}

}  // namespace hypersdk::gcp::plugin
