#include "hypersdk/manifest/reader.hpp"

#include "hypersdk/manifest/regular_file.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <system_error>

namespace hypersdk::manifest {

namespace {

using rapidjson::Value;

constexpr const char* kDocumentPath = "(document)";

bool is_plain_key(std::string_view key) {
    if (key.empty()) return false;
    for (unsigned char c : key)
        if (!std::isalnum(c) && c != '_' && c != '-') return false;
    return true;
}

std::string member_path(const std::string& parent, std::string_view key) {
    if (is_plain_key(key)) return parent.empty() ? std::string(key) : parent + "." + std::string(key);
    return parent + "[" + quote_for_message(key) + "]";
}

std::string element_path(const std::string& parent, size_t index) {
    return parent + "[" + std::to_string(index) + "]";
}

std::string describe_type(const Value& value) {
    switch (value.GetType()) {
        case rapidjson::kNullType:
            return "null";
        case rapidjson::kFalseType:
        case rapidjson::kTrueType:
            return "a boolean";
        case rapidjson::kObjectType:
            return "an object";
        case rapidjson::kArrayType:
            return "an array";
        case rapidjson::kStringType:
            return "a string";
        case rapidjson::kNumberType:
            return "a number";
    }
    return "an unknown type";
}

std::string serialize(const Value& value) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    value.Accept(writer);
    return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace

namespace {

class DocumentReader {
public:
    explicit DocumentReader(std::vector<ValidationIssue>& issues) : issues_(issues) {}

    void read_manifest(const Value& root, Manifest& manifest);

private:
    void add(const std::string& path, std::string message) { issues_.push_back({path, std::move(message)}); }

    void type_error(const std::string& path, std::string_view expected, const Value& value) {
        add(path, "must be " + std::string(expected) + ", got " + describe_type(value));
    }

    void missing(const std::string& parent, std::string_view key) {
        add(member_path(parent, key), "required key is missing");
    }

    std::optional<std::string> read_string(const Value& value, const std::string& path) {
        if (value.IsString()) return std::string(value.GetString(), value.GetStringLength());
        type_error(path, "a string", value);
        return std::nullopt;
    }

    std::optional<bool> read_bool(const Value& value, const std::string& path) {
        if (value.IsBool()) return value.GetBool();
        type_error(path, "a boolean", value);
        return std::nullopt;
    }

    // JSON Schema counts 3.0 as an integer, so integral doubles are accepted.
    std::optional<int64_t> read_integer(const Value& value, const std::string& path) {
        if (value.IsInt64()) return value.GetInt64();
        if (value.IsUint64()) {
            add(path, "integer out of range: " + std::to_string(value.GetUint64()));
            return std::nullopt;
        }
        if (value.IsDouble()) {
            const double number = value.GetDouble();
            // 2^63 is exactly representable; anything at or beyond it is not an int64.
            constexpr double kLimit = 9223372036854775808.0;
            if (std::isfinite(number) && std::trunc(number) == number && number >= -kLimit && number < kLimit)
                return static_cast<int64_t>(number);
            char text[40];
            std::snprintf(text, sizeof text, "%.17g", number);
            add(path, std::trunc(number) == number ? std::string("integer out of range: ") + text
                                                   : std::string("must be an integer, got ") + text);
            return std::nullopt;
        }
        type_error(path, "an integer", value);
        return std::nullopt;
    }

    std::optional<std::string> read_object_as_json(const Value& value, const std::string& path) {
        if (value.IsObject()) return serialize(value);
        type_error(path, "a JSON object", value);
        return std::nullopt;
    }

    // Calls handle(key, value, path) once per distinct key; a repeated key is
    // an issue, because JSON readers disagree on which occurrence wins.
    template <typename Handler>
    bool for_each_member(const Value& object, const std::string& path, Handler handle) {
        if (!object.IsObject()) {
            type_error(path, "an object", object);
            return false;
        }
        std::set<std::string_view> seen;
        for (const auto& member : object.GetObject()) {
            const std::string_view key(member.name.GetString(), member.name.GetStringLength());
            const std::string child_path = member_path(path, key);
            if (!seen.insert(key).second) {
                add(child_path, "duplicate key (only the first occurrence is used)");
                continue;
            }
            handle(key, member.value, child_path);
        }
        return true;
    }

    void keep_unknown(UnknownJsonFields& unknown, std::string_view key, const Value& value) {
        unknown.emplace_back(std::string(key), serialize(value));
    }

    void read_disk(const Value& value, const std::string& path, ManifestDisk& disk);
    void read_source(const Value& value, const std::string& path, ManifestSource& source);
    void read_vm(const Value& value, const std::string& path, ManifestVm& vm);
    void read_nic(const Value& value, const std::string& path, ManifestNic& nic);
    void read_warning(const Value& value, const std::string& path, ManifestWarning& warning);
    void read_metadata(const Value& value, const std::string& path, ManifestMetadata& metadata);
    void read_pipeline(const Value& value, const std::string& path, ManifestPipeline& pipeline);
    void read_configuration(const Value& value, const std::string& path,
                            ManifestConfiguration& configuration);
    void read_output(const Value& value, const std::string& path, ManifestOutput& output);
    void read_options(const Value& value, const std::string& path, ManifestOptions& options);

    // Reads an array of objects, keeping one element per JSON element so that
    // indices in later messages match the document.
    template <typename Element, typename ReadElement>
    void read_array(const Value& value, const std::string& path, std::vector<Element>& out,
                    ReadElement read) {
        if (!value.IsArray()) {
            type_error(path, "an array", value);
            return;
        }
        for (rapidjson::SizeType index = 0; index < value.Size(); ++index) {
            Element element{};
            read(value[index], element_path(path, index), element);
            out.push_back(std::move(element));
        }
    }

    // A pipeline stage: `enabled` required, the given booleans optional.
    template <typename Stage, typename ReadField>
    std::optional<Stage> read_stage(const Value& value, const std::string& path, ReadField read_field) {
        Stage stage{};
        bool has_enabled = false;
        const bool is_object =
            for_each_member(value, path, [&](std::string_view key, const Value& v, const std::string& p) {
                if (key == "enabled") {
                    has_enabled = true;
                    if (auto enabled = read_bool(v, p)) stage.enabled = *enabled;
                } else if (!read_field(stage, key, v, p)) {
                    keep_unknown(stage.unknown_fields, key, v);
                }
            });
        if (!is_object) return std::nullopt;
        if (!has_enabled) missing(path, "enabled");
        return stage;
    }

    std::vector<ValidationIssue>& issues_;
};

void DocumentReader::read_manifest(const Value& root, Manifest& manifest) {
    bool has_version = false, has_disks = false;
    manifest.manifest_version.clear();
    for_each_member(root, "", [&](std::string_view key, const Value& value, const std::string& path) {
        if (key == "manifest_version") {
            has_version = true;
            if (auto version = read_string(value, path)) manifest.manifest_version = *version;
        } else if (key == "disks") {
            has_disks = true;
            read_array(
                value, path, manifest.disks,
                [&](const Value& v, const std::string& p, ManifestDisk& disk) { read_disk(v, p, disk); });
        } else if (key == "source") {
            manifest.source.emplace();
            read_source(value, path, *manifest.source);
        } else if (key == "vm") {
            manifest.vm.emplace();
            read_vm(value, path, *manifest.vm);
        } else if (key == "nics") {
            read_array(value, path, manifest.nics,
                       [&](const Value& v, const std::string& p, ManifestNic& nic) { read_nic(v, p, nic); });
        } else if (key == "notes") {
            read_array(value, path, manifest.notes,
                       [&](const Value& v, const std::string& p, std::string& note) {
                           if (auto text = read_string(v, p)) note = *text;
                       });
        } else if (key == "warnings") {
            read_array(
                value, path, manifest.warnings,
                [&](const Value& v, const std::string& p, ManifestWarning& w) { read_warning(v, p, w); });
        } else if (key == "metadata") {
            manifest.metadata.emplace();
            read_metadata(value, path, *manifest.metadata);
        } else if (key == "pipeline") {
            manifest.pipeline.emplace();
            read_pipeline(value, path, *manifest.pipeline);
        } else if (key == "configuration") {
            manifest.configuration.emplace();
            read_configuration(value, path, *manifest.configuration);
        } else if (key == "output") {
            manifest.output.emplace();
            read_output(value, path, *manifest.output);
        } else if (key == "options") {
            manifest.options.emplace();
            read_options(value, path, *manifest.options);
        } else {
            keep_unknown(manifest.unknown_fields, key, value);
        }
    });
    if (!has_version) missing("", "manifest_version");
    if (!has_disks) missing("", "disks");
}

void DocumentReader::read_disk(const Value& value, const std::string& path, ManifestDisk& disk) {
    bool has_id = false, has_format = false, has_bytes = false, has_path = false;
    const bool is_object =
        for_each_member(value, path, [&](std::string_view key, const Value& v, const std::string& p) {
            if (key == "id") {
                has_id = true;
                if (auto id = read_string(v, p)) disk.id = *id;
            } else if (key == "source_format") {
                has_format = true;
                if (auto format = read_string(v, p)) disk.source_format = *format;
            } else if (key == "bytes") {
                has_bytes = true;
                if (auto bytes = read_integer(v, p)) disk.bytes = *bytes;
            } else if (key == "local_path") {
                has_path = true;
                if (auto local_path = read_string(v, p)) disk.local_path = *local_path;
            } else if (key == "checksum") {
                disk.checksum = read_string(v, p);
            } else if (key == "boot_order_hint") {
                disk.boot_order_hint = read_integer(v, p);
            } else if (key == "label") {
                disk.label = read_string(v, p);
            } else if (key == "disk_type") {
                disk.disk_type = read_string(v, p);
            } else {
                keep_unknown(disk.unknown_fields, key, v);
            }
        });
    if (!is_object) return;
    if (!has_id) missing(path, "id");
    if (!has_format) missing(path, "source_format");
    if (!has_bytes) missing(path, "bytes");
    if (!has_path) missing(path, "local_path");
}

void DocumentReader::read_source(const Value& value, const std::string& path, ManifestSource& source) {
    for_each_member(value, path, [&](std::string_view key, const Value& v, const std::string& p) {
        if (key == "provider")
            source.provider = read_string(v, p);
        else if (key == "vm_id")
            source.vm_id = read_string(v, p);
        else if (key == "vm_name")
            source.vm_name = read_string(v, p);
        else if (key == "datacenter")
            source.datacenter = read_string(v, p);
        else if (key == "export_timestamp")
            source.export_timestamp = read_string(v, p);
        else if (key == "export_method")
            source.export_method = read_string(v, p);
        else
            keep_unknown(source.unknown_fields, key, v);
    });
}

void DocumentReader::read_vm(const Value& value, const std::string& path, ManifestVm& vm) {
    for_each_member(value, path, [&](std::string_view key, const Value& v, const std::string& p) {
        if (key == "cpu")
            vm.cpu = read_integer(v, p);
        else if (key == "mem_gb")
            vm.mem_gb = read_integer(v, p);
        else if (key == "firmware")
            vm.firmware = read_string(v, p);
        else if (key == "secureboot")
            vm.secureboot = read_bool(v, p);
        else if (key == "os_hint")
            vm.os_hint = read_string(v, p);
        else if (key == "os_version")
            vm.os_version = read_string(v, p);
        else
            keep_unknown(vm.unknown_fields, key, v);
    });
}

void DocumentReader::read_nic(const Value& value, const std::string& path, ManifestNic& nic) {
    for_each_member(value, path, [&](std::string_view key, const Value& v, const std::string& p) {
        if (key == "id")
            nic.id = read_string(v, p);
        else if (key == "mac")
            nic.mac = read_string(v, p);
        else if (key == "network")
            nic.network = read_string(v, p);
        else
            keep_unknown(nic.unknown_fields, key, v);
    });
}

void DocumentReader::read_warning(const Value& value, const std::string& path, ManifestWarning& warning) {
    bool has_stage = false, has_message = false;
    const bool is_object =
        for_each_member(value, path, [&](std::string_view key, const Value& v, const std::string& p) {
            if (key == "stage") {
                has_stage = true;
                if (auto stage = read_string(v, p)) warning.stage = *stage;
            } else if (key == "message") {
                has_message = true;
                if (auto message = read_string(v, p)) warning.message = *message;
            } else if (key == "timestamp") {
                warning.timestamp = read_string(v, p);
            } else {
                keep_unknown(warning.unknown_fields, key, v);
            }
        });
    if (!is_object) return;
    if (!has_stage) missing(path, "stage");
    if (!has_message) missing(path, "message");
}

void DocumentReader::read_metadata(const Value& value, const std::string& path, ManifestMetadata& metadata) {
    for_each_member(value, path, [&](std::string_view key, const Value& v, const std::string& p) {
        if (key == "hypersdk_version") {
            metadata.hypersdk_version = read_string(v, p);
        } else if (key == "job_id") {
            metadata.job_id = read_string(v, p);
        } else if (key == "created_at") {
            metadata.created_at = read_string(v, p);
        } else if (key == "tags") {
            std::map<std::string, std::string> tags;
            const bool is_object =
                for_each_member(v, p, [&](std::string_view tag, const Value& tv, const std::string& tp) {
                    if (auto text = read_string(tv, tp)) tags.emplace(std::string(tag), *text);
                });
            if (is_object) metadata.tags = std::move(tags);
        } else {
            keep_unknown(metadata.unknown_fields, key, v);
        }
    });
}

void DocumentReader::read_pipeline(const Value& value, const std::string& path, ManifestPipeline& pipeline) {
    for_each_member(value, path, [&](std::string_view key, const Value& v, const std::string& p) {
        if (key == "inspect") {
            pipeline.inspect = read_stage<InspectStage>(
                v, p,
                [&](InspectStage& stage, std::string_view field, const Value& fv, const std::string& fp) {
                    if (field != "collect_guest_info") return false;
                    stage.collect_guest_info = read_bool(fv, fp);
                    return true;
                });
        } else if (key == "fix") {
            pipeline.fix = read_stage<FixStage>(
                v, p, [&](FixStage& stage, std::string_view field, const Value& fv, const std::string& fp) {
                    if (field == "backup")
                        stage.backup = read_bool(fv, fp);
                    else if (field == "print_fstab")
                        stage.print_fstab = read_bool(fv, fp);
                    else if (field == "update_grub")
                        stage.update_grub = read_bool(fv, fp);
                    else if (field == "regen_initramfs")
                        stage.regen_initramfs = read_bool(fv, fp);
                    else if (field == "fstab_mode")
                        stage.fstab_mode = read_string(fv, fp);
                    else if (field == "remove_vmware_tools")
                        stage.remove_vmware_tools = read_bool(fv, fp);
                    else
                        return false;
                    return true;
                });
        } else if (key == "convert") {
            pipeline.convert = read_stage<ConvertStage>(
                v, p,
                [&](ConvertStage& stage, std::string_view field, const Value& fv, const std::string& fp) {
                    if (field == "compress")
                        stage.compress = read_bool(fv, fp);
                    else if (field == "compress_level")
                        stage.compress_level = read_integer(fv, fp);
                    else
                        return false;
                    return true;
                });
        } else if (key == "validate") {
            pipeline.validate = read_stage<ValidateStage>(
                v, p,
                [&](ValidateStage& stage, std::string_view field, const Value& fv, const std::string& fp) {
                    if (field != "check_image_integrity") return false;
                    stage.check_image_integrity = read_bool(fv, fp);
                    return true;
                });
        } else {
            // The schema sets additionalProperties: false here.
            add(p, "unknown key (pipeline allows only inspect, fix, convert, validate)");
        }
    });
}

void DocumentReader::read_configuration(const Value& value, const std::string& path,
                                        ManifestConfiguration& configuration) {
    for_each_member(value, path, [&](std::string_view key, const Value& v, const std::string& p) {
        if (key == "users")
            configuration.users = read_object_as_json(v, p);
        else if (key == "services")
            configuration.services = read_object_as_json(v, p);
        else if (key == "hostname")
            configuration.hostname = read_object_as_json(v, p);
        else if (key == "network")
            configuration.network = read_object_as_json(v, p);
        else
            keep_unknown(configuration.unknown_fields, key, v);
    });
}

void DocumentReader::read_output(const Value& value, const std::string& path, ManifestOutput& output) {
    for_each_member(value, path, [&](std::string_view key, const Value& v, const std::string& p) {
        if (key == "directory")
            output.directory = read_string(v, p);
        else if (key == "format")
            output.format = read_string(v, p);
        else if (key == "filename")
            output.filename = read_string(v, p);
        else
            keep_unknown(output.unknown_fields, key, v);
    });
}

void DocumentReader::read_options(const Value& value, const std::string& path, ManifestOptions& options) {
    for_each_member(value, path, [&](std::string_view key, const Value& v, const std::string& p) {
        if (key == "dry_run") {
            options.dry_run = read_bool(v, p);
        } else if (key == "verbose") {
            options.verbose = read_integer(v, p);
        } else if (key == "report") {
            ManifestReportOptions report;
            const bool is_object =
                for_each_member(v, p, [&](std::string_view rk, const Value& rv, const std::string& rp) {
                    if (rk == "enabled")
                        report.enabled = read_bool(rv, rp);
                    else if (rk == "path")
                        report.path = read_string(rv, rp);
                    else
                        keep_unknown(report.unknown_fields, rk, rv);
                });
            if (is_object) options.report = std::move(report);
        } else {
            keep_unknown(options.unknown_fields, key, v);
        }
    });
}

// True when `path` is `prefix` or lies inside it ("disks[0].id" inside "disks[0]").
bool is_within(const std::string& path, const std::string& prefix) {
    if (path.compare(0, prefix.size(), prefix) != 0) return false;
    return path.size() == prefix.size() || path[prefix.size()] == '.' || path[prefix.size()] == '[';
}

}  // namespace

namespace {

ManifestReadResult unreadable(const std::filesystem::path& path, const std::string& reason) {
    ManifestReadResult result;
    result.issues.push_back(
        {kDocumentPath, "cannot read " + quote_for_message(path.string()) + ": " + reason});
    return result;
}

}  // namespace

ManifestReadResult parse_manifest(std::string_view json_text) {
    ManifestReadResult result;
    rapidjson::Document document;
    if (std::string reason = parse_json_into(document, json_text, kManifestJsonLimits); !reason.empty()) {
        result.issues.push_back({kDocumentPath, std::move(reason)});
        return result;
    }
    if (!document.IsObject()) {
        result.issues.push_back({kDocumentPath, "must be a JSON object, got " + describe_type(document)});
        return result;
    }
    result.parsed = true;
    DocumentReader(result.issues).read_manifest(document, result.manifest);
    return result;
}

ManifestReadResult read_manifest_file(const std::filesystem::path& path) {
    std::string text;
    try {
        text = read_regular_file(path, kManifestJsonLimits.max_bytes);
    } catch (const std::system_error& error) {
        return unreadable(path, error.code().message());
    } catch (const UnreadableFileError& error) {
        return unreadable(path, error.reason());
    }
    return parse_manifest(text);
}

std::vector<ValidationIssue> validate_read_result(const ManifestReadResult& read,
                                                  const ValidationOptions& options) {
    std::vector<ValidationIssue> issues = read.issues;
    if (!read.parsed) return issues;
    for (ValidationIssue& issue : validate_manifest(read.manifest, options)) {
        const bool already_reported =
            std::any_of(read.issues.begin(), read.issues.end(),
                        [&](const ValidationIssue& r) { return is_within(issue.path, r.path); });
        if (!already_reported) issues.push_back(std::move(issue));
    }
    return issues;
}

}  // namespace hypersdk::manifest
