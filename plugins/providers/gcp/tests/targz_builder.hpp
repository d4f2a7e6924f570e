// Builds tar.gz archives in memory for the reader's tests: well-formed ones as
// gce_export writes them (ustar, PAX size) and broken ones (a bad checksum, a
// second member, a truncated stream), gzip'd with zlib.
#pragma once

#include <cstdint>
#include <string>

namespace hypersdk::gcp::test {

struct TarMember {
    std::string name = "disk.raw";
    char type = '0';
    std::string data;
    bool pax_size = false;      // a PAX 'x' header carries the size; the ustar field says 0
    bool base256_size = false;  // GNU base-256 size field
    bool corrupt_checksum = false;
};

std::string tar_header(const TarMember& m, uint64_t size);
// One member (or more), its padding and two zero blocks.
std::string make_tar(const std::initializer_list<TarMember>& members);
std::string gzip(const std::string& data, int level = 6);

}  // namespace hypersdk::gcp::test
