#include "snapshot_reads.hpp"

#include <hypersdk/provider/error.hpp>
#include <hypersdk/provider/transfer_pool.hpp>
#include <hypersdk/provider/transfer_progress.hpp>

#include <algorithm>

namespace hypersdk::aws::plugin {
namespace {

namespace pk = hypersdk::provider;

void read_one(Ebs& ebs, SnapshotRead& read, size_t index, int blocks_in_flight,
              pk::TransferProgress& progress, const cxx::Job& job, const pk::StopSignal& stop) {
    const auto blocks = ebs.list_snapshot_blocks(read.snapshot_id);
    if (blocks.volume_size_bytes != read.size)
        throw Error(ErrorKind::service, "snapshot " + read.snapshot_id + " is " +
                                            std::to_string(blocks.volume_size_bytes) + " bytes but volume " +
                                            read.volume_id + " is " + std::to_string(read.size));
    cxx::log(HYPERSDK_LOG_INFO, "reading " + read.snapshot_id + " (" + read.volume_id + ", " +
                                    std::to_string(blocks.blocks.size()) + " allocated blocks of " +
                                    std::to_string(read.size / std::max<uint64_t>(blocks.block_size, 1)) +
                                    ")");
    BlockDownloadOptions o;
    o.workers = blocks_in_flight;
    o.progress = [&](uint64_t done, uint64_t) {
        progress.set_done(index, done);
        job.progress(progress.done(), progress.total());
    };
    o.is_cancelled = [&stop] { return stop(); };
    const auto r = ebs.download(read.snapshot_id, blocks, *read.sink, o);
    progress.set_done(index, read.size);
    cxx::log(HYPERSDK_LOG_DEBUG, read.snapshot_id + ": " + std::to_string(r.bytes_fetched) +
                                     " bytes fetched, " + std::to_string(r.zero_bytes) + " bytes of holes, " +
                                     std::to_string(r.integrity_failures) + " blocks fetched again");
}

}  // namespace

ReadConcurrency read_concurrency(int parallel, size_t disk_count) {
    const int n = std::max(1, parallel);
    ReadConcurrency c;
    c.disks = static_cast<int>(std::clamp<size_t>(disk_count, 1, static_cast<size_t>(n)));
    c.blocks_per_disk = std::clamp(n * 4 / c.disks, 4, 64);
    return c;
}

void read_snapshots(Ebs& ebs, std::vector<SnapshotRead>& reads, int parallel, const cxx::Job& job) {
    const ReadConcurrency concurrency = read_concurrency(parallel, reads.size());
    pk::TransferProgress progress(reads.size());
    for (size_t i = 0; i < reads.size(); ++i) progress.set_total(i, reads[i].size);
    pk::TransferPoolOptions pool;
    pool.workers = concurrency.disks;
    try {
        pk::run_transfers(
            reads.size(),
            [&](size_t i, const pk::StopSignal& stop) {
                read_one(ebs, reads[i], i, concurrency.blocks_per_disk, progress, job, stop);
            },
            [&job] { return job.cancelled(); }, pool);
    } catch (const pk::Error& e) {
        // The pool's own "cancelled" is the kit's type; the export's cleanup expects the client's.
        if (e.kind() == pk::ErrorKind::cancelled) throw Error(ErrorKind::cancelled, "cancelled");
        throw;
    }
    job.progress(progress.done(), progress.total());
}

}  // namespace hypersdk::aws::plugin
