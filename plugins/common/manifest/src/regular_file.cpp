#include "hypersdk/manifest/regular_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "hypersdk/manifest/terminal_text.hpp"

namespace hypersdk::manifest {
namespace {

const char* kind_of(mode_t mode) {
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a file";
}

}  // namespace

RegularFileReader::RegularFileReader(const std::filesystem::path& path)
    : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)) {
    if (fd_ < 0)
        throw std::system_error(errno, std::generic_category(),
                                "cannot open " + escape_for_terminal(path.string()));
    struct stat info {};
    if (::fstat(fd_, &info) != 0) {
        const int error = errno;
        ::close(fd_);
        throw std::system_error(error, std::generic_category(),
                                "cannot stat " + escape_for_terminal(path.string()));
    }
    if (!S_ISREG(info.st_mode)) {
        ::close(fd_);
        throw UnreadableFileError(path,
                                  std::string("it is ") + kind_of(info.st_mode) + ", not a regular file");
    }
    // Reads of a regular file never block; clear the flag all the same so the
    // descriptor behaves as any other.
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) & ~O_NONBLOCK);
    size_ = info.st_size;
}

RegularFileReader::~RegularFileReader() {
    ::close(fd_);
}

std::string read_regular_file(const std::filesystem::path& path, size_t max_bytes) {
    const RegularFileReader file(path);
    const auto too_large = [&](uintmax_t bytes) {
        return UnreadableFileError(path, "it is " + std::to_string(bytes) +
                                             " bytes, more than the limit of " + std::to_string(max_bytes));
    };
    if (static_cast<uintmax_t>(file.size()) > max_bytes) throw too_large(static_cast<uintmax_t>(file.size()));
    std::string text;
    text.reserve(static_cast<size_t>(file.size()));
    // Read to the end, not to the size fstat gave: the file may have grown.
    char chunk[64 * 1024];
    while (true) {
        const ssize_t got = ::read(file.fd(), chunk, sizeof chunk);
        if (got < 0) {
            if (errno == EINTR) continue;
            throw std::system_error(errno, std::generic_category(),
                                    "cannot read " + escape_for_terminal(path.string()));
        }
        if (got == 0) break;
        if (text.size() + static_cast<size_t>(got) > max_bytes)
            throw too_large(text.size() + static_cast<size_t>(got));
        text.append(chunk, static_cast<size_t>(got));
    }
    return text;
}

}  // namespace hypersdk::manifest
