#include "vm_export.hpp"

#include <hypersdk/provider/error.hpp>
#include <hypersdk/provider/sink_artifact.hpp>

#include <cctype>
#include <chrono>

#include "cleanup.hpp"
#include "disk_downloads.hpp"
#include "errors.hpp"
#include "page_blob.hpp"
#include "url.hpp"
#include "vm_documents.hpp"

namespace hypersdk::azure::plugin {
namespace {

bool is_cancellation(const std::exception& e) {
    if (const auto* a = dynamic_cast<const Error*>(&e)) return a->kind() == ErrorKind::cancelled;
    if (const auto* k = dynamic_cast<const provider::Error*>(&e))
        return k->kind() == provider::ErrorKind::cancelled;
    if (const auto* c = dynamic_cast<const cxx::Error*>(&e)) return c->status() == HYPERSDK_ERR_CANCELLED;
    if (const auto* h = dynamic_cast<const http::Error*>(&e)) return h->kind() == http::ErrorKind::cancelled;
    return false;
}

// Cancellation as the kit's error, with what was cleaned up.
[[noreturn]] void throw_cancelled(const std::string& vm, bool snapshots, bool kept) {
    throw provider::Error(
        provider::ErrorKind::cancelled,
        "export of VM " + vm + " cancelled; read access was revoked" +
            (snapshots ? (kept ? " (snapshots kept: --keep-snapshots)" : " and the snapshots deleted") : "") +
            "; partial files are kept for a resume");
}

DownloadSettings download_settings(const Session& session, const ExportOptions& options,
                                   const std::string& vm_name) {
    DownloadSettings s;
    s.format = export_format(session.config(), options.format);
    s.file_stem = provider::file_stem(vm_name).substr(0, 120);
    s.parallel = options.parallel;
    s.range_bytes = session.config().range_bytes;
    return s;
}

std::string renewal_note(const DownloadedDisks& done) {
    return "read SAS renewed " + std::to_string(done.sas_renewals) + " times during the download (" +
           std::to_string(done.early_renewals) + " ahead of its expiry, " +
           std::to_string(done.sas_renewals - done.early_renewals) + " after storage refused it)";
}

// --disk-sas-url-file: the user's own SAS URLs, nothing to renew or clean up.
provider::ExportResult export_sas_urls(Session& session, const std::string& vm_ref,
                                       const ExportOptions& options, const cxx::Job& job) {
    const VmView view = describe_sas_urls(session, vm_ref, job);
    const DownloadSettings settings = download_settings(session, options, vm_ref);
    std::vector<DiskTransfer> transfers;
    for (const auto& d : view.disks)
        transfers.push_back(
            {&d, std::make_unique<SasSource>(d.sas_url), "", "azure-sas:" + without_query(d.sas_url)});
    DownloadedDisks done;
    try {
        done = download_disks(session, transfers, settings, job, {});
    } catch (const std::exception& e) {
        if (is_cancellation(e)) throw_cancelled(vm_ref, false, false);
        throw;
    }
    provider::ExportResult result;
    result.vm = vm_description(view, settings.format);
    result.files = std::move(done.files);
    result.notes.push_back("disks read from SAS URLs given by the user; the VM was not looked up in Azure");
    result.export_method = "azure-sas-url";
    return result;
}

}  // namespace

std::string export_format(const PluginConfig& config, const std::string& host_format) {
    const std::string& format = config.azure_format.empty() ? host_format : config.azure_format;
    return format == "raw" ? "raw" : "vhd";
}

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

provider::ExportResult export_vm_to_sinks(Session& session, const std::string& vm_ref,
                                          const ExportOptions& options, const cxx::Job& job) {
    if (!session.uses_arm()) return export_sas_urls(session, vm_ref, options, job);
    const PluginConfig& config = session.config();
    const http::CancelFn cancelled = [job] { return job.cancelled(); };

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
        session.compute().deallocate(vm, session.lro("deallocating VM " + vm.name), cancelled);
        powered_off = true;
        view.vm.power_state = "deallocated";
    }
    const bool running = vm.power_state != "deallocated" && vm.power_state != "stopped";
    const DownloadSettings settings = download_settings(session, options, vm.name);

    Cleanup cleanup(session, job, config.keep_snapshots);
    DownloadedDisks done;
    try {
        std::vector<DiskTransfer> transfers;
        const std::string stamp = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                                     std::chrono::system_clock::now().time_since_epoch())
                                                     .count());
        // Snapshots one after another, close together in time, before any download.
        for (const auto& d : view.disks) {
            DiskTransfer t{&d, nullptr, d.resource_id, ""};
            if (use_snapshots) {
                const std::string name = snapshot_name(d.label, stamp);
                t.source = session.compute().snapshot_id(vm.resource_group, name);
                cleanup.snapshot_created(t.source);
                cxx::log(HYPERSDK_LOG_INFO, "creating snapshot " + name + " of disk " + d.label);
                try {
                    session.compute().create_snapshot(vm.resource_group, name, vm.location, d.resource_id,
                                                      session.lro("snapshot " + name + " of disk " + d.label),
                                                      cancelled);
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
        // A read SAS for each; renewing one (ahead of its expiry or after a
        // 403) is beginGetAccess again on the same resource.
        for (auto& t : transfers) {
            const std::string source = t.source;
            const auto grant = [&session, source, cancelled] {
                return session.compute().grant_read_access(source, session.config().access_seconds,
                                                           session.lro("beginGetAccess on " + source),
                                                           cancelled);
            };
            cleanup.access_granted(source);
            t.sas = std::make_unique<SasSource>(grant(), grant);
        }
        done = download_disks(session, transfers, settings, job,
                              [&cleanup](const DiskTransfer& t) { cleanup.revoke(t.source); });
        cleanup.run();
    } catch (const std::exception& e) {
        if (!is_cancellation(e)) throw;  // ~Cleanup revokes and deletes
        cleanup.run();
        throw_cancelled(vm.name, use_snapshots, config.keep_snapshots);
    }

    provider::ExportResult result;
    result.vm = vm_description(view, settings.format);
    result.files = std::move(done.files);
    result.powered_off_by_export = powered_off;
    result.crash_consistent = use_snapshots && running;
    if (result.crash_consistent)
        result.notes.push_back("disks read from full snapshots of the running VM " + vm.name +
                               ": crash-consistent (as after a power cut), not application-consistent");
    for (const auto& kept : cleanup.kept_snapshots())
        result.notes.push_back("snapshot kept (--keep-snapshots): " + kept);
    if (done.sas_renewals > 0) result.notes.push_back(renewal_note(done));
    result.export_method = use_snapshots ? "azure-snapshot-sas" : "azure-disk-sas";
    result.extra = azure_result_keys(view);
    return result;
}

}  // namespace hypersdk::azure::plugin
