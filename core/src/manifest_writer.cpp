#include "hypersdk/core/manifest_writer.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <hypersdk/manifest/serializer.hpp>

#include <cerrno>
#include <system_error>

namespace hypersdk::core {

namespace {

[[noreturn]] void throw_io_error(int error_number, const std::string& what) {
    throw std::system_error(error_number, std::generic_category(), what);
}

// Returns 0 or an errno value.
int write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const ssize_t written = ::write(fd, data.data(), data.size());
        if (written < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        data.remove_prefix(static_cast<size_t>(written));
    }
    return 0;
}

// Makes the rename itself durable; failure here is not fatal to the write.
void sync_directory(const std::filesystem::path& directory) {
    const int fd = ::open(directory.empty() ? "." : directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

}  // namespace

InvalidManifestError::InvalidManifestError(std::vector<ValidationIssue> issues)
    : std::runtime_error("invalid manifest:\n" + format_issues(issues)), issues_(std::move(issues)) {}

void write_manifest_file(const Manifest& manifest, const std::filesystem::path& path,
                         const ManifestWriteOptions& options) {
    if (options.validate) {
        auto issues = validate_manifest(manifest, options.validation);
        if (!issues.empty()) throw InvalidManifestError(std::move(issues));
    }
    const std::string json = manifest_to_json(manifest);

    const std::filesystem::path part_path = path.string() + ".part";
    const int fd = ::open(part_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw_io_error(errno, "cannot create " + part_path.string());
    // No partial file survives a failure: the .part is removed before throwing.
    auto fail = [&](int error_number, const std::string& what, bool close_fd) {
        if (close_fd) ::close(fd);
        ::unlink(part_path.c_str());
        throw_io_error(error_number, what + " " + part_path.string());
    };
    if (const int error_number = write_all(fd, json)) fail(error_number, "cannot write", true);
    if (::fsync(fd) != 0) fail(errno, "cannot sync", true);
    // close() releases the descriptor even when it reports an error.
    if (::close(fd) != 0) fail(errno, "cannot close", false);
    if (::rename(part_path.c_str(), path.c_str()) != 0) {
        const int error_number = errno;
        ::unlink(part_path.c_str());
        throw_io_error(error_number, "cannot rename " + part_path.string() + " to " + path.string());
    }
    sync_directory(path.parent_path());
}

}  // namespace hypersdk::core
