// Reading a file that must be a regular file: a disk image or a manifest named
// by a manifest (which may come from another machine) or on the command line,
// a converter's report. A manifest naming /dev/zero made `manifest verify`
// hash forever, and a FIFO would block the open itself. Files are opened with
// O_NONBLOCK (a FIFO cannot block the open) and checked with fstat on the open
// descriptor (nothing can be swapped in between the check and the reads).
#pragma once

#include <sys/types.h>

#include "hypersdk/manifest/terminal_text.hpp"

#include <cstddef>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace hypersdk::manifest {

// "cannot read /dev/zero: it is a character device, not a regular file", or
// "cannot read /x/report.json: it is 70000000 bytes, more than the limit of ...".
class UnreadableFileError : public std::runtime_error {
public:
    UnreadableFileError(const std::filesystem::path& path, std::string reason)
        : std::runtime_error("cannot read " + escape_for_terminal(path.string()) + ": " + reason),
          reason_(std::move(reason)) {}
    // Without the file's name: "it is a FIFO, not a regular file".
    const std::string& reason() const { return reason_; }

private:
    std::string reason_;
};

class RegularFileReader {
public:
    // Throws std::system_error (naming the file) when it cannot be opened or
    // examined, UnreadableFileError when it is anything but a regular file.
    explicit RegularFileReader(const std::filesystem::path& path);
    ~RegularFileReader();
    RegularFileReader(const RegularFileReader&) = delete;
    RegularFileReader& operator=(const RegularFileReader&) = delete;

    int fd() const { return fd_; }
    off_t size() const { return size_; }  // when it was opened

private:
    int fd_ = -1;
    off_t size_ = 0;
};

// The whole file, when it is a regular file of at most max_bytes. Throws
// std::system_error (I/O, naming the file) or UnreadableFileError.
std::string read_regular_file(const std::filesystem::path& path, size_t max_bytes);

}  // namespace hypersdk::manifest
