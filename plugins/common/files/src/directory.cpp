#include "hypersdk/files/directory.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace hypersdk::files {
namespace {

constexpr std::string_view kPartSuffix = ".part";

}  // namespace

Directory::Directory(std::filesystem::path path) : path_(std::move(path)) {
    if (path_.empty()) path_ = ".";
    fd_ = UniqueFd(::open(path_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd_) throw Error(errno, "cannot open directory " + path_.string());
}

void Directory::check_name(std::string_view name) const {
    if (const std::string problem = check_bare_name(name); !problem.empty())
        throw Error(EINVAL, "file name \"" + std::string(name) + "\" in " + path_.string() + " " + problem);
}

UniqueFd Directory::create(std::string_view name, mode_t mode, int access) const {
    check_name(name);
    const std::string entry(name);
    UniqueFd fd(::openat(fd_.get(), entry.c_str(), access | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
    if (!fd) {
        const int error = errno;
        if (error == EEXIST)
            throw Error(error, "cannot create " + path_of(name).string() +
                                   " (something is already there; it is never written through)");
        throw Error(error, "cannot create " + path_of(name).string());
    }
    // Exactly `mode`, whatever the umask: VM disks are private unless asked otherwise.
    if (::fchmod(fd.get(), mode) != 0) throw Error(errno, "cannot set the mode of " + path_of(name).string());
    return fd;
}

UniqueFd Directory::open_regular(std::string_view name, int access, bool single_link) const {
    check_name(name);
    const std::string entry(name);
    // O_NONBLOCK: a planted FIFO must not hang the open; it is refused below.
    UniqueFd fd(::openat(fd_.get(), entry.c_str(), access | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
    if (!fd) {
        const int error = errno;
        if (error == ENOENT) return {};
        if (error == ELOOP)
            throw Error(error, "refusing to open " + path_of(name).string() + ": it is a symbolic link");
        throw Error(error, "cannot open " + path_of(name).string());
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) throw Error(errno, "cannot stat " + path_of(name).string());
    if (!S_ISREG(st.st_mode))
        throw Error(EINVAL, "refusing to open " + path_of(name).string() + ": it is not a regular file");
    if (single_link && st.st_nlink > 1)
        throw Error(EMLINK, "refusing to open " + path_of(name).string() + ": it has " +
                                std::to_string(st.st_nlink) + " hard links, so it is also a file elsewhere");
    const int flags = ::fcntl(fd.get(), F_GETFL);
    if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK) != 0)
        throw Error(errno, "cannot set up " + path_of(name).string());
    return fd;
}

std::optional<struct stat> Directory::entry_status(std::string_view name) const {
    check_name(name);
    const std::string entry(name);
    struct stat st {};
    if (::fstatat(fd_.get(), entry.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) return st;
    if (errno == ENOENT) return std::nullopt;
    throw Error(errno, "cannot stat " + path_of(name).string());
}

std::optional<struct stat> Directory::target_status(std::string_view name) const {
    check_name(name);
    const std::string entry(name);
    struct stat st {};
    if (::fstatat(fd_.get(), entry.c_str(), &st, 0) == 0) return st;
    if (errno == ENOENT) return std::nullopt;
    throw Error(errno, "cannot stat " + path_of(name).string());
}

bool Directory::remove(std::string_view name) const {
    check_name(name);
    const std::string entry(name);
    if (::unlinkat(fd_.get(), entry.c_str(), 0) == 0) return true;
    if (errno == ENOENT) return false;
    throw Error(errno, "cannot remove " + path_of(name).string());
}

void Directory::rename(std::string_view from, std::string_view to) const {
    check_name(from);
    check_name(to);
    const std::string source(from), target(to);
    if (::renameat(fd_.get(), source.c_str(), fd_.get(), target.c_str()) != 0)
        throw Error(errno, "cannot rename " + path_of(from).string() + " to " + path_of(to).string());
}

void Directory::sync() const {
    if (::fsync(fd_.get()) != 0) throw Error(errno, "cannot flush directory " + path_.string() + " to disk");
}

void Directory::write_atomically(std::string_view name, std::string_view text, mode_t mode) const {
    check_name(name);
    const std::string part = std::string(name) + std::string(kPartSuffix);
    UniqueFd fd;
    try {
        fd = create(part, mode, O_WRONLY);
    } catch (const Error& e) {
        if (e.code().value() != EEXIST) throw;
        // Left by a crash, or planted: removed (a symlink itself, never its
        // target), then created exclusively. Losing a race again is an error.
        remove(part);
        fd = create(part, mode, O_WRONLY);
    }
    try {
        write_all(fd.get(), text, path_of(part));
        sync_file(fd.get(), path_of(part));
        if (const int error = fd.close(); error != 0)
            throw Error(error, "cannot close " + path_of(part).string());
        rename(part, name);
    } catch (...) {
        fd.reset();
        const std::string entry = part;
        ::unlinkat(fd_.get(), entry.c_str(), 0);
        throw;
    }
    sync();
}

}  // namespace hypersdk::files
