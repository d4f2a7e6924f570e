// The Artifact Manifest v1.0 model: what an export produced (disks with their
// checksums, the source VM) and what hyper2kvm should do with it (pipeline,
// output). The contract is /work/shared/design/manifest.md and hyper2kvm's
// published JSON Schema; docs/manifest.md describes it for users.
//
// Optional fields are std::optional so that zero values that matter are still
// written (`boot_order_hint: 0` marks the boot disk, `secureboot: false` is a
// statement). Keys this model does not know are kept as raw JSON text so a
// read -> write round trip does not lose them.
//
// This library (hypersdk_manifest, plugins/common/manifest) is the one place
// the contract lives; core and the converter plugins both link it.
// Reading: reader.hpp   Validation: validator.hpp   JSON text: serializer.hpp
// Where output and report go: locations.hpp
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hypersdk::manifest {

inline constexpr std::string_view kManifestVersion = "1.0";
inline constexpr std::string_view kManifestFileName = "artifact-manifest.json";

// Allowed values of the enumerated fields, in the order the schema lists them.
inline constexpr std::array<std::string_view, 6> kDiskSourceFormats = {"vmdk", "qcow2", "raw",
                                                                       "vhd",  "vhdx",  "vdi"};
inline constexpr std::array<std::string_view, 3> kDiskTypes = {"boot", "data", "unknown"};
inline constexpr std::array<std::string_view, 3> kFirmwareKinds = {"bios", "uefi", "unknown"};
inline constexpr std::array<std::string_view, 3> kOutputFormats = {"qcow2", "raw", "vdi"};
inline constexpr std::array<std::string_view, 3> kFstabModes = {"stabilize-all", "bypath-only", "noop"};

// Keys the model does not know, in document order: key -> serialized JSON value.
using UnknownJsonFields = std::vector<std::pair<std::string, std::string>>;

struct ManifestDisk {
    std::string id;                          // ^[a-zA-Z0-9_-]+$, unique in the manifest
    std::string source_format;               // one of kDiskSourceFormats
    int64_t bytes = 0;                       // size of the file on disk
    std::string local_path;                  // absolute
    std::optional<std::string> checksum;     // "sha256:" + 64 lowercase hex
    std::optional<int64_t> boot_order_hint;  // lowest boots; hyper2kvm's default is 999
    std::optional<std::string> label;        // hyper2kvm's default is id
    std::optional<std::string> disk_type;    // one of kDiskTypes
    UnknownJsonFields unknown_fields;
};

struct ManifestSource {
    std::optional<std::string> provider;  // vsphere, aws, azure, gcp, ...
    std::optional<std::string> vm_id;
    std::optional<std::string> vm_name;
    std::optional<std::string> datacenter;
    std::optional<std::string> export_timestamp;  // RFC 3339
    std::optional<std::string> export_method;
    UnknownJsonFields unknown_fields;
};

struct ManifestVm {
    std::optional<int64_t> cpu;           // >= 1
    std::optional<int64_t> mem_gb;        // >= 1
    std::optional<std::string> firmware;  // one of kFirmwareKinds; see normalize_firmware()
    std::optional<bool> secureboot;
    std::optional<std::string> os_hint;
    std::optional<std::string> os_version;
    UnknownJsonFields unknown_fields;
};

struct ManifestNic {
    std::optional<std::string> id;
    std::optional<std::string> mac;  // aa:bb:cc:dd:ee:ff or aa-bb-cc-dd-ee-ff
    std::optional<std::string> network;
    UnknownJsonFields unknown_fields;
};

struct ManifestWarning {
    std::string stage;
    std::string message;
    std::optional<std::string> timestamp;  // RFC 3339
    UnknownJsonFields unknown_fields;
};

struct ManifestMetadata {
    std::optional<std::string> hypersdk_version;
    std::optional<std::string> job_id;
    std::optional<std::string> created_at;  // RFC 3339
    std::optional<std::map<std::string, std::string>> tags;
    UnknownJsonFields unknown_fields;
};

// Pipeline stages: a stage that is absent is off; `enabled` is required in
// each stage that is present.
struct InspectStage {
    bool enabled = false;
    std::optional<bool> collect_guest_info;
    UnknownJsonFields unknown_fields;
};

struct FixStage {
    bool enabled = false;
    std::optional<bool> backup;
    std::optional<bool> print_fstab;
    std::optional<bool> update_grub;
    std::optional<bool> regen_initramfs;
    std::optional<std::string> fstab_mode;  // one of kFstabModes
    std::optional<bool> remove_vmware_tools;
    UnknownJsonFields unknown_fields;
};

struct ConvertStage {
    bool enabled = false;
    std::optional<bool> compress;
    std::optional<int64_t> compress_level;  // 1-9
    UnknownJsonFields unknown_fields;
};

struct ValidateStage {
    bool enabled = false;
    std::optional<bool> check_image_integrity;
    UnknownJsonFields unknown_fields;
};

// The schema forbids keys other than the four stages here, so there is no
// unknown_fields member: unknown keys are validation errors.
struct ManifestPipeline {
    std::optional<InspectStage> inspect;
    std::optional<FixStage> fix;
    std::optional<ConvertStage> convert;
    std::optional<ValidateStage> validate;
};

// Free-form guest configuration for hyper2kvm; each value is a serialized
// JSON object.
struct ManifestConfiguration {
    std::optional<std::string> users;
    std::optional<std::string> services;
    std::optional<std::string> hostname;
    std::optional<std::string> network;
    UnknownJsonFields unknown_fields;
};

struct ManifestOutput {
    std::optional<std::string> directory;
    std::optional<std::string> format;  // one of kOutputFormats
    std::optional<std::string> filename;
    UnknownJsonFields unknown_fields;
};

struct ManifestReportOptions {
    std::optional<bool> enabled;
    std::optional<std::string> path;
    UnknownJsonFields unknown_fields;
};

struct ManifestOptions {
    std::optional<bool> dry_run;
    std::optional<int64_t> verbose;  // 0-3
    std::optional<ManifestReportOptions> report;
    UnknownJsonFields unknown_fields;
};

struct Manifest {
    std::string manifest_version{kManifestVersion};
    std::vector<ManifestDisk> disks;  // at least one
    std::optional<ManifestSource> source;
    std::optional<ManifestVm> vm;
    std::vector<ManifestNic> nics;          // written only when not empty
    std::vector<std::string> notes;         // written only when not empty
    std::vector<ManifestWarning> warnings;  // written only when not empty
    std::optional<ManifestMetadata> metadata;
    std::optional<ManifestPipeline> pipeline;
    std::optional<ManifestConfiguration> configuration;
    std::optional<ManifestOutput> output;
    std::optional<ManifestOptions> options;
    UnknownJsonFields unknown_fields;
};

// Maps what providers call the firmware to the manifest's vocabulary:
// "efi"/"uefi" (any case, vSphere says "efi") -> "uefi", "bios"/"legacy-bios"
// -> "bios", anything else -> "unknown".
std::string normalize_firmware(std::string_view provider_firmware);

// True for "YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm|-hh:mm)" with valid ranges
// (RFC 3339 section 5.6, the JSON Schema "date-time" format).
bool is_rfc3339_timestamp(std::string_view text);

// The current time as RFC 3339 UTC with seconds precision, e.g. "2026-01-02T03:04:05Z".
std::string rfc3339_utc_now();

}  // namespace hypersdk::manifest
