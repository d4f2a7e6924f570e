// One safe way to create files (hypersdk_files): a directory is opened once
// and every name below it is resolved through that descriptor, so a planted
// symlink is never followed and a renamed directory cannot redirect a write.
//   * new files: openat(O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
//   * partial files of an earlier run: reopened with O_NOFOLLOW and checked
//     (fstat) to be regular files with a single link;
//   * rename and unlink within the directory (unlink removes a symlink, never
//     its target; rename replaces a symlink, never its target);
//   * fsync of the file and of the directory;
//   * write_atomically: NAME.part exclusively, fsync, rename to NAME.
// Names are bare file names ("disk-0.vmdk"), never paths. Every failure
// throws files::Error, whose message names the file.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace hypersdk::files {

// An I/O failure; what() is "<what> <path>: <system message>".
class Error : public std::system_error {
public:
    Error(int error_number, const std::string& what)
        : std::system_error(error_number, std::generic_category(), what) {}
};

// Owns a file descriptor; closes it on destruction.
class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : fd_(fd) {}
    ~UniqueFd() { reset(); }
    UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept;
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;

    int get() const { return fd_; }
    bool valid() const { return fd_ >= 0; }
    explicit operator bool() const { return valid(); }
    int release() {
        const int fd = fd_;
        fd_ = -1;
        return fd;
    }
    void reset();
    // close(2) with its result: 0, or the errno (the descriptor is gone either way).
    int close();

private:
    int fd_ = -1;
};

// Empty when `name` is a bare file name (not empty, no '/', no NUL, not "."
// or ".."), else why not.
std::string check_bare_name(std::string_view name);

// Creates `path` and every missing parent with `mode` (existing directories
// are left as they are). Throws Error naming the directory that failed.
void create_directories(const std::filesystem::path& path, mode_t mode);

// Writes all of `data`, retrying short writes and EINTR; throws Error naming `path`.
void write_all(int fd, std::string_view data, const std::filesystem::path& path);

// Reads `fd` to its end, retrying EINTR; nullopt as soon as it holds more
// than `max_bytes` (what is left is not read). Throws Error naming `path`.
std::optional<std::string> read_all(int fd, size_t max_bytes, const std::filesystem::path& path);

// fsync(fd); throws Error naming `path`.
void sync_file(int fd, const std::filesystem::path& path);

class Directory {
public:
    // Opens an existing directory (O_DIRECTORY | O_CLOEXEC). Throws Error.
    explicit Directory(std::filesystem::path path);

    const std::filesystem::path& path() const { return path_; }
    int fd() const { return fd_.get(); }
    // For messages: the directory's path joined with `name`.
    std::filesystem::path path_of(std::string_view name) const { return path_ / std::string(name); }

    // A new file, created exclusively with `mode` (O_CREAT | O_EXCL |
    // O_NOFOLLOW | O_CLOEXEC | access). An existing entry of that name, even a
    // dangling symlink, is an Error (EEXIST).
    UniqueFd create(std::string_view name, mode_t mode, int access = O_RDWR) const;

    // An existing file, reopened without following a symlink. Returns an
    // invalid descriptor when there is no entry of that name; throws Error
    // when the entry is a symlink (ELOOP), not a regular file, or (with
    // single_link) has other hard links: writing into those would change a
    // file somewhere else.
    UniqueFd open_regular(std::string_view name, int access = O_RDWR, bool single_link = true) const;

    // lstat of the entry (a symlink is described, not followed); nullopt when missing.
    std::optional<struct stat> entry_status(std::string_view name) const;
    // stat through a symlink to the file it names; nullopt when missing or dangling.
    std::optional<struct stat> target_status(std::string_view name) const;

    // Removes the entry itself (a symlink, never what it points to). Returns
    // false when there was none; refuses a directory (Error EISDIR).
    bool remove(std::string_view name) const;

    // renameat within this directory. Replaces `to` (even a symlink there,
    // not its target).
    void rename(std::string_view from, std::string_view to) const;

    // fsync of the directory: makes creations, renames and removals durable.
    void sync() const;

    // NAME.part exclusively (a stale entry of that name is removed first,
    // without following it), all of `text`, fsync, rename to NAME, fsync of
    // the directory. On failure NAME is untouched and NAME.part removed.
    void write_atomically(std::string_view name, std::string_view text, mode_t mode) const;

private:
    void check_name(std::string_view name) const;

    std::filesystem::path path_;
    UniqueFd fd_;
};

}  // namespace hypersdk::files
