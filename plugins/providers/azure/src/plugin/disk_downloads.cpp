#include "disk_downloads.hpp"

#include <hypersdk/http/host_sink.hpp>
#include <hypersdk/provider/error.hpp>
#include <hypersdk/provider/sink_artifact.hpp>
#include <hypersdk/provider/transfer_pool.hpp>
#include <hypersdk/provider/transfer_progress.hpp>

#include <algorithm>
#include <mutex>

#include "errors.hpp"

namespace hypersdk::azure::plugin {
namespace {

// Whether a disk is finished, so the hook never renews (grants again) a SAS
// whose access its worker is revoking.
struct RenewalGuard {
    std::mutex mutex;
    bool finished = false;
};

struct DiskOutcome {
    provider::ExportedFile file;
    int renewals = 0;
    int early_renewals = 0;
};

class DiskDownloader {
public:
    DiskDownloader(Session& session, const DownloadSettings& settings, const cxx::Job& job,
                   provider::TransferProgress& progress, int range_workers)
        : settings_(settings),
          job_(job),
          progress_(progress),
          range_workers_(range_workers),
          client_(session.blob_client_options()) {}

    DiskOutcome download(const DiskTransfer& t, size_t index, const provider::StopSignal& stop) {
        const http::CancelFn stopped = [&stop] { return stop(); };
        const bool raw = settings_.format == "raw";
        PageBlobReader reader(client_, *t.sas);
        const BlobLayout layout = reader.inspect(stopped);
        if (t.disk->capacity_bytes != 0 && layout.footer.current_size != t.disk->capacity_bytes)
            job_.warning("export", "disk " + t.disk->label + " is " + std::to_string(t.disk->capacity_bytes) +
                                       " bytes by ARM but its blob holds " +
                                       std::to_string(layout.footer.current_size));
        const uint64_t bytes = raw ? layout.footer.current_size : layout.blob_size;
        progress_.set_total(index, bytes);

        provider::SinkArtifact artifact;
        artifact.id = t.disk->id;
        artifact.file_name = settings_.file_stem + "-" + t.disk->id + "." + settings_.format;
        artifact.format = settings_.format;
        artifact.expected_bytes = bytes;
        artifact.exact_bytes = bytes;  // the blob's size is known for certain: a short transfer never commits
        artifact.source_key = (t.key_base + ":vhd " + layout.footer.unique_id + ":blob " +
                               std::to_string(layout.blob_size) + ":" + settings_.format)
                                  .substr(0, 4096);
        http::HostSink sink(job_, provider::artifact_json(artifact));

        BlobDownloadOptions o;
        o.workers = range_workers_;
        o.range_size = settings_.range_bytes;
        o.drop_footer = raw;
        o.is_cancelled = stopped;
        o.progress = [this, index](uint64_t done, uint64_t) {
            progress_.set_done(index, done);
            job_.progress(progress_.done(), progress_.total());
        };
        o.log = [](const std::string& line) { cxx::log(HYPERSDK_LOG_INFO, line); };
        const auto r = reader.download(sink, layout, o);
        sink.commit();
        progress_.set_done(index, bytes);
        job_.progress(progress_.done(), progress_.total());
        cxx::log(HYPERSDK_LOG_INFO,
                 "disk " + t.disk->label + ": " + std::to_string(r.page_ranges) + " page ranges, " +
                     std::to_string(r.data_bytes) + " of " + std::to_string(r.blob_size) +
                     " bytes hold data; fetched " + std::to_string(r.bytes_fetched) + " bytes, " +
                     std::to_string(r.md5_verified) + " ranges verified by Content-MD5, SAS renewed " +
                     std::to_string(r.sas_renewals) + " times (" + std::to_string(r.sas_early_renewals) +
                     " ahead of its expiry)" +
                     (r.transfer.resumed_from ? ", resumed at byte " + std::to_string(r.transfer.resumed_from)
                                              : ""));
        return {{"disk", t.disk->id, artifact.file_name, settings_.format, bytes},
                r.sas_renewals,
                r.sas_early_renewals};
    }

private:
    const DownloadSettings& settings_;
    cxx::Job job_;
    provider::TransferProgress& progress_;
    int range_workers_;
    http::Client client_;  // the storage endpoints; thread-safe, shared by the disks
};

// The hook's renewal of one unfinished disk's SAS; a failure is a warning
// (storage's 403 renews it again), a cancellation is left to the pool.
void renew_if_expiring(const DiskTransfer& t, RenewalGuard& guard, const cxx::Job& job) {
    std::lock_guard lock(guard.mutex);
    if (guard.finished || !t.sas->renewable()) return;
    try {
        if (t.sas->renew_if_expiring())
            cxx::log(HYPERSDK_LOG_INFO, "read SAS of disk " + t.disk->label + " renewed ahead of its expiry");
    } catch (const Error& e) {
        if (e.kind() == ErrorKind::cancelled) return;
        job.warning("export", "renewing the read SAS of disk " + t.disk->label +
                                  " ahead of its expiry failed (" + e.what() +
                                  "); it is renewed again if storage refuses it");
    } catch (const std::exception& e) {
        job.warning("export", "renewing the read SAS of disk " + t.disk->label +
                                  " ahead of its expiry failed (" + e.what() +
                                  "); it is renewed again if storage refuses it");
    }
}

}  // namespace

DownloadedDisks download_disks(Session& session, std::vector<DiskTransfer>& disks,
                               const DownloadSettings& settings, const cxx::Job& job,
                               const std::function<void(const DiskTransfer&)>& on_done) {
    const int parallel = std::max(1, settings.parallel);
    const int disks_at_once = static_cast<int>(std::min<size_t>(disks.size(), static_cast<size_t>(parallel)));
    const int range_workers = std::max(1, parallel / std::max(1, disks_at_once));
    provider::TransferProgress progress(disks.size());
    const uint64_t footer = settings.format == "raw" ? 0 : kVhdFooterBytes;
    for (size_t i = 0; i < disks.size(); ++i) progress.set_total(i, disks[i].disk->capacity_bytes + footer);

    DiskDownloader downloader(session, settings, job, progress, range_workers);
    std::vector<DiskOutcome> outcomes(disks.size());
    std::vector<RenewalGuard> guards(disks.size());
    provider::TransferPoolOptions pool;
    pool.workers = disks_at_once;
    pool.period = settings.renewal_check;
    provider::run_transfers(
        disks.size(),
        [&](size_t i, const provider::StopSignal& stop) {
            outcomes[i] = downloader.download(disks[i], i, stop);
            {
                std::lock_guard lock(guards[i].mutex);
                guards[i].finished = true;
            }
            if (on_done) on_done(disks[i]);
        },
        [&job] { return job.cancelled(); }, pool,
        [&] {
            for (size_t i = 0; i < disks.size(); ++i) renew_if_expiring(disks[i], guards[i], job);
        });

    DownloadedDisks out;
    for (auto& o : outcomes) {
        out.files.push_back(std::move(o.file));
        out.sas_renewals += o.renewals;
        out.early_renewals += o.early_renewals;
    }
    return out;
}

}  // namespace hypersdk::azure::plugin
