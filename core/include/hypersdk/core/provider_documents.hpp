// The JSON documents a provider returns (docs/provider-json.md), read once,
// into typed values: vm-summary (list_vms), vm-description (describe_vm) and
// export-result (export_vm). Like the manifest reader, a reader never throws
// for bad input: it keeps what is usable and lists every problem with its
// JSON path, so the host never compares or parses a provider's text by hand.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hypersdk::core {

// The documented power states every provider maps its platform's into
// (vSphere poweredOn, AWS running, Azure "VM running", GCP RUNNING -> on).
enum class PowerState { on, off, suspended, unknown };

// The document spelling: "poweredOn", "poweredOff", "suspended"; anything
// else is unknown.
PowerState parse_power_state(std::string_view text);
std::string_view power_state_name(PowerState state);   // "poweredOn", ..., "unknown"
std::string_view power_state_label(PowerState state);  // "on", "off", "suspended", "unknown"

struct VmSummary {
    std::string id;
    std::string name;
    PowerState power_state = PowerState::unknown;
    std::string platform_state;  // the platform's own word, for display ("stopping"); may be empty
    std::string path;
    std::optional<int64_t> cpu;
    std::optional<int64_t> memory_mb;
    std::optional<uint64_t> disk_bytes;
};

struct DiskDescription {
    std::string id;
    std::string label;
    std::optional<uint64_t> capacity_bytes;
    std::string format;
    std::optional<int64_t> boot_order_hint;
    std::string source;
};

struct NicDescription {
    std::string id;
    std::string mac;
    std::string network;
};

struct VmDescription {
    std::string id;
    std::string name;
    PowerState power_state = PowerState::unknown;
    std::string platform_state;
    std::string datacenter;  // or region / location / zone
    std::optional<int64_t> cpu;
    std::optional<int64_t> memory_mb;
    std::string firmware;  // "bios", "uefi", "unknown" or empty
    std::optional<bool> secure_boot;
    std::string guest_os;
    std::string guest_os_name;
    std::vector<DiskDescription> disks;
    std::vector<NicDescription> nics;
};

struct ExportedFile {
    std::string kind;
    std::string id;
    std::string file_name;
    std::string format;
    std::optional<uint64_t> bytes;
};

struct ExportResult {
    VmDescription vm;
    std::vector<ExportedFile> files;
    bool powered_off_by_export = false;
    // The copy was taken from a running VM (a snapshot): crash-consistent,
    // like a power cut. Said in the manifest's notes and the summary.
    bool crash_consistent = false;
    std::vector<std::string> notes;  // the provider's notes for the manifest
    std::string export_method;       // how the provider exported ("ebs-direct"); empty: the format
};

template <typename T>
struct DocumentRead {
    std::optional<T> value;           // nullopt when the document is unusable
    std::vector<std::string> issues;  // "disks[1].capacity_bytes: expected an integer >= 0"
};

DocumentRead<std::vector<VmSummary>> read_vm_summaries(std::string_view json);
DocumentRead<VmDescription> read_vm_description(std::string_view json);
DocumentRead<ExportResult> read_export_result(std::string_view json);

}  // namespace hypersdk::core
