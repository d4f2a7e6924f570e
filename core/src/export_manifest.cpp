#include "hypersdk/core/export_manifest.hpp"

#include "hypersdk/core/manifest_validator.hpp"

#include <rapidjson/document.h>
#include <hypersdk/manifest/json_limits.hpp>

#include <algorithm>
#include <limits>
#include <map>

namespace hypersdk::core {
namespace {

std::optional<std::string> string_member(const rapidjson::Value& object, const char* key) {
    const auto it = object.FindMember(key);
    if (it == object.MemberEnd() || !it->value.IsString() || it->value.GetStringLength() == 0)
        return std::nullopt;
    return std::string(it->value.GetString(), it->value.GetStringLength());
}

std::optional<int64_t> int_member(const rapidjson::Value& object, const char* key) {
    const auto it = object.FindMember(key);
    if (it == object.MemberEnd() || !it->value.IsInt64()) return std::nullopt;
    return it->value.GetInt64();
}

struct DescribedDisk {
    std::optional<std::string> label;
    std::optional<int64_t> boot_order_hint;
};

}  // namespace

int64_t memory_mb_to_gb(int64_t memory_mb) {
    return std::max<int64_t>(1, (memory_mb + 1023) / 1024);
}

Manifest build_export_manifest(const ExportManifestInput& input) {
    // A plugin's output is untrusted input: bounded, non-recursive parse.
    rapidjson::Document result;
    const std::string reason = manifest::parse_json_into(result, input.export_result_json);
    if (!reason.empty() || !result.IsObject())
        throw std::runtime_error("the " + input.provider +
                                 " provider returned no export-result JSON object (" +
                                 (reason.empty() ? std::string("not a JSON object") : reason) + ")");

    Manifest manifest;
    ManifestSource source;
    source.provider = input.provider;
    source.vm_id = string_member(result, "id");
    source.vm_name = string_member(result, "name");
    source.datacenter = string_member(result, "datacenter");
    if (!input.export_timestamp.empty()) source.export_timestamp = input.export_timestamp;
    if (!input.export_method.empty()) source.export_method = input.export_method;
    manifest.source = source;

    ManifestVm vm;
    if (const auto cpu = int_member(result, "cpu"); cpu && *cpu >= 1) vm.cpu = *cpu;
    if (const auto memory = int_member(result, "memory_mb"); memory && *memory > 0)
        vm.mem_gb = memory_mb_to_gb(*memory);
    if (const auto firmware = string_member(result, "firmware")) vm.firmware = normalize_firmware(*firmware);
    if (const auto it = result.FindMember("secure_boot"); it != result.MemberEnd() && it->value.IsBool())
        vm.secureboot = it->value.GetBool();
    vm.os_hint = string_member(result, "guest_os");
    vm.os_version = string_member(result, "guest_os_name");
    manifest.vm = vm;

    std::map<std::string, DescribedDisk> described;
    if (const auto it = result.FindMember("disks"); it != result.MemberEnd() && it->value.IsArray()) {
        for (const auto& disk : it->value.GetArray()) {
            if (!disk.IsObject()) continue;
            if (const auto id = string_member(disk, "id"))
                described[*id] = {string_member(disk, "label"), int_member(disk, "boot_order_hint")};
        }
    }

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
        const auto hint = it != described.end() ? it->second.boot_order_hint : std::nullopt;
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
        if (const auto it = described.find(record.id); it != described.end() && it->second.label)
            disk.label = it->second.label;
        disk.disk_type = i == 0 ? "boot" : "data";
        manifest.disks.push_back(std::move(disk));
    }

    if (const auto it = result.FindMember("nics"); it != result.MemberEnd() && it->value.IsArray()) {
        for (const auto& nic : it->value.GetArray()) {
            if (!nic.IsObject()) continue;
            ManifestNic entry;
            entry.id = string_member(nic, "id");
            entry.network = string_member(nic, "network");
            if (const auto mac = string_member(nic, "mac")) {
                if (is_manifest_mac(*mac))
                    entry.mac = mac;
                else
                    manifest.warnings.push_back(
                        {"export", "NIC " + entry.id.value_or("?") + " has no usable MAC address", {}, {}});
            }
            manifest.nics.push_back(std::move(entry));
        }
    }
    if (const auto it = result.FindMember("powered_off_by_export");
        it != result.MemberEnd() && it->value.IsBool() && it->value.GetBool())
        manifest.notes.push_back("the source VM was powered off for the export (--power-off)");
    for (const auto& warning : input.warnings)
        manifest.warnings.push_back({warning.stage.empty() ? "export" : warning.stage,
                                     warning.message,
                                     input.export_timestamp.empty()
                                         ? std::nullopt
                                         : std::optional<std::string>(input.export_timestamp),
                                     {}});

    ManifestPipeline pipeline;
    pipeline.convert = ConvertStage{true, {}, {}, {}};
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
