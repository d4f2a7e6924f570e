// The 512-byte footer that ends a fixed VHD (Microsoft's "Virtual Hard Disk
// Image Format Specification"): how Azure stores every managed disk, as a page
// blob of the disk's bytes followed by this footer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace hypersdk::azure {

inline constexpr uint64_t kVhdFooterBytes = 512;

struct VhdFooter {
    uint64_t current_size = 0;  // the disk's size: the blob minus the footer
    uint32_t disk_type = 0;     // 2: fixed
    std::string unique_id;      // 32 hex digits
};

// Parses and checks the footer (cookie "conectix", checksum, a fixed disk
// whose size plus the footer is `blob_size`). Throws Error(protocol) saying
// what is wrong; `what` names the blob for the message.
VhdFooter parse_vhd_footer(std::string_view bytes, uint64_t blob_size, const std::string& what);

}  // namespace hypersdk::azure
