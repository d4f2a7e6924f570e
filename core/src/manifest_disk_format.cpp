#include "hypersdk/core/manifest_disk_format.hpp"

#include <unistd.h>
#include <hypersdk/manifest/regular_file.hpp>

#include <array>
#include <cerrno>
#include <cstring>
#include <span>
#include <string_view>
#include <system_error>

namespace hypersdk::core {

namespace {

constexpr size_t kHeaderBytes = 512;
constexpr size_t kVhdFooterBytes = 512;

// Reads up to buffer.size() bytes at offset; returns how many were read.
size_t read_at(int fd, std::span<char> buffer, off_t offset, const std::filesystem::path& path) {
    size_t total = 0;
    while (total < buffer.size()) {
        const ssize_t got =
            ::pread(fd, buffer.data() + total, buffer.size() - total, offset + static_cast<off_t>(total));
        if (got < 0) {
            if (errno == EINTR) continue;
            throw std::system_error(errno, std::generic_category(), "cannot read " + path.string());
        }
        if (got == 0) break;
        total += static_cast<size_t>(got);
    }
    return total;
}

bool has_magic(std::string_view data, size_t offset, std::string_view magic) {
    return data.size() >= offset + magic.size() && data.substr(offset, magic.size()) == magic;
}

}  // namespace

std::string detect_disk_format(const std::filesystem::path& path) {
    // A FIFO must not block the open, nor a device pass for a disk.
    const manifest::RegularFileReader file(path);

    std::array<char, kHeaderBytes> header_buffer{};
    const size_t header_size = read_at(file.fd(), header_buffer, 0, path);
    const std::string_view header(header_buffer.data(), header_size);

    if (has_magic(header, 0, "KDMV") || has_magic(header, 0, "# Disk DescriptorFile")) return "vmdk";
    if (has_magic(header, 0, "QFI\xfb")) return "qcow2";
    if (has_magic(header, 0, "vhdxfile")) return "vhdx";
    // A dynamic VHD starts with a copy of its footer.
    if (has_magic(header, 0, "conectix")) return "vhd";
    // The VDI signature is little-endian 0xbeda107f at offset 64.
    if (has_magic(header, 64, std::string_view("\x7f\x10\xda\xbe", 4))) return "vdi";

    // A fixed VHD is raw data followed by a 512-byte footer.
    if (file.size() >= static_cast<off_t>(kVhdFooterBytes)) {
        std::array<char, kVhdFooterBytes> footer_buffer{};
        const size_t footer_size =
            read_at(file.fd(), footer_buffer, file.size() - static_cast<off_t>(kVhdFooterBytes), path);
        if (has_magic(std::string_view(footer_buffer.data(), footer_size), 0, "conectix")) return "vhd";
    }
    return "raw";
}

}  // namespace hypersdk::core
