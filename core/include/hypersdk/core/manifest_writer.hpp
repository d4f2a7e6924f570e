// Writes an Artifact Manifest file. The JSON text comes from the shared
// serializer (<hypersdk/manifest/serializer.hpp>); files are written
// atomically: `<file>.part`, fsync, rename, fsync of the directory, so a
// reader never sees a half-written manifest and a failure leaves no file.
#pragma once

#include <sys/types.h>

#include "hypersdk/core/manifest.hpp"
#include "hypersdk/core/manifest_validator.hpp"

#include <hypersdk/manifest/serializer.hpp>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace hypersdk::core {

// Thrown when asked to write a manifest that does not validate.
class InvalidManifestError : public std::runtime_error {
public:
    explicit InvalidManifestError(std::vector<ValidationIssue> issues);
    const std::vector<ValidationIssue>& issues() const { return issues_; }

private:
    std::vector<ValidationIssue> issues_;
};

using manifest::manifest_to_json;

struct ManifestWriteOptions {
    bool validate = true;  // refuse (InvalidManifestError) to write an invalid manifest
    ValidationOptions validation;
    mode_t file_mode = 0600;  // a manifest names private disks: 0640 when group-readable
};

// Writes "<path>.part" exclusively under the directory (never through a
// symlink; a stale .part is removed first), fsyncs it and renames it over
// `path` (a symlink there is replaced, never its target). Throws
// InvalidManifestError, std::runtime_error (serialization) or
// std::system_error (I/O; the message names the file).
void write_manifest_file(const Manifest& manifest, const std::filesystem::path& path,
                         const ManifestWriteOptions& options = {});

}  // namespace hypersdk::core
