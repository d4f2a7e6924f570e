#include "disk_downloads.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>

#include "errors.hpp"
#include "nfc_download.hpp"

namespace hypersdk::vsphere::plugin {
namespace {

// Shared between the workers and the keep-alive loop.
struct Progress {
    explicit Progress(std::vector<DiskTransfer>& disks) : done(disks.size()), total(disks.size()) {
        for (size_t i = 0; i < disks.size(); ++i) total[i] = disks[i].device->file_size;
    }
    std::vector<std::atomic<uint64_t>> done;
    std::vector<std::atomic<uint64_t>> total;

    uint64_t sum_done() const {
        uint64_t s = 0;
        for (const auto& d : done) s += d.load();
        return s;
    }
    uint64_t sum_total() const {
        uint64_t s = 0;
        for (const auto& t : total) {
            if (t.load() == 0) return 0;  // one size unknown: the total is unknown
            s += t.load();
        }
        return s;
    }
};

void download_one(Session& session, DiskTransfer& disk, size_t index, Progress& progress, const cxx::Job& job,
                  const std::atomic<bool>& stop) {
    cxx::Sink& sink = *disk.sink;
    const uint64_t offset = sink.offset();
    progress.done[index] = offset;
    DownloadCallbacks cb;
    cb.on_data = [&](const char* data, size_t n) { sink.write(data, n); };
    cb.on_restart = [&] {
        sink.rewind();
        progress.done[index] = 0;
    };
    cb.on_progress = [&](uint64_t position, uint64_t total) {
        progress.done[index] = position;
        if (total != 0) progress.total[index] = total;
        job.progress(progress.sum_done(), progress.sum_total());
    };
    cb.is_cancelled = [&] { return stop.load() || job.cancelled(); };
    const DownloadResult r = download_device(session, *disk.device, offset, cb);
    const uint64_t end = r.start_offset + r.bytes;
    // 416 on a resume means the .part file already holds everything.
    const uint64_t size = r.status == 416 ? offset : end;
    if (r.total != 0 && size != r.total)
        throw Error(ErrorKind::transport, disk.disk->id + ": the server sent " + std::to_string(size) +
                                              " of " + std::to_string(r.total) + " bytes");
    disk.size = size;
    progress.done[index] = size;
    progress.total[index] = size;
}

}  // namespace

void download_disks(Session& session, const MoRef& lease, std::vector<DiskTransfer>& disks,
                    const DownloadSettings& settings, const cxx::Job& job) {
    Progress progress(disks);
    std::atomic<size_t> next{0};
    std::atomic<bool> stop{false};
    std::mutex mutex;
    std::condition_variable finished_cv;
    size_t finished_workers = 0;
    std::exception_ptr first_error;

    const size_t workers =
        std::min<size_t>(disks.size(), static_cast<size_t>(std::max(1, settings.parallel)));
    std::vector<std::thread> threads;
    threads.reserve(workers);
    for (size_t w = 0; w < workers; ++w) {
        threads.emplace_back([&] {
            for (size_t i = next++; i < disks.size() && !stop; i = next++) {
                try {
                    download_one(session, disks[i], i, progress, job, stop);
                } catch (...) {
                    std::lock_guard lock(mutex);
                    // The first failure is the cause; the others only saw `stop`.
                    if (!first_error) first_error = std::current_exception();
                    stop = true;
                }
            }
            std::lock_guard lock(mutex);
            ++finished_workers;
            finished_cv.notify_all();
        });
    }

    // Keep-alive loop: without HttpNfcLeaseProgress the server drops a lease
    // after its timeout (5 min on vCenter), killing long downloads.
    auto next_keepalive = std::chrono::steady_clock::now() + settings.keepalive;
    std::unique_lock lock(mutex);
    while (finished_workers < workers) {
        const auto wake =
            std::min(next_keepalive, std::chrono::steady_clock::now() + std::chrono::milliseconds(200));
        finished_cv.wait_until(lock, wake);
        if (finished_workers >= workers) break;
        if (job.cancelled()) stop = true;
        if (std::chrono::steady_clock::now() < next_keepalive || stop) continue;
        lock.unlock();
        const uint64_t total = progress.sum_total();
        const int32_t percent =
            total == 0 ? 0 : static_cast<int32_t>(std::min<uint64_t>(99, progress.sum_done() * 100 / total));
        try {
            lease_progress(session, lease, percent);
            cxx::log(HYPERSDK_LOG_DEBUG, "export lease " + lease.value + " keep-alive: progress " +
                                             std::to_string(percent) + "%");
        } catch (const std::exception& e) {
            // Not fatal by itself: if the lease is gone, the downloads fail and say so.
            job.warning("export", std::string("keeping the export lease alive failed: ") + e.what());
        }
        next_keepalive = std::chrono::steady_clock::now() + settings.keepalive;
        lock.lock();
    }
    lock.unlock();
    for (auto& t : threads) t.join();
    if (first_error) std::rethrow_exception(first_error);
    if (job.cancelled()) throw Error(ErrorKind::cancelled, "cancelled");
    job.progress(progress.sum_done(), progress.sum_total());
}

}  // namespace hypersdk::vsphere::plugin
