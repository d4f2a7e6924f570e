// Builds the Artifact Manifest of an export from what the provider said (its
// export-result JSON, docs/provider-json.md) and what the host wrote (the
// sink records, with their streaming SHA-256). A pure function: no I/O.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "hypersdk/core/file_sink.hpp"
#include "hypersdk/core/job.hpp"
#include "hypersdk/core/manifest.hpp"

namespace hypersdk::core {

struct ExportManifestInput {
    std::string provider;            // source.provider ("vsphere")
    std::string export_result_json;  // the provider's export-result document
    std::vector<SinkRecord> records;
    std::filesystem::path output_dir;  // absolute
    bool include_checksums = true;     // --manifest-checksum
    std::string target_format = "qcow2";
    std::string export_method;     // "ovf", "ova"
    std::string export_timestamp;  // RFC 3339
    std::string job_id;
    std::string hypersdk_version;
    std::vector<JobWarning> warnings;
};

// Throws std::runtime_error when the export-result is not a JSON object or
// no disk was written.
Manifest build_export_manifest(const ExportManifestInput& input);

// ceil(memory_mb / 1024), at least 1: the manifest's mem_gb.
int64_t memory_mb_to_gb(int64_t memory_mb);

}  // namespace hypersdk::core
