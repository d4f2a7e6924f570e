// Real disk images for converter tests: a raw file with patterned data at
// several offsets, turned into every source format by qemu-img; manifests
// written by hand; and qemu-img compare as the judge of "identical".
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "temp_dir.hpp"  // tests/support: the one TempDir of the suite

namespace hypersdk::test {

// A sparse raw file of `size` bytes with distinct 64 KiB patterns at the
// start, near 1 MiB, the middle and the end (so a converter that drops or
// shifts a block is caught).
void write_patterned_raw(const std::string& path, uint64_t size, uint32_t seed);
// `size` bytes of pseudo-random data (incompressible: slow to compress).
void write_random_raw(const std::string& path, uint64_t size, uint32_t seed);

struct SourceImage {
    std::string id;               // also the manifest disk id
    std::string manifest_format;  // vmdk, vhd, vhdx, raw, qcow2, vdi
    std::string qemu_format;      // vpc for vhd
    std::string path;
};

// The source kinds: vmdk-sparse, vmdk-stream, vhd-dynamic, vhd-fixed, vhdx, raw, qcow2, vdi.
std::vector<std::string> all_source_kinds();
// Converts `raw` into the given kind beside it. Throws on failure.
SourceImage make_source_image(const std::string& dir, const std::string& raw, const std::string& kind);

// Runs a command (no shell); returns its exit code, output in *output.
int run_command(const std::vector<std::string>& argv, std::string* output = nullptr);

// qemu-img compare: empty when identical, else qemu-img's explanation.
std::string compare_images(const std::string& a, const std::string& a_format, const std::string& b,
                           const std::string& b_format);

struct ManifestDiskSpec {
    std::string id;
    std::string format;
    std::string path;
    std::optional<int> boot_order_hint;
};

struct ManifestSpec {
    std::vector<ManifestDiskSpec> disks;
    std::string output_directory;  // empty = absent
    std::string output_format;     // empty = absent
    bool convert = true;
    bool validate = false;
    bool inspect = false;
    bool fix = false;
    bool compress = false;
    std::string report_path;  // options.report.path; empty = absent
    std::string provider = "vsphere";
    std::string vm_name = "test-vm";
};

// Writes an Artifact Manifest v1.0 (by hand, 2-space indent) to path.
void write_manifest(const std::string& path, const ManifestSpec& spec);

// Live (non-zombie) processes whose process group is pgid.
std::vector<pid_t> live_processes_in_group(pid_t pgid);
bool process_alive(pid_t pid);

// The directory's regular files whose names end with suffix.
std::vector<std::string> files_with_suffix(const std::string& dir, const std::string& suffix);

std::string read_file(const std::string& path);

}  // namespace hypersdk::test
