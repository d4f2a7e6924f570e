// Export orchestration: find the provider plugin by name, connect, export the
// VM's files through a FileSinkFactory, then write, validate and (optionally)
// verify the Artifact Manifest. A failure or Ctrl-C leaves ".part" files for
// a resumed re-run and no file that looks complete; no manifest is written
// unless every disk was committed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "hypersdk/core/file_sink.hpp"
#include "hypersdk/core/job.hpp"
#include "hypersdk/core/plugin_registry.hpp"
#include "hypersdk/core/provider_documents.hpp"

namespace hypersdk::core {

struct ExportRequest {
    std::string provider;  // capabilities.provider_name, e.g. "vsphere"
    std::string vm;        // name, inventory path or platform id
    std::filesystem::path output_dir;
    std::string config_json = "{}";  // holds credentials: never logged or printed
    std::string format;  // one of the provider's export formats (or "ova" beside "ovf"); empty: its first
    bool power_off = false;
    int parallel = 4;
    bool resume = true;  // keep ".part" files of an earlier run of the same source (resume_record.hpp)
    bool group_readable = false;  // files 0640 and new directories 0750 instead of 0600/0700
    bool direct_io = true;        // disks bypass the page cache where possible (sink_writer.hpp)
    bool manifest_checksum = true;
    bool verify_manifest = false;
    std::string target_format = "qcow2";  // the manifest's output.format
    bool compress = false;                // the manifest's pipeline.convert.compress
    bool fix = true;                      // the manifest's pipeline.inspect and pipeline.fix
};

// failed/cancelled: no manifest was written. verification_failed and
// package_failed: the export and its manifest are complete, a later step
// (re-hashing the disks, packing the OVA) failed or was cancelled.
enum class ExportStatus { succeeded, failed, cancelled, verification_failed, package_failed };

struct ExportOutcome {
    ExportStatus status = ExportStatus::failed;
    std::string error;  // one readable message; empty on success
    std::string job_id;
    std::string vm_name;
    std::string vm_id;
    std::filesystem::path output_dir;     // absolute
    std::filesystem::path manifest_path;  // empty when none was written
    std::filesystem::path ova_path;       // --format ova: the package the host packed
    std::string format;                   // the export format used
    std::vector<SinkRecord> files;        // committed files in commit order
    uint64_t total_bytes = 0;
    double duration_seconds = 0;
    bool powered_off_by_export = false;
    bool crash_consistent = false;  // copied from a running VM (snapshot)
    bool manifest_verified = false;
    std::vector<std::string> warnings;
    std::string export_result_json;            // the provider's document (no credentials)
    std::vector<std::string> document_issues;  // what was wrong with it (the export still counts)
    bool ok() const { return status == ExportStatus::succeeded; }
};

class ExportRunner {
public:
    explicit ExportRunner(const PluginRegistry& registry) : registry_(registry) {}

    // The provider plugin whose capabilities.provider_name is `name`, else
    // nullptr with `error` saying which providers are installed.
    const ProviderBackend* find_provider(const std::string& name, std::string& error) const;

    // The formats `--format` accepts for this provider: its declared ones,
    // plus "ova" when it declares "ovf" (the host packs the OVA).
    static std::vector<std::string> offered_formats(const ProviderBackend& provider);

    // Connects, exports and writes the manifest. `observer` sees the sinks.
    ExportOutcome run(const ExportRequest& request, Job& job, FileSinkFactory::Observer observer = {}) const;

    // describe_vm (for --dry-run) / list_vms, read into typed values; nullopt
    // with `error` set when the call failed or the document is unusable.
    std::optional<VmDescription> describe(const ExportRequest& request, Job& job, std::string& error) const;
    std::optional<std::vector<VmSummary>> list_vms(const std::string& provider,
                                                   const std::string& config_json, Job& job,
                                                   std::string& error) const;

private:
    const PluginRegistry& registry_;
};

// A fresh id for a job: "export-YYYYMMDDTHHMMSSZ-<8 hex>".
std::string new_export_job_id();

}  // namespace hypersdk::core
