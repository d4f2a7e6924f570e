// The artifact JSON a provider gives sink_open for each file it writes
// (docs/provider-json.md#sink-artifact), and a file stem safe for names.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace hypersdk::provider {

struct SinkArtifact {
    std::string kind = "disk";  // "disk" or "descriptor"
    std::string id;             // disks: the manifest's disk id
    std::string file_name;      // a bare name (the host checks it)
    std::string format;         // vmdk, raw, vhd, ovf, ...
    // For progress: the size, when known.
    std::optional<uint64_t> expected_bytes;
    // 1.1: the size the platform states for certain; a sink closed with any
    // other count fails and nothing is committed. Give it whenever known.
    std::optional<uint64_t> exact_bytes;
    // 1.1: what identifies these exact source bytes (snapshot id, ETag, ...),
    // so a .part of other bytes is never resumed into this file.
    std::string source_key;
};

std::string artifact_json(const SinkArtifact& artifact);

// A VM name reduced to [A-Za-z0-9._-] for file names, without leading dots
// ("vm" when nothing is left).
std::string file_stem(const std::string& vm_name);

}  // namespace hypersdk::provider
