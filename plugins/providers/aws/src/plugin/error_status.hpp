// The client's aws::Error as the provider kit's Error (one status mapping
// for every provider, hypersdk/provider/error.hpp). Client messages never
// hold a secret (bodies are decoded to code and message; the transport
// redacts), so they pass through unchanged.
#pragma once

#include <hypersdk/provider/error.hpp>

#include <utility>

#include "errors.hpp"

namespace hypersdk::aws::plugin {

inline provider::ErrorKind kit_kind(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::config:
            return provider::ErrorKind::config;
        case ErrorKind::credentials:
        case ErrorKind::permission:
            return provider::ErrorKind::auth;
        case ErrorKind::not_found:
            return provider::ErrorKind::not_found;
        case ErrorKind::invalid_state:
            return provider::ErrorKind::state;
        case ErrorKind::network:
        case ErrorKind::integrity:
            return provider::ErrorKind::network;
        case ErrorKind::timeout:
            return provider::ErrorKind::timeout;
        case ErrorKind::cancelled:
            return provider::ErrorKind::cancelled;
        case ErrorKind::service:
            break;
    }
    return provider::ErrorKind::remote;
}

// Runs fn; an aws::Error leaves as provider::Error (the kit's run_entry maps the rest).
template <typename Fn>
auto with_kit_errors(Fn&& fn) -> decltype(fn()) {
    return provider::with_kit_errors<Error>(kit_kind, std::forward<Fn>(fn));
}

}  // namespace hypersdk::aws::plugin
