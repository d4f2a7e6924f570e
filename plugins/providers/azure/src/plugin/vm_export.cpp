#include "vm_export.hpp"

#include <hypersdk/http/host_sink.hpp>

#include <cctype>
#include <chrono>

#include "cleanup.hpp"
#include "errors.hpp"
#include "page_blob.hpp"
#include "url.hpp"
#include "vm_json_writer.hpp"

namespace hypersdk::azure::plugin {
namespace {

struct WrittenFile {
    std::string id, file_name, format;
    uint64_t bytes = 0;
};

// A file name stem from a VM name: Azure allows letters, digits, '-', '_' and
// '.', but a name from a user's --vm may hold anything.
std::string file_stem(const std::string& name) {
    std::string out;
    for (unsigned char c : name)
        out += std::isalnum(c) || c == '-' || c == '_' || c == '.' ? static_cast<char>(c) : '_';
    while (!out.empty() && out.front() == '.') out.erase(0, 1);
    if (out.empty()) out = "vm";
    return out.substr(0, 120);
}

std::string artifact_json(const DiskView& disk, const std::string& file_name, const std::string& format,
                          uint64_t bytes, const std::string& source_key) {
    rapidjson::StringBuffer out;
    JsonWriter w(out);
    w.StartObject();
    key(w, "kind", "disk");
    key(w, "id", disk.id);
    key(w, "file_name", file_name);
    key(w, "format", format);
    w.Key("expected_bytes");
    w.Uint64(bytes);
    // The blob's size is known for certain: a short transfer never commits.
    w.Key("exact_bytes");
    w.Uint64(bytes);
    key(w, "source_key", source_key.substr(0, 4096));
    w.EndObject();
    return out.GetString();
}

struct Transfer {
    const DiskView* disk;
    std::string source;  // the resource the SAS reads (snapshot or disk id), or "" for a user's SAS URL
    std::string key_base;
};

class Exporter {
public:
    Exporter(Session& session, const ExportOptions& options, const cxx::Job& job)
        : session_(session),
          job_(job),
          cancelled_([job] { return job.cancelled(); }),
          blob_client_(session.blob_client_options()) {
        const std::string format =
            session.config().azure_format.empty() ? options.format : session.config().azure_format;
        raw_ = format == "raw";
        format_ = raw_ ? "raw" : "vhd";
        workers_ = options.parallel;
    }

    void plan_total(const std::vector<DiskView>& disks) {
        for (const auto& d : disks) total_ += d.capacity_bytes + (raw_ ? 0 : kVhdFooterBytes);
    }

    // Downloads one disk through `sas` into a new sink and commits it.
    void download(const Transfer& t, SasSource& sas, const std::string& stem) {
        PageBlobReader reader(blob_client_, sas);
        const BlobLayout layout = reader.inspect(cancelled_);
        if (t.disk->capacity_bytes != 0 && layout.footer.current_size != t.disk->capacity_bytes)
            job_.warning("export", "disk " + t.disk->label + " is " + std::to_string(t.disk->capacity_bytes) +
                                       " bytes by ARM but its blob holds " +
                                       std::to_string(layout.footer.current_size));
        const uint64_t bytes = raw_ ? layout.footer.current_size : layout.blob_size;
        const std::string file_name = stem + "-" + t.disk->id + "." + format_;
        const std::string source_key = t.key_base + ":vhd " + layout.footer.unique_id + ":blob " +
                                       std::to_string(layout.blob_size) + ":" + format_;
        http::HostSink sink(job_, artifact_json(*t.disk, file_name, format_, bytes, source_key));
        BlobDownloadOptions o;
        o.workers = workers_;
        o.range_size = session_.config().range_bytes;
        o.drop_footer = raw_;
        o.is_cancelled = cancelled_;
        const uint64_t base = done_;
        o.progress = [this, base](uint64_t done, uint64_t) { job_.progress(base + done, total_); };
        o.log = [](const std::string& line) { cxx::log(HYPERSDK_LOG_INFO, line); };
        const auto r = reader.download(sink, layout, o);
        sink.commit();
        done_ += bytes;
        cxx::log(HYPERSDK_LOG_INFO,
                 "disk " + t.disk->label + ": " + std::to_string(r.page_ranges) + " page ranges, " +
                     std::to_string(r.data_bytes) + " of " + std::to_string(r.blob_size) +
                     " bytes hold data; fetched " + std::to_string(r.bytes_fetched) + " bytes, " +
                     std::to_string(r.md5_verified) + " ranges verified by Content-MD5, SAS renewed " +
                     std::to_string(r.sas_renewals) + " times" +
                     (r.transfer.resumed_from ? ", resumed at byte " + std::to_string(r.transfer.resumed_from)
                                              : ""));
        files_.push_back({t.disk->id, file_name, format_, bytes});
        renewals_ += r.sas_renewals;
    }

    const std::vector<WrittenFile>& files() const { return files_; }
    int renewals() const { return renewals_; }
    const http::CancelFn& cancelled() const { return cancelled_; }

private:
    Session& session_;
    cxx::Job job_;
    http::CancelFn cancelled_;
    http::Client blob_client_;
    bool raw_ = false;
    std::string format_;
    int workers_ = 4;
    uint64_t total_ = 0, done_ = 0;
    std::vector<WrittenFile> files_;
    int renewals_ = 0;
};

std::string result_json(const VmView& view, const std::vector<WrittenFile>& files, bool powered_off,
                        std::optional<bool> crash_consistent, const std::vector<std::string>& notes,
                        const std::string& method) {
    rapidjson::StringBuffer out;
    JsonWriter w(out);
    w.StartObject();
    write_description_members(w, view);
    w.Key("files");
    w.StartArray();
    for (const auto& f : files) {
        w.StartObject();
        key(w, "kind", "disk");
        key(w, "id", f.id);
        key(w, "file_name", f.file_name);
        key(w, "format", f.format);
        w.Key("bytes");
        w.Uint64(f.bytes);
        w.EndObject();
    }
    w.EndArray();
    w.Key("powered_off_by_export");
    w.Bool(powered_off);
    if (crash_consistent) {
        w.Key("crash_consistent");
        w.Bool(*crash_consistent);
    }
    w.Key("notes");
    w.StartArray();
    for (const auto& n : notes) w.String(n.c_str(), static_cast<rapidjson::SizeType>(n.size()));
    w.EndArray();
    key(w, "export_method", method);
    w.EndObject();
    return out.GetString();
}

// Cancellation as the SDK's status, with what was cleaned up.
[[noreturn]] void rethrow_cancelled(const std::string& vm, bool snapshots, bool kept) {
    throw cxx::Error(
        HYPERSDK_ERR_CANCELLED,
        "export of VM " + vm + " cancelled; read access was revoked" +
            (snapshots ? (kept ? " (snapshots kept: --keep-snapshots)" : " and the snapshots deleted") : "") +
            "; partial files are kept for a resume");
}

}  // namespace

std::string snapshot_name(const std::string& disk_name, const std::string& stamp) {
    std::string base;
    for (unsigned char c : disk_name)
        base += std::isalnum(c) || c == '-' || c == '_' || c == '.' ? static_cast<char>(c) : '-';
    while (!base.empty() && !std::isalnum(static_cast<unsigned char>(base.front()))) base.erase(0, 1);
    const std::string suffix = "-hyperexport-" + stamp;
    if (base.empty()) base = "disk";
    return base.substr(0, 80 - suffix.size()) + suffix;
}

VmView describe_sas_urls(Session& session, const std::string& vm_name, const cxx::Job& job) {
    http::Client client(session.blob_client_options());
    VmView view;
    view.from_sas_urls = true;
    view.vm.name = vm_name;
    view.power_state = "unknown";
    for (size_t i = 0; i < session.config().sas_urls.size(); ++i) {
        SasSource sas(session.config().sas_urls[i]);
        PageBlobReader reader(client, sas);
        DiskView d;
        d.id = "disk-" + std::to_string(i);
        d.label = without_query(session.config().sas_urls[i]);
        d.label = d.label.substr(d.label.rfind('/') + 1);
        d.capacity_bytes = reader.inspect([job] { return job.cancelled(); }).footer.current_size;
        d.sas_url = session.config().sas_urls[i];
        view.disks.push_back(std::move(d));
    }
    return view;
}

std::string export_vm_to_sinks(Session& session, const std::string& vm_ref, const ExportOptions& options,
                               const cxx::Job& job) {
    Exporter exporter(session, options, job);
    const PluginConfig& config = session.config();
    std::vector<std::string> notes;

    if (!session.uses_arm()) {
        VmView view = describe_sas_urls(session, vm_ref, job);
        exporter.plan_total(view.disks);
        try {
            for (const auto& d : view.disks) {
                SasSource sas(d.sas_url);  // the user's own SAS: nothing can renew it
                exporter.download({&d, "", "azure-sas:" + without_query(d.sas_url)}, sas, file_stem(vm_ref));
            }
        } catch (const Error& e) {
            if (e.kind() == ErrorKind::cancelled) rethrow_cancelled(vm_ref, false, false);
            throw;
        }
        notes.push_back("disks read from SAS URLs given by the user; the VM was not looked up in Azure");
        return result_json(view, exporter.files(), false, std::nullopt, notes, "azure-sas-url");
    }

    VmView view = describe(session, vm_ref, job);
    const VmInfo& vm = view.vm;
    if (view.disks.empty())
        throw Error(ErrorKind::state, "VM " + vm.name + " has no managed disks to export");
    bool powered_off = false;
    const bool use_snapshots = !config.no_snapshot;
    if (!use_snapshots && vm.power_state != "deallocated") {
        // Azure grants access to a disk only while its VM is deallocated.
        if (!options.power_off)
            throw Error(
                ErrorKind::state,
                "VM " + vm.name + " is " + (vm.power_state.empty() ? "in an unknown state" : vm.power_state) +
                    "; --no-snapshot reads the disks themselves, which Azure allows only for a deallocated "
                    "VM: pass --power-off to deallocate it, or leave out --no-snapshot to export from "
                    "snapshots while it runs");
        cxx::log(HYPERSDK_LOG_INFO, "deallocating VM " + vm.name + " for the export (--power-off)");
        session.compute().deallocate(vm, session.lro("deallocating VM " + vm.name), exporter.cancelled());
        powered_off = true;
        view.vm.power_state = "deallocated";
        view.power_state = "poweredOff";
    }
    const bool running = vm.power_state != "deallocated" && vm.power_state != "stopped";
    exporter.plan_total(view.disks);

    Cleanup cleanup(session, job, config.keep_snapshots);
    try {
        std::vector<Transfer> transfers;
        const std::string stamp = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                                     std::chrono::system_clock::now().time_since_epoch())
                                                     .count());
        for (const auto& d : view.disks) {
            Transfer t{&d, d.resource_id, ""};
            if (use_snapshots) {
                const std::string name = snapshot_name(d.label, stamp);
                t.source = session.compute().snapshot_id(vm.resource_group, name);
                cleanup.snapshot_created(t.source);
                cxx::log(HYPERSDK_LOG_INFO, "creating snapshot " + name + " of disk " + d.label);
                try {
                    session.compute().create_snapshot(vm.resource_group, name, vm.location, d.resource_id,
                                                      session.lro("snapshot " + name + " of disk " + d.label),
                                                      exporter.cancelled());
                } catch (const Error& e) {
                    if (e.kind() == ErrorKind::cancelled) throw;
                    throw Error(e.kind(), "the snapshot of disk " + d.label + " failed: " + e.what() +
                                              (config.keep_snapshots ? "" : " (the snapshots are deleted)"));
                }
                t.key_base = "azure:" + t.source;
            } else {
                t.key_base = "azure:" + d.resource_id + ":deallocated";
            }
            transfers.push_back(std::move(t));
        }
        for (const auto& t : transfers) {
            const auto grant = [&session, &t, &exporter] {
                return session.compute().grant_read_access(t.source, session.config().access_seconds,
                                                           session.lro("beginGetAccess on " + t.source),
                                                           exporter.cancelled());
            };
            cleanup.access_granted(t.source);
            SasSource sas(grant(), grant);
            exporter.download(t, sas, file_stem(vm.name));
            cleanup.revoke(t.source);
        }
        cleanup.run();
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::cancelled) throw;
        cleanup.run();
        rethrow_cancelled(vm.name, use_snapshots, config.keep_snapshots);
    } catch (const cxx::Error& e) {
        if (e.status() != HYPERSDK_ERR_CANCELLED) throw;
        cleanup.run();
        rethrow_cancelled(vm.name, use_snapshots, config.keep_snapshots);
    }

    if (use_snapshots && running) {
        notes.push_back("disks read from full snapshots of the running VM " + vm.name +
                        ": crash-consistent (as after a power cut), not application-consistent");
    }
    for (const auto& kept : cleanup.kept_snapshots())
        notes.push_back("snapshot kept (--keep-snapshots): " + kept);
    if (exporter.renewals() > 0)
        notes.push_back("read SAS renewed " + std::to_string(exporter.renewals()) +
                        " times during the download");
    return result_json(view, exporter.files(), powered_off,
                       use_snapshots ? std::optional<bool>(running) : false, notes,
                       use_snapshots ? "azure-snapshot-sas" : "azure-disk-sas");
}

}  // namespace hypersdk::azure::plugin
