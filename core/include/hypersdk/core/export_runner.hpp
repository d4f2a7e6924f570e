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

namespace hypersdk::core {

struct ExportRequest {
    std::string provider;  // capabilities.provider_name, e.g. "vsphere"
    std::string vm;        // name, inventory path or platform id
    std::filesystem::path output_dir;
    std::string config_json = "{}";  // holds credentials: never logged or printed
    std::string format = "ovf";
    bool power_off = false;
    int parallel = 4;
    bool resume = true;  // keep ".part" files of an earlier run of the same source (resume_record.hpp)
    bool group_readable = false;  // files 0640 and new directories 0750 instead of 0600/0700
    bool direct_io = true;        // disks bypass the page cache where possible (sink_writer.hpp)
    bool manifest_checksum = true;
    bool verify_manifest = false;
    std::string target_format = "qcow2";  // the manifest's output.format
};

enum class ExportStatus { succeeded, failed, cancelled, verification_failed };

struct ExportOutcome {
    ExportStatus status = ExportStatus::failed;
    std::string error;  // one readable message; empty on success
    std::string job_id;
    std::string vm_name;
    std::string vm_id;
    std::filesystem::path output_dir;     // absolute
    std::filesystem::path manifest_path;  // empty when none was written
    std::filesystem::path ova_path;       // --format ova: the package the host packed
    std::vector<SinkRecord> files;        // committed files in commit order
    uint64_t total_bytes = 0;
    double duration_seconds = 0;
    bool powered_off_by_export = false;
    bool manifest_verified = false;
    std::vector<std::string> warnings;
    std::string export_result_json;  // the provider's document (no credentials)
    bool ok() const { return status == ExportStatus::succeeded; }
};

class ExportRunner {
public:
    explicit ExportRunner(const PluginRegistry& registry) : registry_(registry) {}

    // The provider plugin whose capabilities.provider_name is `name`, else
    // nullptr with `error` saying which providers are installed.
    const LoadedPlugin* find_provider(const std::string& name, std::string& error) const;

    // Connects, exports and writes the manifest. `observer` sees the sinks.
    ExportOutcome run(const ExportRequest& request, Job& job, FileSinkFactory::Observer observer = {}) const;

    // describe_vm (for --dry-run) / list_vms: the provider's JSON text, or
    // nullopt with `error` set.
    std::optional<std::string> describe(const ExportRequest& request, Job& job, std::string& error) const;
    std::optional<std::string> list_vms(const std::string& provider, const std::string& config_json, Job& job,
                                        std::string& error) const;

private:
    const PluginRegistry& registry_;
};

// "the job's error, else `what` failed (status name)".
std::string job_error_message(const Job& job, int32_t status, const std::string& what);

// A fresh id for a job: "export-YYYYMMDDTHHMMSSZ-<8 hex>".
std::string new_export_job_id();

}  // namespace hypersdk::core
