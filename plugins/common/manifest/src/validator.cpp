#include "hypersdk/manifest/validator.hpp"

#include "path_rules.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <span>
#include <system_error>

namespace hypersdk::manifest {

namespace {

bool is_id_char(unsigned char c) {
    return std::isalnum(c) || c == '_' || c == '-';
}

bool is_lower_hex(unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

bool is_hex(unsigned char c) {
    return is_lower_hex(c) || (c >= 'A' && c <= 'F');
}

bool matches_disk_id(std::string_view id) {
    return !id.empty() && std::all_of(id.begin(), id.end(), [](unsigned char c) { return is_id_char(c); });
}

bool matches_checksum(std::string_view checksum) {
    constexpr std::string_view kPrefix = "sha256:";
    if (checksum.size() != kPrefix.size() + 64 || checksum.substr(0, kPrefix.size()) != kPrefix) return false;
    const std::string_view hex = checksum.substr(kPrefix.size());
    return std::all_of(hex.begin(), hex.end(), [](unsigned char c) { return is_lower_hex(c); });
}

std::string join(std::span<const std::string_view> values) {
    std::string joined;
    for (std::string_view value : values) {
        if (!joined.empty()) joined += ", ";
        joined += value;
    }
    return joined;
}

template <size_t N>
bool is_one_of(const std::array<std::string_view, N>& allowed, std::string_view value) {
    return std::find(allowed.begin(), allowed.end(), value) != allowed.end();
}

// Collects issues under a path prefix ("disks[1]" + ".checksum").
class IssueCollector {
public:
    explicit IssueCollector(std::vector<ValidationIssue>& issues) : issues_(issues) {}

    void add(std::string path, std::string message) {
        issues_.push_back({std::move(path), std::move(message)});
    }

    template <size_t N>
    void check_enum(const std::string& path, const std::optional<std::string>& value,
                    const std::array<std::string_view, N>& allowed, std::string_view hint = {}) {
        if (!value || is_one_of(allowed, *value)) return;
        std::string message = "must be one of " + join(allowed) + ", got " + quote_for_message(*value);
        if (!hint.empty()) message += " (" + std::string(hint) + ")";
        add(path, std::move(message));
    }

    void check_minimum(const std::string& path, const std::optional<int64_t>& value, int64_t minimum) {
        if (value && *value < minimum)
            add(path, "must be an integer >= " + std::to_string(minimum) + ", got " + std::to_string(*value));
    }

    void check_range(const std::string& path, const std::optional<int64_t>& value, int64_t minimum,
                     int64_t maximum) {
        if (value && (*value < minimum || *value > maximum))
            add(path, "must be an integer from " + std::to_string(minimum) + " to " +
                          std::to_string(maximum) + ", got " + std::to_string(*value));
    }

    void check_timestamp(const std::string& path, const std::optional<std::string>& value) {
        if (value && !is_rfc3339_timestamp(*value))
            add(path, "must be an RFC 3339 date-time such as 2026-01-02T03:04:05Z, got " +
                          quote_for_message(*value));
    }

    // The rules for any path a manifest holds (it may come from another
    // machine): no control characters, no ".." segments. False when broken.
    bool check_path(const std::string& path, std::string_view value) {
        if (path_rules::has_control_character(value)) {
            add(path, "must not contain control characters, got " + quote_for_message(value));
            return false;
        }
        if (path_rules::has_dot_dot_segment(value)) {
            add(path, "must not contain '..' segments, got " + quote_for_message(value));
            return false;
        }
        return true;
    }
    bool check_path(const std::string& path, const std::optional<std::string>& value) {
        return !value || check_path(path, std::string_view(*value));
    }

    void check_json_object(const std::string& path, const std::optional<std::string>& raw_json) {
        if (!raw_json) return;
        const size_t first = raw_json->find_first_not_of(" \t\r\n");
        if (first == std::string::npos || (*raw_json)[first] != '{') add(path, "must be a JSON object");
    }

private:
    std::vector<ValidationIssue>& issues_;
};

const char* describe_file_type(std::filesystem::file_type type) {
    switch (type) {
        case std::filesystem::file_type::character:
            return "a character device";
        case std::filesystem::file_type::block:
            return "a block device";
        case std::filesystem::file_type::fifo:
            return "a FIFO";
        case std::filesystem::file_type::socket:
            return "a socket";
        default:
            return "not a file";
    }
}

void validate_local_path(IssueCollector& collector, const std::string& path, const std::string& local_path,
                         const ValidationOptions& options) {
    if (local_path.empty()) {
        collector.add(path, "must be an absolute path, got an empty string");
        return;
    }
    if (local_path.front() != '/') {
        collector.add(path, "must be an absolute path, got " + quote_for_message(local_path));
        return;
    }
    if (!collector.check_path(path, std::string_view(local_path))) return;
    if (!options.check_files_exist) return;
    std::error_code error;
    const auto status = std::filesystem::status(local_path, error);
    if (status.type() == std::filesystem::file_type::not_found) {
        collector.add(path, "file not found: " + quote_for_message(local_path));
    } else if (error) {
        collector.add(path, "cannot access " + quote_for_message(local_path) + ": " + error.message());
    } else if (status.type() == std::filesystem::file_type::directory) {
        collector.add(path, "is a directory, not a disk image: " + quote_for_message(local_path));
    } else if (status.type() != std::filesystem::file_type::regular) {
        // A device never ends (/dev/zero) and a FIFO blocks: only a regular
        // file (or a link to one) is a disk image.
        collector.add(path, "is " + std::string(describe_file_type(status.type())) +
                                ", not a regular file: " + quote_for_message(local_path));
    }
}

void validate_disks(IssueCollector& collector, const std::vector<ManifestDisk>& disks,
                    const ValidationOptions& options) {
    if (disks.empty()) collector.add("disks", "must list at least one disk");
    std::map<std::string, size_t> first_index_of_id;
    for (size_t index = 0; index < disks.size(); ++index) {
        const ManifestDisk& disk = disks[index];
        const std::string prefix = "disks[" + std::to_string(index) + "].";
        if (!matches_disk_id(disk.id)) {
            collector.add(prefix + "id", "must match ^[a-zA-Z0-9_-]+$ (letters, digits, '_' and '-'), got " +
                                             quote_for_message(disk.id));
        } else if (const auto [it, inserted] = first_index_of_id.emplace(disk.id, index); !inserted) {
            collector.add(prefix + "id", "duplicate id " + quote_for_message(disk.id) +
                                             " (already used by disks[" + std::to_string(it->second) + "])");
        }
        collector.check_enum(prefix + "source_format", std::optional(disk.source_format), kDiskSourceFormats);
        collector.check_minimum(prefix + "bytes", disk.bytes, 0);
        validate_local_path(collector, prefix + "local_path", disk.local_path, options);
        if (disk.checksum && !matches_checksum(*disk.checksum))
            collector.add(prefix + "checksum",
                          "expected \"sha256:\" followed by 64 lowercase hex digits, got " +
                              quote_for_message(*disk.checksum));
        collector.check_minimum(prefix + "boot_order_hint", disk.boot_order_hint, 0);
        collector.check_enum(prefix + "disk_type", disk.disk_type, kDiskTypes);
    }
}

// The report must land inside the output directory: hyper2kvm (and our
// converters) write it wherever the manifest says, replacing what is there.
void validate_report_path(IssueCollector& collector, const Manifest& manifest) {
    const std::optional<std::string>& report = manifest.options->report->path;
    // Absent or empty: hyper2kvm's default, <output directory>/report.json.
    if (!report || report->empty()) return;
    if (!collector.check_path("options.report.path", report)) return;
    const std::optional<std::string> no_directory;
    const auto& output_directory = manifest.output ? manifest.output->directory : no_directory;
    if (!path_rules::report_lies_inside_output(*report, output_directory))
        collector.add("options.report.path",
                      "must lie inside the output directory (a file path relative to it, or an absolute path "
                      "under an absolute output.directory), got " +
                          quote_for_message(*report));
}

void validate_pipeline(IssueCollector& collector, const ManifestPipeline& pipeline) {
    if (pipeline.fix) collector.check_enum("pipeline.fix.fstab_mode", pipeline.fix->fstab_mode, kFstabModes);
    if (pipeline.convert)
        collector.check_range("pipeline.convert.compress_level", pipeline.convert->compress_level, 1, 9);
}

}  // namespace

bool is_manifest_mac(std::string_view mac) {
    if (mac.size() != 17) return false;
    for (size_t i = 0; i < mac.size(); ++i) {
        const unsigned char c = mac[i];
        if (i % 3 == 2) {
            if (c != ':' && c != '-') return false;
        } else if (!is_hex(c)) {
            return false;
        }
    }
    return true;
}

std::string format_issues(const std::vector<ValidationIssue>& issues) {
    std::string text;
    for (const ValidationIssue& issue : issues) {
        if (!text.empty()) text += '\n';
        text += issue.to_string();
    }
    return text;
}

std::vector<ValidationIssue> validate_manifest(const Manifest& manifest, const ValidationOptions& options) {
    std::vector<ValidationIssue> issues;
    IssueCollector collector(issues);

    if (manifest.manifest_version != kManifestVersion)
        collector.add("manifest_version",
                      "must be \"1.0\", got " + quote_for_message(manifest.manifest_version));

    if (manifest.source)
        collector.check_timestamp("source.export_timestamp", manifest.source->export_timestamp);

    if (manifest.vm) {
        collector.check_minimum("vm.cpu", manifest.vm->cpu, 1);
        collector.check_minimum("vm.mem_gb", manifest.vm->mem_gb, 1);
        const bool says_efi = manifest.vm->firmware && normalize_firmware(*manifest.vm->firmware) == "uefi";
        collector.check_enum("vm.firmware", manifest.vm->firmware, kFirmwareKinds,
                             says_efi ? "write \"uefi\"; normalize_firmware() maps provider names" : "");
    }

    validate_disks(collector, manifest.disks, options);

    for (size_t index = 0; index < manifest.nics.size(); ++index) {
        const auto& mac = manifest.nics[index].mac;
        if (mac && !is_manifest_mac(*mac))
            collector.add(
                "nics[" + std::to_string(index) + "].mac",
                "must be a MAC address like aa:bb:cc:dd:ee:ff (or with '-'), got " + quote_for_message(*mac));
    }
    for (size_t index = 0; index < manifest.warnings.size(); ++index)
        collector.check_timestamp("warnings[" + std::to_string(index) + "].timestamp",
                                  manifest.warnings[index].timestamp);

    if (manifest.metadata) collector.check_timestamp("metadata.created_at", manifest.metadata->created_at);
    if (manifest.pipeline) validate_pipeline(collector, *manifest.pipeline);
    if (manifest.configuration) {
        collector.check_json_object("configuration.users", manifest.configuration->users);
        collector.check_json_object("configuration.services", manifest.configuration->services);
        collector.check_json_object("configuration.hostname", manifest.configuration->hostname);
        collector.check_json_object("configuration.network", manifest.configuration->network);
    }
    if (manifest.output) {
        collector.check_path("output.directory", manifest.output->directory);
        collector.check_enum("output.format", manifest.output->format, kOutputFormats);
        collector.check_path("output.filename", manifest.output->filename);
    }
    if (manifest.options) {
        collector.check_range("options.verbose", manifest.options->verbose, 0, 3);
        if (manifest.options->report) validate_report_path(collector, manifest);
    }
    return issues;
}

}  // namespace hypersdk::manifest
