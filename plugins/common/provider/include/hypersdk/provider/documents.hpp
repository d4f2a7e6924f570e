// The provider JSON documents of docs/provider-json.md, as typed values and
// their writers: vm-summary (list_vms), vm-description (describe_vm) and
// export-result (export_vm, with the 1.1 keys crash_consistent, notes and
// export_method). Core reads them back with its typed reader
// (core/include/hypersdk/core/provider_documents.hpp).
//
// Written: id, name and power_state always; every other string only when it
// is not empty, every optional only when set.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hypersdk/provider/power_state.hpp"

namespace hypersdk::provider {

struct VmSummary {
    std::string id;  // what --vm accepts back: a platform id
    std::string name;
    PowerState power_state = PowerState::unknown;
    std::string platform_state;  // the platform's own word ("stopping"), for display
    std::string path;            // an inventory path, where the platform has one
    std::string datacenter;      // or region / location / zone
    std::optional<int64_t> cpu;
    std::optional<int64_t> memory_mb;
    std::optional<uint64_t> disk_bytes;  // all disks together
};

struct DiskDescription {
    std::string id;  // the manifest's disk id: ^[A-Za-z0-9_-]+$ ("disk-0")
    std::string label;
    std::optional<uint64_t> capacity_bytes;
    std::string format;                      // the format the export writes: vmdk, raw, vhd, ...
    std::optional<int64_t> boot_order_hint;  // 0: the boot disk
    std::string source;                      // the platform's name for it (backing file, volume id)
    std::string controller;
};

struct NicDescription {
    std::string id;
    std::string label;
    std::string mac;  // "00:50:56:aa:bb:cc"
    std::string network;
    std::string adapter_type;
};

struct VmDescription {
    std::string id;
    std::string name;
    PowerState power_state = PowerState::unknown;
    std::string platform_state;
    std::string path;
    std::string datacenter;
    std::optional<int64_t> cpu;
    std::optional<int64_t> memory_mb;
    std::string firmware;  // "bios", "uefi" or "unknown" (firmware_name())
    std::optional<bool> secure_boot;
    std::string guest_os;
    std::string guest_os_name;
    std::string uuid;
    std::vector<DiskDescription> disks;  // the boot disk first
    std::vector<NicDescription> nics;
};

struct ExportedFile {
    std::string kind;  // "disk" or "descriptor"
    std::string id;    // disks: the disk id
    std::string file_name;
    std::string format;
    uint64_t bytes = 0;
};

struct ExportResult {
    VmDescription vm;
    std::vector<ExportedFile> files;
    bool powered_off_by_export = false;
    // 1.1: copied from a running VM's snapshot (like a power cut); written only when true.
    bool crash_consistent = false;
    std::vector<std::string> notes;  // 1.1: lines for the manifest's notes
    std::string export_method;       // 1.1: "nfc-lease", "ebs-direct", ...
    // Provider-specific string keys written after the documented ones
    // ({"descriptor_source", "server"}); readers ignore keys they do not know.
    std::vector<std::pair<std::string, std::string>> extra;
};

// "bios", "uefi" or "unknown" from a platform's word ("efi", "UEFI",
// "BIOS", "UEFI_COMPATIBLE", "uefi-preferred", ...), case-insensitive.
std::string firmware_name(const std::string& platform_firmware);

std::string summaries_json(const std::vector<VmSummary>& vms);  // a JSON array
std::string description_json(const VmDescription& vm);
std::string export_result_json(const ExportResult& result);

}  // namespace hypersdk::provider
