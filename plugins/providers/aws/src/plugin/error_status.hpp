// The plugin boundary: runs a call under cxx::guard after turning the
// client's aws::Error into the matching hypersdk status. Client messages
// never hold a secret (bodies are decoded to code and message; the
// transport redacts), so they pass through unchanged.
#pragma once

#include <hypersdk/cxx/plugin.hpp>

#include "errors.hpp"

namespace hypersdk::aws::plugin {

inline int32_t status_for(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::config:
            return HYPERSDK_ERR_INVALID_ARGUMENT;
        case ErrorKind::credentials:
        case ErrorKind::permission:
            return HYPERSDK_ERR_AUTH;
        case ErrorKind::not_found:
            return HYPERSDK_ERR_NOT_FOUND;
        case ErrorKind::invalid_state:
            return HYPERSDK_ERR_STATE;
        case ErrorKind::network:
        case ErrorKind::integrity:
            return HYPERSDK_ERR_NETWORK;
        case ErrorKind::timeout:
            return HYPERSDK_ERR_TIMEOUT;
        case ErrorKind::cancelled:
            return HYPERSDK_ERR_CANCELLED;
        case ErrorKind::service:
            break;
    }
    return HYPERSDK_ERR_GENERIC;
}

template <typename Fn>
int32_t run_entry(hypersdk_job* job, Fn&& fn) noexcept {
    return cxx::guard(job, [&] {
        try {
            fn();
        } catch (const Error& e) {
            throw cxx::Error(status_for(e.kind()), e.what());
        } catch (const http::Error& e) {
            throw cxx::Error(
                e.kind() == http::ErrorKind::cancelled ? HYPERSDK_ERR_CANCELLED : HYPERSDK_ERR_NETWORK,
                e.what());
        }
    });
}

}  // namespace hypersdk::aws::plugin
