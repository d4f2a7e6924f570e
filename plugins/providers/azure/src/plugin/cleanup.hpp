// What an export created or opened in Azure, undone however the export ends
// (success, failure, Ctrl-C): read access revoked (endGetAccess) on every
// disk or snapshot it was granted on, in the order granted, then the
// snapshots it created deleted, newest first, unless --keep-snapshots.
// Thread-safe: a disk's worker revokes its own grant when it is done. Cleanup runs without
// the job's cancellation (a Ctrl-C must not stop it), bounded by the
// operation timeout; a step that fails is a job warning naming what is left
// behind and how to remove it, and the other steps still run.
#pragma once

#include <hypersdk/cxx/plugin.hpp>

#include <mutex>
#include <string>
#include <vector>

#include "session.hpp"

namespace hypersdk::azure::plugin {

class Cleanup {
public:
    Cleanup(Session& session, const cxx::Job& job, bool keep_snapshots);
    ~Cleanup();
    Cleanup(const Cleanup&) = delete;
    Cleanup& operator=(const Cleanup&) = delete;

    // Record before the call that may create it, so a call that fails
    // halfway is still undone.
    void snapshot_created(const std::string& snapshot_id);
    void access_granted(const std::string& resource_id);
    // Undo the grant now (a disk done); removes it from the list.
    void revoke(const std::string& resource_id);
    // Undo everything now (also done by the destructor).
    void run();

    std::vector<std::string> kept_snapshots() const;

private:
    void revoke_one(const std::string& resource_id);
    std::string take_grant();
    std::string take_snapshot();

    Session& session_;
    cxx::Job job_;
    bool keep_snapshots_;
    mutable std::mutex mutex_;  // the lists; never held during an ARM call
    std::vector<std::string> snapshots_;
    std::vector<std::string> grants_;
    std::vector<std::string> kept_;
};

}  // namespace hypersdk::azure::plugin
