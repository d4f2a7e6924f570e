// A minimal reader of Artifact Manifest v1.0 for converter plugins: just the
// fields a converter acts on. Plugins never link core, so this is separate
// from core's full manifest model; it checks what it reads and names the
// manifest file and the bad key in every error.
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
    // or "<manifest dir>/output" when absent.
    std::string effective_output_directory() const;
    // Where report.json goes: options.report.path relative to the output
    // directory (absolute paths kept), or "<output dir>/report.json".
    std::string effective_report_path() const;
    // Disks ordered boot disk first (boot_order_hint, then manifest order).
    std::vector<ManifestDisk> disks_in_boot_order() const;
};

// Reads and checks the manifest. Throws hypersdk::cxx::Error with
// HYPERSDK_ERR_INVALID_ARGUMENT (bad content) or HYPERSDK_ERR_NOT_FOUND
// (missing file), naming the file.
Manifest read_manifest(const std::string& path);

// Formats the converters know, in the manifest's spelling.
bool is_known_disk_format(const std::string& format);

}  // namespace hypersdk::plugin_common
