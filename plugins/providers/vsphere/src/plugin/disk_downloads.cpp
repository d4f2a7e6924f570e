#include "disk_downloads.hpp"

#include <hypersdk/provider/transfer_pool.hpp>
#include <hypersdk/provider/transfer_progress.hpp>

#include "errors.hpp"
#include "nfc_download.hpp"

namespace hypersdk::vsphere::plugin {
namespace {

void download_one(Session& session, DiskTransfer& disk, size_t index, provider::TransferProgress& progress,
                  const cxx::Job& job, const provider::StopSignal& stop) {
    cxx::Sink& sink = *disk.sink;
    const uint64_t offset = sink.offset();
    progress.set_done(index, offset);
    DownloadCallbacks cb;
    cb.on_data = [&](const char* data, size_t n) { sink.write(data, n); };
    cb.on_restart = [&] {
        sink.rewind();
        progress.set_done(index, 0);
    };
    cb.on_progress = [&](uint64_t position, uint64_t total) {
        progress.set_done(index, position);
        if (total != 0) progress.set_total(index, total);
        job.progress(progress.done(), progress.total());
    };
    cb.is_cancelled = [&] { return stop(); };
    const DownloadResult r = download_device(session, *disk.device, offset, cb);
    const uint64_t end = r.start_offset + r.bytes;
    // 416 on a resume means the .part file already holds everything.
    const uint64_t size = r.status == 416 ? offset : end;
    if (r.total != 0 && size != r.total)
        throw Error(ErrorKind::transport, disk.disk->id + ": the server sent " + std::to_string(size) +
                                              " of " + std::to_string(r.total) + " bytes");
    disk.size = size;
    progress.set_done(index, size);
    progress.set_total(index, size);
}

}  // namespace

void download_disks(Session& session, const MoRef& lease, std::vector<DiskTransfer>& disks,
                    const DownloadSettings& settings, const cxx::Job& job) {
    provider::TransferProgress progress(disks.size());
    for (size_t i = 0; i < disks.size(); ++i) progress.set_total(i, disks[i].device->file_size);

    // Without HttpNfcLeaseProgress the server drops a lease after its timeout
    // (5 min on vCenter), killing long downloads.
    const auto keep_lease_alive = [&] {
        const int32_t percent = progress.percent(99);
        try {
            lease_progress(session, lease, percent);
            cxx::log(HYPERSDK_LOG_DEBUG, "export lease " + lease.value + " keep-alive: progress " +
                                             std::to_string(percent) + "%");
        } catch (const std::exception& e) {
            // Not fatal by itself: if the lease is gone, the downloads fail and say so.
            job.warning("export", std::string("keeping the export lease alive failed: ") + e.what());
        }
    };
    provider::TransferPoolOptions pool;
    pool.workers = settings.parallel;
    pool.period = settings.keepalive;
    try {
        provider::run_transfers(
            disks.size(),
            [&](size_t i, const provider::StopSignal& stop) {
                download_one(session, disks[i], i, progress, job, stop);
            },
            [&job] { return job.cancelled(); }, pool, keep_lease_alive);
    } catch (const provider::Error& e) {
        // The pool's own "cancelled" is the kit's type; callers of this client code expect the client's.
        if (e.kind() == provider::ErrorKind::cancelled && dynamic_cast<const Error*>(&e) == nullptr)
            throw Error(ErrorKind::cancelled, "cancelled");
        throw;
    }
    job.progress(progress.done(), progress.total());
}

}  // namespace hypersdk::vsphere::plugin
