// Reads an Artifact Manifest from JSON text or a file. Never throws on bad
// input and never crashes on hostile input (deep nesting, huge values,
// invalid UTF-8): every problem becomes a ValidationIssue with a JSON path.
#pragma once

#include "hypersdk/manifest/json_limits.hpp"
#include "hypersdk/manifest/model.hpp"
#include "hypersdk/manifest/validator.hpp"

#include <filesystem>
#include <string_view>
#include <vector>

namespace hypersdk::manifest {

// The limits a manifest is read with (json_limits.hpp): nesting deeper than
// 128 levels is refused while parsing, without recursion, so nothing
// recursive later (copying unknown keys, writing them back) can exhaust the
// stack; a manifest lists a few disks, so 64 MiB is far more than any needs.
inline constexpr int kManifestMaxNestingDepth = 128;
inline constexpr JsonLimits kManifestJsonLimits{64u << 20, kManifestMaxNestingDepth};

struct ManifestReadResult {
    // False when the text is not JSON (or not a JSON object); `manifest` is
    // then default-constructed and `issues` says why.
    bool parsed = false;
    Manifest manifest;
    // Problems the model cannot represent: wrong JSON types, missing required
    // keys, unknown keys in `pipeline`, duplicate keys.
    std::vector<ValidationIssue> issues;
};

ManifestReadResult parse_manifest(std::string_view json_text);

// I/O errors (missing file, unreadable) are reported as an issue on "(document)".
ManifestReadResult read_manifest_file(const std::filesystem::path& path);

// Reader issues plus validate_manifest(), without a second issue for a path
// the reader already reported (a missing `id` is not also "an invalid id").
std::vector<ValidationIssue> validate_read_result(const ManifestReadResult& read,
                                                  const ValidationOptions& options = {});

}  // namespace hypersdk::manifest
