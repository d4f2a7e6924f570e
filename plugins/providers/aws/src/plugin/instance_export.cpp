#include "instance_export.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <hypersdk/http/host_log.hpp>
#include <hypersdk/http/host_sink.hpp>
#include <hypersdk/provider/error.hpp>

#include <algorithm>
#include <ctime>

#include "cleanup.hpp"
#include "instance_documents.hpp"
#include "inventory.hpp"
#include "snapshot_reads.hpp"
#include "waits.hpp"

namespace hypersdk::aws::plugin {
namespace {

namespace pk = hypersdk::provider;

constexpr uint64_t kGiB = 1ull << 30;

std::string disk_artifact(const std::string& id, const std::string& file_name, const std::string& format,
                          uint64_t exact_bytes, const std::string& source_key) {
    rapidjson::StringBuffer out;
    rapidjson::Writer<rapidjson::StringBuffer> w(out);
    w.StartObject();
    w.Key("kind");
    w.String("disk");
    w.Key("id");
    w.String(id.c_str());
    w.Key("file_name");
    w.String(file_name.c_str(), static_cast<rapidjson::SizeType>(file_name.size()));
    w.Key("format");
    w.String(format.c_str());
    w.Key("expected_bytes");
    w.Uint64(exact_bytes);
    w.Key("exact_bytes");
    w.Uint64(exact_bytes);
    w.Key("source_key");
    w.String(source_key.c_str(), static_cast<rapidjson::SizeType>(source_key.size()));
    w.EndObject();
    return out.GetString();
}

// Logs a wait's status line when it changes (the host shows info lines).
WaitOptions wait_options(const AwsSession& session, const cxx::Job& job) {
    WaitOptions w;
    w.poll = session.settings.poll;
    w.is_cancelled = [job] { return job.cancelled(); };
    auto last = std::make_shared<std::string>();
    w.progress = [last](const std::string& status, double) {
        if (status == *last) return;
        *last = status;
        cxx::log(HYPERSDK_LOG_INFO, status);
    };
    return w;
}

std::string utc_stamp() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &tm);
    return text;
}

// Stops the instance when asked, or says what to do. Returns whether the export stopped it.
bool stop_if_asked(AwsSession& session, InstanceDetails& d, bool power_off, bool running_allowed,
                   const cxx::Job& job) {
    if (d.instance.state == "stopped") return false;
    if (!power_off) {
        if (running_allowed && d.instance.state == "running") return false;
        throw pk::Error(
            pk::ErrorKind::state,
            "instance " + d.instance.id + " is " + d.instance.state +
                (running_allowed ? "" : "; --aws-method export-task exports stopped instances only") +
                ": pass --power-off to stop it for the export, or stop it first");
    }
    cxx::log(HYPERSDK_LOG_INFO, "stopping instance " + d.instance.id + " for the export");
    session.ec2.stop_instance(d.instance.id);
    d.instance = wait_for_instance_state(session.ec2, d.instance.id, "stopped", wait_options(session, job));
    return true;
}

[[noreturn]] void rethrow_cancelled(const Error& e, const std::string& instance, const std::string& cleaned) {
    if (e.kind() != ErrorKind::cancelled) throw e;
    // A new run takes new snapshots (or a new export task): its source_key differs, so the host starts over.
    throw pk::Error(pk::ErrorKind::cancelled,
                    "export of instance " + instance + " cancelled; " + cleaned +
                        "; a new run reads new snapshots (or a new export) and starts the "
                        "disks over");
}

pk::ExportResult export_ebs_direct(AwsSession& session, InstanceDetails& d, const ExportOptions& options,
                                   const cxx::Job& job) {
    const std::string& region = session.settings.config.region;
    pk::ExportResult result;
    result.export_method = "ebs-direct";
    result.powered_off_by_export = stop_if_asked(session, d, options.power_off, true, job);
    result.crash_consistent = d.instance.state != "stopped";

    SnapshotCleanup snapshots(session.ec2, session.settings.keep_snapshots);
    const std::string tag = d.instance.id + "/" + utc_stamp();
    std::vector<Snapshot> taken;
    try {
        cxx::log(HYPERSDK_LOG_INFO, "snapshotting the " + std::to_string(d.volumes.size()) +
                                        " volume(s) of " + d.instance.id +
                                        (result.crash_consistent ? " (running: crash-consistent)" : ""));
        taken = session.ec2.create_snapshots(
            d.instance.id, "hypersdk export of " + d.instance.id,
            {{"hypersdk:export", tag}, {"Name", "hypersdk export of " + d.instance.id}});
        snapshots.adopt(taken);
        std::vector<std::string> ids;
        for (const auto& s : taken) ids.push_back(s.id);
        taken = wait_for_snapshots(session.ec2, ids, wait_options(session, job));

        // The sinks are opened here, on the calling thread, and committed once every disk is read.
        std::vector<SnapshotRead> reads;
        const std::string stem = file_stem(d.instance);
        for (size_t n = 0; n < d.volumes.size(); ++n) {
            const auto snapshot = std::find_if(taken.begin(), taken.end(), [&](const Snapshot& s) {
                return s.volume_id == d.volumes[n].id;
            });
            if (snapshot == taken.end())
                throw Error(ErrorKind::service, "CreateSnapshots made no snapshot of volume " +
                                                    d.volumes[n].id + " of " + d.instance.id +
                                                    " (ec2:CreateSnapshots)");
            const uint64_t size = d.volumes[n].size_gib * kGiB;
            const std::string file_name = stem + "-" + disk_id(n) + ".raw";
            SnapshotRead read;
            read.snapshot_id = snapshot->id;
            read.volume_id = d.volumes[n].id;
            read.size = size;
            read.sink = std::make_unique<http::HostSink>(
                job, disk_artifact(disk_id(n), file_name, "raw", size,
                                   "aws:ebs-direct:" + region + ":" + d.instance.id + ":" + d.volumes[n].id +
                                       ":" + snapshot->id + ":" + std::to_string(size)));
            reads.push_back(std::move(read));
            result.files.push_back({"disk", disk_id(n), file_name, "raw", size});
        }
        read_snapshots(session.ebs, reads, options.parallel, job);
        for (auto& read : reads) read.sink->commit();
    } catch (const Error& e) {
        const auto left = snapshots.finish();
        rethrow_cancelled(e, d.instance.id,
                          session.settings.keep_snapshots ? "its snapshots are kept (--keep-snapshots)"
                          : left.empty()                  ? "its snapshots were deleted"
                                         : "some snapshots could not be deleted (see the log)");
    }
    if (result.crash_consistent)
        result.notes.push_back(
            "crash-consistent copy: the disks were read from snapshots of running instance " + d.instance.id +
            " taken together by CreateSnapshots");
    if (session.settings.keep_snapshots) {
        std::string ids;
        for (const auto& id : snapshots.ids()) ids += (ids.empty() ? "" : ", ") + id;
        result.notes.push_back("snapshots kept (--keep-snapshots): " + ids + " (tag hypersdk:export=" + tag +
                               ")");
    } else {
        const auto left = snapshots.finish();
        for (const auto& id : left)
            job.warning("cleanup",
                        "snapshot " + id +
                            " could not be deleted: delete it yourself (tag hypersdk:export=" + tag + ")");
    }
    result.vm = description(d, region, "raw");
    return result;
}

pk::ExportResult export_by_task(AwsSession& session, InstanceDetails& d, const ExportOptions& options,
                                const cxx::Job& job) {
    const Settings& s = session.settings;
    if (d.volumes.size() != 1)
        throw pk::Error(
            pk::ErrorKind::unsupported,
            "instance " + d.instance.id + " has " + std::to_string(d.volumes.size()) +
                " volumes; EC2's export tasks export the root volume only, so its data volumes would be "
                "lost: use --aws-method ebs-direct");
    pk::ExportResult result;
    result.export_method = "export-task";
    result.powered_off_by_export = stop_if_asked(session, d, options.power_off, false, job);

    std::string prefix = s.s3_prefix;
    if (!prefix.empty() && prefix.back() != '/') prefix += '/';
    ExportTaskCleanup cleanup(session.ec2, session.s3, s.keep_intermediate);
    ExportTask task;
    try {
        task = session.ec2.create_instance_export_task(d.instance.id, s.s3_bucket, prefix,
                                                       "hypersdk export of " + d.instance.id);
        cleanup.adopt(task);
        cxx::log(HYPERSDK_LOG_INFO,
                 "export task " + task.id + " writes s3://" + task.s3_bucket + "/" + task.s3_key);
        task = wait_for_export_task(session.ec2, task.id, wait_options(session, job));
        cleanup.completed();
        cleanup.adopt(task);
        const auto info = session.s3.head_object(task.s3_bucket, task.s3_key);
        const std::string file_name = file_stem(d.instance) + "-" + disk_id(0) + ".vmdk";
        http::HostSink sink(
            job, disk_artifact(disk_id(0), file_name, "vmdk", info.size,
                               "aws:export-task:" + s.config.region + ":" + d.instance.id + ":" + task.id +
                                   ":" + info.etag + ":" + std::to_string(info.size)));
        ObjectDownloadOptions o;
        o.workers = std::clamp(options.parallel, 1, 16);
        o.progress = [&](uint64_t done, uint64_t total) { job.progress(done, total); };
        o.is_cancelled = [&job] { return job.cancelled(); };
        session.s3.download(task.s3_bucket, task.s3_key, info, sink, o);
        sink.commit();
        result.files.push_back({"disk", disk_id(0), file_name, "vmdk", info.size});
    } catch (const Error& e) {
        const bool clean = cleanup.finish();
        rethrow_cancelled(
            e, d.instance.id,
            std::string(clean ? "the export task was cancelled" : "the export task could not be cancelled") +
                (s.keep_intermediate ? "" : " and its S3 object removed"));
    }
    if (s.keep_intermediate)
        result.notes.push_back("exported object kept (--keep-intermediate): s3://" + task.s3_bucket + "/" +
                               task.s3_key);
    else if (!cleanup.finish())
        job.warning("cleanup", "s3://" + task.s3_bucket + "/" + task.s3_key +
                                   " could not be deleted: delete it yourself");
    result.vm = description(d, s.config.region, "vmdk");
    return result;
}

}  // namespace

namespace pk = hypersdk::provider;

AwsSession::AwsSession(Settings s)
    : settings(std::move(s)),
      transport([] {
          Transport t;
          t.log = http::host_log();
          return t;
      }()),
      ec2(settings.config, transport),
      ebs(settings.config, transport),
      s3(settings.config, transport) {}

pk::ExportResult export_instance(AwsSession& session, const std::string& reference,
                                 const ExportOptions& options, const cxx::Job& job) {
    const Instance instance = find_instance(session.ec2, reference, session.settings.config.region);
    InstanceDetails d = describe_instance(session.ec2, instance);
    if (d.volumes.empty())
        throw pk::Error(pk::ErrorKind::state, "instance " + d.instance.id + " has no EBS volumes to export");
    if (d.instance.state != "running" && d.instance.state != "stopped" && !options.power_off)
        throw pk::Error(pk::ErrorKind::state, "instance " + d.instance.id + " is " + d.instance.state +
                                                  ": wait until it is running or stopped");
    return session.settings.method == Method::export_task ? export_by_task(session, d, options, job)
                                                          : export_ebs_direct(session, d, options, job);
}

}  // namespace hypersdk::aws::plugin
