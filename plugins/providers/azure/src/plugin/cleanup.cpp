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
    snapshots_.push_back(snapshot_id);
}

void Cleanup::access_granted(const std::string& resource_id) {
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
    const auto it = std::find(grants_.begin(), grants_.end(), resource_id);
    if (it == grants_.end()) return;
    grants_.erase(it);
    revoke_one(resource_id);
}

void Cleanup::run() {
    while (!grants_.empty()) {
        const std::string id = grants_.back();
        grants_.pop_back();
        revoke_one(id);
    }
    while (!snapshots_.empty()) {
        const std::string id = snapshots_.back();
        snapshots_.pop_back();
        if (keep_snapshots_) {
            kept_.push_back(id);
            continue;
        }
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
    return kept_;
}

}  // namespace hypersdk::azure::plugin
