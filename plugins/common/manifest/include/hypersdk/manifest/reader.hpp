// Reads an Artifact Manifest from JSON text or a file. Never throws on bad
// input and never crashes on hostile input (deep nesting, huge values,
// invalid UTF-8): every problem becomes a ValidationIssue with a JSON path.
#pragma once

#include "hypersdk/manifest/model.hpp"
#include "hypersdk/manifest/validator.hpp"

#include <filesystem>
#include <string_view>
#include <vector>

namespace hypersdk::manifest {

// Nesting deeper than this is refused before parsing, so nothing recursive
// (parsing, copying unknown keys) can exhaust the stack.
inline constexpr int kManifestMaxNestingDepth = 128;

// Deepest nesting of [ and { outside strings; stops counting once past
// kManifestMaxNestingDepth. Cheap enough to run before every parse.
int json_nesting_depth(std::string_view json_text);

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
