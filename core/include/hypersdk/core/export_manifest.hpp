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
#include "hypersdk/core/provider_documents.hpp"

namespace hypersdk::core {

struct ExportManifestInput {
    std::string provider;        // source.provider ("vsphere")
    ExportResult export_result;  // what the provider said it exported
    std::vector<SinkRecord> records;
    std::filesystem::path output_dir;  // absolute
    bool include_checksums = true;     // --manifest-checksum
    std::string target_format = "qcow2";
    std::string export_method;  // what was written: "ovf", "ova", or the provider's own method
    bool compress = false;      // pipeline.convert.compress (profile key "compress")
    // pipeline.inspect and pipeline.fix: make the guest boot on KVM (virtio
    // drivers, initramfs, fstab, bootloader). false: format conversion only.
    bool fix = true;
    std::string export_timestamp;  // RFC 3339
    std::string job_id;
    std::string hypersdk_version;
    std::vector<JobWarning> warnings;
};

// Throws std::runtime_error when no disk was written.
Manifest build_export_manifest(const ExportManifestInput& input);

// ceil(memory_mb / 1024), at least 1: the manifest's mem_gb.
int64_t memory_mb_to_gb(int64_t memory_mb);

}  // namespace hypersdk::core
