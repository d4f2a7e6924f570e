// Downloads the lease's disk device URLs into host sinks, up to `parallel` at
// once, on the kit's transfer pool, whose periodic hook keeps the lease alive
// with HttpNfcLeaseProgress. The calling thread is the only one making SOAP
// calls on the session; workers use their own HTTP transfers.
#pragma once

#include <hypersdk/cxx/plugin.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nfc_lease.hpp"
#include "session.hpp"
#include "vm_config.hpp"

namespace hypersdk::vsphere::plugin {

struct DiskTransfer {
    const DiskInfo* disk = nullptr;
    const LeaseDevice* device = nullptr;
    std::unique_ptr<cxx::Sink> sink;  // opened by the caller; committed by it on success
    uint64_t size = 0;                // bytes in the finished file
};

struct DownloadSettings {
    int parallel = 4;
    std::chrono::milliseconds keepalive{std::chrono::seconds(15)};
};

// Returns when every disk is downloaded completely; throws the first error
// (vsphere::Error(cancelled) when the job was cancelled). Sinks are left open.
void download_disks(Session& session, const MoRef& lease, std::vector<DiskTransfer>& disks,
                    const DownloadSettings& settings, const cxx::Job& job);

}  // namespace hypersdk::vsphere::plugin
