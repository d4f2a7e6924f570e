#include "vhd_footer.hpp"

#include <cstdio>

#include "errors.hpp"

namespace hypersdk::azure {
namespace {

uint64_t big_endian(std::string_view bytes, size_t at, size_t count) {
    uint64_t value = 0;
    for (size_t i = 0; i < count; ++i) value = (value << 8) | static_cast<unsigned char>(bytes[at + i]);
    return value;
}

}  // namespace

VhdFooter parse_vhd_footer(std::string_view bytes, uint64_t blob_size, const std::string& what) {
    auto refuse = [&](const std::string& why) {
        throw Error(ErrorKind::protocol, what + " does not end in a fixed VHD footer (" + why +
                                             "); Azure managed disks are fixed VHDs: is this URL a disk?");
    };
    if (bytes.size() != kVhdFooterBytes) refuse("it is shorter than 512 bytes");
    if (bytes.substr(0, 8) != "conectix") refuse("no 'conectix' cookie");
    // The checksum is the one's complement of the sum of all bytes but its own four (offset 64).
    uint32_t sum = 0;
    for (size_t i = 0; i < kVhdFooterBytes; ++i)
        if (i < 64 || i >= 68) sum += static_cast<unsigned char>(bytes[i]);
    if (static_cast<uint32_t>(~sum) != static_cast<uint32_t>(big_endian(bytes, 64, 4)))
        refuse("bad checksum");
    VhdFooter f;
    f.current_size = big_endian(bytes, 48, 8);
    f.disk_type = static_cast<uint32_t>(big_endian(bytes, 60, 4));
    if (f.disk_type != 2) refuse("disk type " + std::to_string(f.disk_type) + ", not 2 (fixed)");
    if (f.current_size + kVhdFooterBytes != blob_size)
        refuse("its size " + std::to_string(f.current_size) + " plus 512 is not the blob's " +
               std::to_string(blob_size));
    char hex[3];
    for (size_t i = 68; i < 84; ++i) {
        std::snprintf(hex, sizeof hex, "%02x", static_cast<unsigned char>(bytes[i]));
        f.unique_id += hex;
    }
    return f;
}

}  // namespace hypersdk::azure
