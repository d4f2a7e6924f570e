// Validation of an Artifact Manifest: every rule of hyper2kvm's schema plus
// the semantic checks the schema cannot express (absolute local paths that
// exist, unique disk ids). All violations are reported, each with the JSON
// path of the offending value, e.g.
//   disks[1].checksum: expected "sha256:" followed by 64 lowercase hex digits, got "abc"
#pragma once

#include "hypersdk/manifest/model.hpp"
#include "hypersdk/manifest/terminal_text.hpp"  // quote_for_message

#include <string>
#include <string_view>
#include <vector>

namespace hypersdk::manifest {

struct ValidationIssue {
    std::string path;  // "disks[1].checksum"; "(document)" for the document as a whole
    std::string message;

    std::string to_string() const { return path + ": " + message; }
    bool operator==(const ValidationIssue&) const = default;
};

struct ValidationOptions {
    // Off to validate a manifest on a machine that does not hold its disks.
    bool check_files_exist = true;
};

// The rules that apply to values the model can hold. Type errors, missing
// required keys and unknown pipeline keys are found by the reader (see
// ManifestReadResult::issues); validate_read_result() combines both.
std::vector<ValidationIssue> validate_manifest(const Manifest& manifest,
                                               const ValidationOptions& options = {});

// The schema's MAC rule, ^([0-9A-Fa-f]{2}[:-]){5}([0-9A-Fa-f]{2})$, for
// code that builds manifests and must drop what would not validate.
bool is_manifest_mac(std::string_view mac);

// Renders issues one per line (for error messages and exceptions).
std::string format_issues(const std::vector<ValidationIssue>& issues);

}  // namespace hypersdk::manifest
