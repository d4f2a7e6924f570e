// Reads the snapshots of one ebs-direct export into host sinks, several disks
// at once on the kit's transfer pool (hypersdk/provider/transfer_pool.hpp),
// each disk's blocks in parallel through the EBS direct reader. The caller
// opens the sinks and commits them once every disk is read; a failure or a
// cancellation stops the other disks and leaves every sink uncommitted (the
// host keeps the .part files), and the caller's SnapshotCleanup removes the
// snapshots.
#pragma once

#include <hypersdk/cxx/plugin.hpp>
#include <hypersdk/http/host_sink.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ebs.hpp"

namespace hypersdk::aws::plugin {

struct SnapshotRead {
    std::string snapshot_id;
    std::string volume_id;
    uint64_t size = 0;                     // the volume's bytes: the snapshot must list exactly this
    std::unique_ptr<http::HostSink> sink;  // opened by the caller; committed by it on success
};

// How many disks at once and how many blocks each: --parallel N reads up to N
// disks at once with 4 x N blocks in flight in all, at least 4 and at most 64
// per disk.
struct ReadConcurrency {
    int disks = 1;
    int blocks_per_disk = 4;
};
ReadConcurrency read_concurrency(int parallel, size_t disk_count);

// Returns when every snapshot is in its sink; throws aws::Error (the first
// failure; ErrorKind::cancelled when the job was cancelled).
void read_snapshots(Ebs& ebs, std::vector<SnapshotRead>& reads, int parallel, const cxx::Job& job);

}  // namespace hypersdk::aws::plugin
