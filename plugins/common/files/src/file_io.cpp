#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "hypersdk/files/directory.hpp"

namespace hypersdk::files {

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
        reset();
        fd_ = other.release();
    }
    return *this;
}

void UniqueFd::reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

int UniqueFd::close() {
    if (fd_ < 0) return 0;
    const int result = ::close(release());
    return result == 0 ? 0 : errno;
}

std::string check_bare_name(std::string_view name) {
    if (name.empty()) return "must not be empty";
    if (name.find('\0') != std::string_view::npos) return "must not contain a NUL byte";
    if (name.find('/') != std::string_view::npos) return "must be a bare file name (no '/')";
    if (name == "." || name == "..") return "must not be \".\" or \"..\"";
    return {};
}

void write_all(int fd, std::string_view data, const std::filesystem::path& path) {
    while (!data.empty()) {
        const ssize_t written = ::write(fd, data.data(), data.size());
        if (written < 0) {
            if (errno == EINTR) continue;
            throw Error(errno, "cannot write " + path.string());
        }
        if (written == 0) throw Error(EIO, "cannot write " + path.string() + " (the system wrote 0 bytes)");
        data.remove_prefix(static_cast<size_t>(written));
    }
}

std::optional<std::string> read_all(int fd, size_t max_bytes, const std::filesystem::path& path) {
    std::string text;
    char buffer[65536];
    for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) != 0;) {
        if (n < 0) {
            if (errno == EINTR) continue;
            throw Error(errno, "cannot read " + path.string());
        }
        if (text.size() + static_cast<size_t>(n) > max_bytes) return std::nullopt;
        text.append(buffer, static_cast<size_t>(n));
    }
    return text;
}

void sync_file(int fd, const std::filesystem::path& path) {
    if (::fsync(fd) != 0) throw Error(errno, "cannot flush " + path.string() + " to disk");
}

}  // namespace hypersdk::files
