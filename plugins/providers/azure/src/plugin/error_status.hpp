// The plugin boundary: runs a call under cxx::guard after turning the
// client's azure::Error into the matching hypersdk status. Client messages
// have been through redact() and never hold a secret.
#pragma once

#include <hypersdk/cxx/plugin.hpp>

#include "errors.hpp"

namespace hypersdk::azure::plugin {

inline int32_t status_for(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::config:
            return HYPERSDK_ERR_INVALID_ARGUMENT;
        case ErrorKind::auth:
            return HYPERSDK_ERR_AUTH;
        case ErrorKind::not_found:
            return HYPERSDK_ERR_NOT_FOUND;
        case ErrorKind::state:
            return HYPERSDK_ERR_STATE;
        case ErrorKind::network:
        case ErrorKind::protocol:
        case ErrorKind::integrity:
        case ErrorKind::throttled:
            return HYPERSDK_ERR_NETWORK;
        case ErrorKind::timeout:
            return HYPERSDK_ERR_TIMEOUT;
        case ErrorKind::cancelled:
            return HYPERSDK_ERR_CANCELLED;
        case ErrorKind::remote:
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
        }
    });
}

}  // namespace hypersdk::azure::plugin
