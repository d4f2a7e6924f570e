#include "hypersdk/core/export_manifest.hpp"

#include "hypersdk/core/manifest_validator.hpp"

#include <algorithm>
#include <limits>
#include <map>

namespace hypersdk::core {
namespace {

std::optional<std::string> non_empty(const std::string& text) {
    if (text.empty()) return std::nullopt;
    return text;
}

}  // namespace

int64_t memory_mb_to_gb(int64_t memory_mb) {
    return std::max<int64_t>(1, (memory_mb + 1023) / 1024);
}

Manifest build_export_manifest(const ExportManifestInput& input) {
    const VmDescription& described_vm = input.export_result.vm;
    Manifest manifest;
    ManifestSource source;
    source.provider = input.provider;
    source.vm_id = non_empty(described_vm.id);
    source.vm_name = non_empty(described_vm.name);
    source.datacenter = non_empty(described_vm.datacenter);
    if (!input.export_timestamp.empty()) source.export_timestamp = input.export_timestamp;
    if (!input.export_method.empty()) source.export_method = input.export_method;
    manifest.source = source;

    ManifestVm vm;
    if (described_vm.cpu && *described_vm.cpu >= 1) vm.cpu = *described_vm.cpu;
    if (described_vm.memory_mb && *described_vm.memory_mb > 0)
        vm.mem_gb = memory_mb_to_gb(*described_vm.memory_mb);
    if (!described_vm.firmware.empty()) vm.firmware = normalize_firmware(described_vm.firmware);
    vm.secureboot = described_vm.secure_boot;
    vm.os_hint = non_empty(described_vm.guest_os);
    vm.os_version = non_empty(described_vm.guest_os_name);
    manifest.vm = vm;

    std::map<std::string, const DiskDescription*> described;
    for (const auto& disk : described_vm.disks)
        if (!disk.id.empty()) described[disk.id] = &disk;

    // Disks in boot order: the provider's hint first, then the order written.
    struct Written {
        const SinkRecord* record;
        int64_t hint;
        size_t position;
    };
    std::vector<Written> written;
    for (const auto& record : input.records) {
        if (record.kind != "disk") continue;
        const auto it = described.find(record.id);
        const auto hint = it != described.end() ? it->second->boot_order_hint : std::nullopt;
        written.push_back(
            {&record, hint && *hint >= 0 ? *hint : std::numeric_limits<int64_t>::max(), written.size()});
    }
    if (written.empty()) throw std::runtime_error("the export wrote no disk");
    std::stable_sort(written.begin(), written.end(),
                     [](const Written& a, const Written& b) { return a.hint < b.hint; });
    for (size_t i = 0; i < written.size(); ++i) {
        const SinkRecord& record = *written[i].record;
        ManifestDisk disk;
        disk.id = record.id;
        disk.source_format = record.format;
        disk.bytes = static_cast<int64_t>(record.bytes);
        disk.local_path = record.path.string();
        if (input.include_checksums) disk.checksum = record.sha256;
        // Position in boot order; 0 is the boot disk (never dropped, unlike the Go original).
        disk.boot_order_hint = static_cast<int64_t>(i);
        if (const auto it = described.find(record.id); it != described.end() && !it->second->label.empty())
            disk.label = it->second->label;
        disk.disk_type = i == 0 ? "boot" : "data";
        manifest.disks.push_back(std::move(disk));
    }

    for (const auto& nic : described_vm.nics) {
        ManifestNic entry;
        entry.id = non_empty(nic.id);
        entry.network = non_empty(nic.network);
        if (!nic.mac.empty()) {
            if (is_manifest_mac(nic.mac))
                entry.mac = nic.mac;
            else
                manifest.warnings.push_back(
                    {"export", "NIC " + entry.id.value_or("?") + " has no usable MAC address", {}, {}});
        }
        manifest.nics.push_back(std::move(entry));
    }
    if (input.export_result.powered_off_by_export)
        manifest.notes.push_back("the source VM was powered off for the export (--power-off)");
    if (input.export_result.crash_consistent)
        manifest.notes.push_back(
            "the disks were copied from a running VM (a snapshot): crash-consistent, like after a power cut");
    for (const auto& note : input.export_result.notes) manifest.notes.push_back(note);
    for (const auto& warning : input.warnings)
        manifest.warnings.push_back({warning.stage.empty() ? "export" : warning.stage,
                                     warning.message,
                                     input.export_timestamp.empty()
                                         ? std::nullopt
                                         : std::optional<std::string>(input.export_timestamp),
                                     {}});

    ManifestPipeline pipeline;
    // INSPECT -> FIX -> CONVERT -> VALIDATE, as a migration needs: a guest
    // converted without FIX may lack the drivers to boot on virtio.
    if (input.fix) {
        pipeline.inspect.emplace().enabled = true;
        pipeline.fix.emplace().enabled = true;
    }
    pipeline.convert = ConvertStage{true, {}, {}, {}};
    if (input.compress) pipeline.convert->compress = true;
    pipeline.validate = ValidateStage{true, {}, {}};
    manifest.pipeline = pipeline;
    ManifestOutput output;
    output.directory = input.output_dir.string();
    output.format = input.target_format.empty() ? "qcow2" : input.target_format;
    manifest.output = output;
    ManifestMetadata metadata;
    if (!input.hypersdk_version.empty()) metadata.hypersdk_version = input.hypersdk_version;
    if (!input.job_id.empty()) metadata.job_id = input.job_id;
    metadata.created_at = rfc3339_utc_now();
    manifest.metadata = metadata;
    return manifest;
}

}  // namespace hypersdk::core
