// Real disk images for tests, made and compared with the real qemu-img.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace hypersdk::test {

// A source-format variant qemu-img can create: manifest format, qemu-img -O
// driver, creation options, the -f to read it back with.
struct ImageVariant {
    std::string name;                         // "vmdk-streamOptimized"
    std::string manifest_format;              // "vmdk"
    std::string qemu_format;                  // "vmdk"
    std::vector<std::string> create_options;  // {"-o", "subformat=streamOptimized"}
    std::string extension;                    // "vmdk"
};

// vmdk monolithicSparse and streamOptimized, vhd dynamic and fixed, vhdx, raw, qcow2.
std::vector<ImageVariant> all_source_variants();

// A raw image of `bytes` with distinct data at several offsets (start, middle,
// an unaligned run, the last MiB) and holes between them.
void write_patterned_raw(const std::filesystem::path& path, uint64_t bytes);

// qemu-img convert raw -> variant. Throws with qemu-img's stderr on failure.
void convert_raw_to(const std::filesystem::path& raw, const ImageVariant& variant,
                    const std::filesystem::path& out);

// `qemu-img compare -f A -F B a b` == identical (exit 0).
bool images_identical(const std::filesystem::path& a, const std::string& format_a,
                      const std::filesystem::path& b, const std::string& format_b,
                      std::string* detail = nullptr);

// "sha256:<hex>" of a file (OpenSSL), for before/after checks.
std::string sha256_of_file(const std::filesystem::path& path);

}  // namespace hypersdk::test
