#include "vm_export.hpp"

#include <hypersdk/provider/sink_artifact.hpp>

#include <vector>

#include "disk_downloads.hpp"
#include "errors.hpp"
#include "export_descriptor.hpp"
#include "inventory.hpp"
#include "lease_guard.hpp"
#include "nfc_download.hpp"
#include "nfc_lease.hpp"
#include "task.hpp"
#include "vm_documents.hpp"

namespace hypersdk::vsphere::plugin {
namespace {

// What identifies the bytes of this download, for the host's resume record: a
// .part of another VM, disk or lease file size is never resumed into this one.
std::string source_key(const VmInfo& vm, const DiskTransfer& t) {
    return "vsphere:" + vm.ref.value + ":" + vm.uuid + ":disk " + std::to_string(t.disk->key) + ":" +
           t.disk->file_name + ":capacity " + std::to_string(t.disk->capacity_bytes) + ":lease file size " +
           (t.device->file_size != 0 ? std::to_string(t.device->file_size) : std::string("unknown"));
}

std::string disk_artifact(const VmInfo& vm, const DiskTransfer& t, const std::string& file_name) {
    provider::SinkArtifact a;
    a.kind = "disk";
    a.id = t.disk->id;
    a.file_name = file_name;
    a.format = "vmdk";
    if (t.device->file_size != 0) {
        a.expected_bytes = t.device->file_size;
        // The lease states the file's size: a download that ends short (a
        // connection closed without Content-Length) must not commit.
        a.exact_bytes = t.device->file_size;
    }
    a.source_key = source_key(vm, t);
    return provider::artifact_json(a);
}

}  // namespace

provider::ExportResult export_vm_to_sinks(Session& session, const std::string& vm_ref,
                                          const ExportOptions& options, const cxx::Job& job) {
    const CancelCheck cancelled = [&job] { return job.cancelled(); };
    VmInfo vm = describe_vm(session, find_vm(session, vm_ref));
    bool powered_off = false;
    if (vm.power_state != "poweredOff") {
        // Exporting never changes the VM unless the user asked for exactly this.
        if (!options.power_off)
            throw cxx::Error(HYPERSDK_ERR_STATE, "VM " + vm.name + " is " + vm.power_state +
                                                     "; pass --power-off to power it off for the export, "
                                                     "or shut it down first");
        cxx::log(HYPERSDK_LOG_INFO, "powering off VM " + vm.name + " for the export");
        power_off_vm(session, vm.ref, std::chrono::minutes(5), cancelled);
        powered_off = true;
        vm.power_state = "poweredOff";
    }
    if (vm.disks.empty())
        throw cxx::Error(HYPERSDK_ERR_STATE, "VM " + vm.name + " has no virtual disks to export");

    LeaseGuard lease(session, vsphere::export_vm(session, vm.ref));
    const LeaseInfo info =
        wait_for_lease_ready(session, lease.lease(), options.lease_ready_timeout, cancelled);
    cxx::log(HYPERSDK_LOG_DEBUG, "export lease " + lease.lease().value + " ready with " +
                                     std::to_string(info.devices.size()) + " device URLs");

    const std::string stem = provider::file_stem(vm.name);
    std::vector<DiskTransfer> transfers;
    std::vector<std::string> names;
    for (const auto& disk : vm.disks) {
        DiskTransfer t;
        t.disk = &disk;
        t.device = device_for_disk(info, vm, disk);
        if (t.device == nullptr)
            throw Error(ErrorKind::protocol, "the export lease has no download URL for " + disk.id + " (" +
                                                 disk.label + ") of VM " + vm.name);
        names.push_back(stem + "-" + disk.id + ".vmdk");
        t.sink = std::make_unique<cxx::Sink>(job, disk_artifact(vm, t, names.back()));
        transfers.push_back(std::move(t));
    }

    try {
        download_disks(session, lease.lease(), transfers, {options.parallel, options.keepalive}, job);
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::cancelled) throw;
        // Unwinding closes the sinks as failed (the .part files stay) and aborts the lease.
        throw cxx::Error(HYPERSDK_ERR_CANCELLED, "export of VM " + vm.name +
                                                     " cancelled; the export lease is aborted and partial "
                                                     "files are kept for a resume");
    }
    lease_progress(session, lease.lease(), 100);
    std::vector<OvfDiskFile> ovf_files;
    for (size_t i = 0; i < transfers.size(); ++i)
        ovf_files.push_back({transfers[i].disk, names[i], transfers[i].size, transfers[i].device->key});
    // While the lease is open, as vSphere clients ask for the server's descriptor.
    const ExportDescriptor ovf = export_descriptor(session, vm, ovf_files, job);
    lease.complete();
    cxx::log(HYPERSDK_LOG_DEBUG, "export lease " + lease.lease().value + " completed");

    provider::ExportResult result;
    result.vm = vm_description(vm);
    for (size_t i = 0; i < transfers.size(); ++i) {
        transfers[i].sink->commit();
        result.files.push_back({"disk", transfers[i].disk->id, names[i], "vmdk", transfers[i].size});
    }
    cxx::Sink descriptor(job, provider::artifact_json({"descriptor", "", stem + ".ovf", "ovf", {}, {}, {}}));
    descriptor.write(ovf.text.data(), ovf.text.size());
    descriptor.commit();
    result.files.insert(result.files.begin(), {"descriptor", "", stem + ".ovf", "ovf", ovf.text.size()});
    result.powered_off_by_export = powered_off;
    result.export_method = "nfc-lease";
    result.extra.emplace_back("descriptor_source", ovf.from_server ? "server" : "generated");
    return result;
}

}  // namespace hypersdk::vsphere::plugin
