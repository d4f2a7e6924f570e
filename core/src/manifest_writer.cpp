#include "hypersdk/core/manifest_writer.hpp"

#include <hypersdk/files/directory.hpp>
#include <hypersdk/manifest/serializer.hpp>

namespace hypersdk::core {

InvalidManifestError::InvalidManifestError(std::vector<ValidationIssue> issues)
    : std::runtime_error("invalid manifest:\n" + format_issues(issues)), issues_(std::move(issues)) {}

void write_manifest_file(const Manifest& manifest, const std::filesystem::path& path,
                         const ManifestWriteOptions& options) {
    if (options.validate) {
        auto issues = validate_manifest(manifest, options.validation);
        if (!issues.empty()) throw InvalidManifestError(std::move(issues));
    }
    const std::string json = manifest_to_json(manifest);
    // NAME.part created exclusively (never through a symlink), fsynced, renamed.
    const std::filesystem::path directory = path.parent_path().empty() ? "." : path.parent_path();
    files::Directory(directory).write_atomically(path.filename().string(), json, options.file_mode);
}

}  // namespace hypersdk::core
