// Writes an Artifact Manifest as JSON with a 2-space indent. Files are written
// atomically: `<file>.part`, fsync, rename, fsync of the directory, so a
// reader never sees a half-written manifest and a failure leaves no file.
#pragma once

#include "hypersdk/core/manifest.hpp"
#include "hypersdk/core/manifest_validator.hpp"

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

// Serializes without validating. Throws std::runtime_error when a string is
// not valid UTF-8 or a raw JSON member (unknown key, configuration object) is
// not valid JSON.
std::string manifest_to_json(const Manifest& manifest);

struct ManifestWriteOptions {
    bool validate = true;  // refuse (InvalidManifestError) to write an invalid manifest
    ValidationOptions validation;
};

// Throws InvalidManifestError, std::runtime_error (serialization) or
// std::system_error (I/O; the message names the file).
void write_manifest_file(const Manifest& manifest, const std::filesystem::path& path,
                         const ManifestWriteOptions& options = {});

}  // namespace hypersdk::core
