// The converters' view of an Artifact Manifest v1.0: just the fields a
// converter acts on, read and validated by the same library as the host's
// (hypersdk_manifest, plugins/common/manifest), with the same rules and the
// same messages, so a converter never acts on a manifest the host refuses.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hypersdk::plugin_common {

struct ManifestDisk {
    std::string id;
    std::string source_format;  // vmdk, qcow2, raw, vhd, vhdx, vdi
    std::string local_path;     // absolute
    uint64_t bytes = 0;
    int64_t boot_order_hint = 999;  // lowest boots
    std::string checksum;           // "sha256:<hex>" or empty
    std::string label;              // defaults to id
};

struct ManifestStage {
    bool present = false;
    bool enabled = false;
};

struct Manifest {
    std::string path;       // absolute path of the manifest file
    std::string directory;  // its directory
    std::string manifest_version;

    std::string source_provider;
    std::string source_vm_id;
    std::string source_vm_name;

    std::vector<ManifestDisk> disks;  // in manifest order

    std::string output_directory;  // as written (may be empty)
    std::string output_format;     // as written (may be empty)

    ManifestStage inspect, fix, convert, validate;
    bool convert_compress = false;
    int compress_level = 0;  // 0 = not given

    bool dry_run = false;
    int verbose = 0;
    bool report_enabled = true;
    std::string report_path;  // as written (may be empty)

    // output.directory made absolute (relative to the manifest's directory),
    // or "<manifest dir>/output" when absent (hypersdk/manifest/locations.hpp).
    std::string effective_output_directory() const;
    // Where report.json goes: options.report.path relative to the output
    // directory (an absolute one lies inside it), or "<output dir>/report.json".
    std::string effective_report_path() const;
    // Disks ordered boot disk first (boot_order_hint, then manifest order).
    std::vector<ManifestDisk> disks_in_boot_order() const;
};

// Reads and validates the manifest exactly as the host does before it calls a
// converter. Throws hypersdk::cxx::Error with HYPERSDK_ERR_NOT_FOUND (missing
// file) or HYPERSDK_ERR_INVALID_ARGUMENT: "manifest <path> is invalid:" and
// then the validator's issues, one per line ("disks[0].id: must match ...").
Manifest read_manifest(const std::string& path);

// Formats the converters know, in the manifest's spelling.
bool is_known_disk_format(const std::string& format);

}  // namespace hypersdk::plugin_common
