// report.json, in exactly the shape hyper2kvm writes (design/manifest.md):
// the model, a writer (our own converters write the same report so users
// read one format) and a reader (the hyper2kvm plugin parses the real one).
#pragma once

#include <hypersdk/files/file_modes.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hypersdk::plugin_common {

struct ReportIssue {
    std::string stage;
    std::string message;
    std::string timestamp;
};

struct ReportStage {
    std::string name;  // load_manifest, inspect, fix, convert, validate, libvirt_integration
    bool success = false;
    double duration = 0;
    std::string result_json;  // a JSON object's text; written when success
    std::string error;        // written when !success
};

struct ReportArtifact {
    std::string type = "converted_disk";
    std::string path;
    std::string disk_id;
    std::string format;
    uint64_t size_bytes = 0;
    int64_t boot_order_hint = 999;
    bool compressed = false;
};

struct ReportInputManifest {
    std::string path;
    std::string manifest_version;
    std::string source_provider;  // empty = null
    std::string source_vm_id;
    std::string source_vm_name;
};

struct Report {
    std::string version = "1.0";
    std::string timestamp;  // RFC 3339; filled by the writer when empty
    // hyper2kvm's version; nullopt is written as null (other converters).
    std::optional<std::string> hyper2kvm_version;
    // Extra top-level string keys after the documented ones, e.g.
    // {"converter", "org.hypersdk.converter.qemu-img"}, {"tool_version", "7.2.0"}.
    std::vector<std::pair<std::string, std::string>> extra;
    ReportInputManifest input_manifest;
    bool success = false;
    double duration_seconds = 0;
    std::vector<ReportStage> stages;
    std::vector<ReportArtifact> artifacts;
    std::vector<ReportIssue> warnings;
    std::vector<ReportIssue> errors;
    int input_disks = 0;
    int output_disks = 0;
};

// The JSON text, 2-space indent; summary{} is computed from the lists.
std::string report_to_json(const Report& report);

// Writes "<path>.part" exclusively (never through a symlink; a stale one is
// removed first) with modes.file, fsyncs and renames it over `path`,
// creating missing parent directories with modes.directory. Throws
// hypersdk::cxx::Error(HYPERSDK_ERR_IO) naming the path.
void write_report_file(const Report& report, const std::string& path, const files::FileModes& modes = {});

// Parses a report.json text. Throws JsonError naming `what` (the file) and
// the bad key. Requires pipeline.success; everything else is optional.
Report parse_report(const std::string& text, const std::string& what);

// "2024-05-01T12:00:00Z" (UTC, now).
std::string rfc3339_now();
// "1.5 MiB".
std::string human_size(uint64_t bytes);

}  // namespace hypersdk::plugin_common
