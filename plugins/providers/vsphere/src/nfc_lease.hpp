// Export through an HttpNfcLease: ExportVm, waiting for "ready", keeping it
// alive with progress, and ending it with Complete or Abort.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "session.hpp"
#include "task.hpp"

namespace hypersdk::vsphere {

enum class LeaseState { initializing, ready, done, error, unknown };
const char* to_string(LeaseState state);

struct LeaseDevice {
    std::string key;  // the VirtualDisk device key, or "/vm/Controller:unit"
    std::string import_key;
    std::string url;             // may have '*' for the host: see resolve_device_url()
    std::string ssl_thumbprint;  // of the host serving url, when it differs
    std::string target_id;       // the file name the server suggests
    bool disk = false;
    uint64_t file_size = 0;  // 0 when the server does not know
};

struct LeaseInfo {
    MoRef lease;
    MoRef entity;
    std::vector<LeaseDevice> devices;
    uint64_t total_disk_capacity_kb = 0;
    int32_t timeout_seconds = 0;  // the lease dies without progress for this long
};

struct LeaseStatus {
    LeaseState state = LeaseState::unknown;
    std::string error;  // for state error: fault type and message
};

// ExportVm. A VM that is not powered off: Error(invalid_state) saying so.
MoRef export_vm(Session& session, const MoRef& vm);

// The lease's state and, in state error, its fault ("RequestCanceled: ...").
LeaseStatus lease_status(Session& session, const MoRef& lease);

// Polls until "ready" and returns its info. Error(fault) when the lease fails,
// Error(timeout) after `limit`, Error(cancelled) when `cancelled` says so.
LeaseInfo wait_for_lease_ready(Session& session, const MoRef& lease, std::chrono::milliseconds limit,
                               const CancelCheck& cancelled = {});

void lease_progress(Session& session, const MoRef& lease, int32_t percent);
void lease_complete(Session& session, const MoRef& lease);
void lease_abort(Session& session, const MoRef& lease);

}  // namespace hypersdk::vsphere
