// Writes an Artifact Manifest file. The JSON text comes from the shared
// serializer (<hypersdk/manifest/serializer.hpp>); files are written
// atomically: `<file>.part`, fsync, rename, fsync of the directory, so a
// reader never sees a half-written manifest and a failure leaves no file.
#pragma once

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
};

// Throws InvalidManifestError, std::runtime_error (serialization) or
// std::system_error (I/O; the message names the file).
void write_manifest_file(const Manifest& manifest, const std::filesystem::path& path,
                         const ManifestWriteOptions& options = {});

}  // namespace hypersdk::core
