// The plugin boundary of a provider's C entry points: runs a call and turns
// every exception into a hypersdk status plus the job error message, by the
// one mapping of error.hpp. No exception crosses the ABI.
#pragma once

#include <hypersdk/cxx/plugin.hpp>

#include <exception>

#include "hypersdk/provider/error.hpp"

namespace hypersdk::provider {

template <typename Fn>
int32_t run_entry(hypersdk_job* job, Fn&& fn) noexcept {
    try {
        fn();
        return HYPERSDK_OK;
    } catch (...) {
        try {
            const BoundaryError e = boundary_error(std::current_exception());
            cxx::Job(job).error(e.status, e.message);
            return e.status;
        } catch (...) {
            return HYPERSDK_ERR_INTERNAL;  // out of memory while reporting
        }
    }
}

}  // namespace hypersdk::provider
