#include "cleanup.hpp"

#include <algorithm>

#include "errors.hpp"

namespace hypersdk::azure::plugin {

Cleanup::Cleanup(Session& session, const cxx::Job& job, bool keep_snapshots)
    : session_(session), job_(job), keep_snapshots_(keep_snapshots) {}

Cleanup::~Cleanup() {
    try {
        run();
    } catch (...) {
        // run() reports each failure as a warning; nothing may escape a destructor.
    }
}

void Cleanup::snapshot_created(const std::string& snapshot_id) {
    std::lock_guard lock(mutex_);
    snapshots_.push_back(snapshot_id);
}

void Cleanup::access_granted(const std::string& resource_id) {
    std::lock_guard lock(mutex_);
    if (std::find(grants_.begin(), grants_.end(), resource_id) == grants_.end())
        grants_.push_back(resource_id);
}

void Cleanup::revoke_one(const std::string& resource_id) {
    try {
        session_.compute().revoke_access(resource_id, session_.lro("endGetAccess on " + resource_id));
        cxx::log(HYPERSDK_LOG_DEBUG, "read access revoked on " + resource_id);
    } catch (const std::exception& e) {
        job_.warning("cleanup", "could not revoke the read SAS of " + resource_id + " (" + e.what() +
                                    "); it expires by itself, or run: az disk revoke-access / az snapshot "
                                    "revoke-access --ids " +
                                    resource_id);
    }
}

void Cleanup::revoke(const std::string& resource_id) {
    {
        std::lock_guard lock(mutex_);
        const auto it = std::find(grants_.begin(), grants_.end(), resource_id);
        if (it == grants_.end()) return;
        grants_.erase(it);
    }
    revoke_one(resource_id);
}

// The next grant to revoke, in the order granted ("" when none is left).
std::string Cleanup::take_grant() {
    std::lock_guard lock(mutex_);
    if (grants_.empty()) return {};
    std::string id = grants_.front();
    grants_.erase(grants_.begin());
    return id;
}

// The next snapshot to delete, newest first ("" when none is left); with
// --keep-snapshots every snapshot moves to the kept list instead.
std::string Cleanup::take_snapshot() {
    std::lock_guard lock(mutex_);
    if (keep_snapshots_) {
        kept_.insert(kept_.end(), snapshots_.rbegin(), snapshots_.rend());
        snapshots_.clear();
    }
    if (snapshots_.empty()) return {};
    std::string id = snapshots_.back();
    snapshots_.pop_back();
    return id;
}

void Cleanup::run() {
    for (std::string id = take_grant(); !id.empty(); id = take_grant()) revoke_one(id);
    for (std::string id = take_snapshot(); !id.empty(); id = take_snapshot()) {
        try {
            session_.compute().delete_snapshot(id, session_.lro("deleting snapshot " + id));
            cxx::log(HYPERSDK_LOG_INFO, "deleted snapshot " + id);
        } catch (const Error& e) {
            if (e.kind() == ErrorKind::not_found) continue;  // never created, or already gone
            job_.warning("cleanup", "could not delete snapshot " + id + " (" + e.what() +
                                        "); delete it with: az snapshot delete --ids " + id);
        } catch (const std::exception& e) {
            job_.warning("cleanup", "could not delete snapshot " + id + " (" + e.what() +
                                        "); delete it with: az snapshot delete --ids " + id);
        }
    }
}

std::vector<std::string> Cleanup::kept_snapshots() const {
    std::lock_guard lock(mutex_);
    return kept_;
}

}  // namespace hypersdk::azure::plugin
