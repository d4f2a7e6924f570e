// OVA packer: an OVA is a POSIX (ustar) tar archive whose first member is the
// .ovf descriptor, optionally followed by the .mf manifest, then the files the
// OVF references (disks). The host exports an OVF + VMDKs into a directory and
// packs them with write_ova.
//
// Members larger than the ustar size field can hold (8 GiB - 1, 11 octal
// digits) are preceded by a pax extended header ('x') carrying "size=";
// GNU tar, bsdtar and Python's tarfile all read that.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace hypersdk::core {

struct OvaMember {
    std::filesystem::path path;   // a regular file
    std::string name_in_archive;  // bare name, <= 100 bytes printable ASCII, no '/', not "." or ".."
};

struct OvaPackOptions {
    std::function<void(uint64_t done, uint64_t total)> progress;  // bytes copied so far / total
    std::function<bool()> cancelled;                              // polled per buffer; true -> stop
    mode_t file_mode = 0600;  // the archive holds private disks: 0640 when group-readable
};

class OvaCancelled : public std::runtime_error {
public:
    OvaCancelled();
};

// Writes `out` atomically: everything goes to out + ".part" (created
// exclusively, never through a symlink; a stale one is removed), which is
// fsynced and renamed to `out` (replacing a symlink there, not its target); on any failure or cancel the
// .part is removed and nothing named `out` appears (an existing `out` is left as it was). members[0] must be
// the .ovf (its name ends in ".ovf"); names must be unique. Each file is streamed with a 4 MiB buffer, never
// loaded whole. Throws std::runtime_error naming the bad input (missing file, bad name, no .ovf first, I/O
// error with strerror), or OvaCancelled.
void write_ova(const std::filesystem::path& out, const std::vector<OvaMember>& members,
               const OvaPackOptions& options = {});

// Empty when `name` is usable as name_in_archive, else why not.
std::string check_ova_member_name(const std::string& name);

// For tests and tools: the header bytes that precede a member's data in the
// archive: a 512-byte ustar header, preceded by a pax extended header (its
// own ustar header plus its padded records) when `size` > 8 GiB - 1. A
// negative mtime is written as 0. `mode` is the member's permission bits, as
// the archive's own file mode (private disks stay private when extracted).
// Throws std::runtime_error on a bad name.
std::string ova_member_headers(const std::string& name, uint64_t size, int64_t mtime, mode_t mode = 0600);

}  // namespace hypersdk::core
