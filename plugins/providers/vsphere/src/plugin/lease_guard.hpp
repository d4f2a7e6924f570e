// Ends an export lease exactly once: Complete on success, Abort whenever the
// export leaves early (error, cancellation), so vCenter frees it at once
// instead of waiting for the lease timeout.
#pragma once

#include <hypersdk/cxx/plugin.hpp>

#include "nfc_lease.hpp"

namespace hypersdk::vsphere::plugin {

class LeaseGuard {
public:
    LeaseGuard(Session& session, MoRef lease) : session_(session), lease_(std::move(lease)) {}
    LeaseGuard(const LeaseGuard&) = delete;
    LeaseGuard& operator=(const LeaseGuard&) = delete;
    ~LeaseGuard() {
        if (open_) abort();
    }

    const MoRef& lease() const { return lease_; }

    void complete() {
        open_ = false;
        lease_complete(session_, lease_);
        log_final_state();
    }

    void abort() noexcept {
        open_ = false;
        try {
            lease_abort(session_, lease_);
            log_final_state();
        } catch (const std::exception& e) {
            cxx::log(HYPERSDK_LOG_WARN, "aborting export lease " + lease_.value + " failed: " + e.what());
        }
    }

private:
    // The server's view of the ended lease (vcsim keeps leases private to
    // the session that made them, so only this session can read it).
    void log_final_state() noexcept {
        try {
            const LeaseStatus status = lease_status(session_, lease_);
            cxx::log(HYPERSDK_LOG_DEBUG, "export lease " + lease_.value + " ended in state " +
                                             to_string(status.state) +
                                             (status.error.empty() ? "" : " (" + status.error + ")"));
        } catch (const std::exception& e) {
            cxx::log(HYPERSDK_LOG_DEBUG, "export lease " + lease_.value + " state unknown: " + e.what());
        }
    }

    Session& session_;
    MoRef lease_;
    bool open_ = true;
};

}  // namespace hypersdk::vsphere::plugin
