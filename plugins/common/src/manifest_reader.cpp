#include "hypersdk/plugin_common/manifest_reader.hpp"

#include <hypersdk/cxx/plugin.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

#include "hypersdk/plugin_common/json_access.hpp"

namespace hypersdk::plugin_common {
namespace fs = std::filesystem;
namespace {

bool valid_disk_id(const std::string& id) {
    if (id.empty()) return false;
    return std::all_of(id.begin(), id.end(),
                       [](unsigned char c) { return std::isalnum(c) != 0 || c == '_' || c == '-'; });
}

ManifestStage read_stage(const rapidjson::Value& pipeline, const char* name) {
    ManifestStage stage;
    const std::string prefix = key_path("pipeline", name);
    const rapidjson::Value* v = get_object(pipeline, name, "pipeline");
    if (v == nullptr) return stage;
    stage.present = true;
    const auto enabled = get_bool(*v, "enabled", prefix);
    if (!enabled)
        throw JsonError("key '" + prefix + ".enabled' is required when '" + prefix + "' is present");
    stage.enabled = *enabled;
    return stage;
}

ManifestDisk read_disk(const rapidjson::Value& item, size_t index, const std::string& manifest_dir) {
    const std::string prefix = "disks[" + std::to_string(index) + "]";
    if (!item.IsObject()) throw JsonError("key '" + prefix + "' must be an object");
    auto required_string = [&](const char* key) {
        auto value = get_string(item, key, prefix);
        if (!value || value->empty()) throw JsonError("key '" + key_path(prefix, key) + "' is required");
        return *value;
    };
    ManifestDisk disk;
    disk.id = required_string("id");
    if (!valid_disk_id(disk.id))
        throw JsonError("key '" + prefix + ".id' must match ^[a-zA-Z0-9_-]+$, not '" + disk.id + "'");
    disk.source_format = required_string("source_format");
    if (!is_known_disk_format(disk.source_format))
        throw JsonError("key '" + prefix +
                        ".source_format' must be one of vmdk, qcow2, raw, vhd, vhdx, vdi, not '" +
                        disk.source_format + "'");
    disk.local_path = required_string("local_path");
    // The schema wants absolute paths; accept relative ones against the
    // manifest's directory rather than the process's, which is arbitrary.
    if (fs::path(disk.local_path).is_relative())
        disk.local_path = (fs::path(manifest_dir) / disk.local_path).string();
    const auto bytes = get_int(item, "bytes", prefix, 0);
    if (!bytes) throw JsonError("key '" + prefix + ".bytes' is required");
    disk.bytes = static_cast<uint64_t>(*bytes);
    disk.boot_order_hint = get_int(item, "boot_order_hint", prefix, 0).value_or(999);
    disk.checksum = get_string(item, "checksum", prefix).value_or("");
    disk.label = get_string(item, "label", prefix).value_or(disk.id);
    return disk;
}

}  // namespace

bool is_known_disk_format(const std::string& format) {
    static const std::set<std::string> known{"vmdk", "qcow2", "raw", "vhd", "vhdx", "vdi"};
    return known.count(format) != 0;
}

std::string Manifest::effective_output_directory() const {
    if (output_directory.empty()) return (fs::path(directory) / "output").string();
    const fs::path out(output_directory);
    return (out.is_absolute() ? out : fs::path(directory) / out).lexically_normal().string();
}

std::string Manifest::effective_report_path() const {
    const fs::path out(effective_output_directory());
    if (report_path.empty()) return (out / "report.json").string();
    const fs::path report(report_path);
    return (report.is_absolute() ? report : out / report).lexically_normal().string();
}

std::vector<ManifestDisk> Manifest::disks_in_boot_order() const {
    std::vector<ManifestDisk> ordered = disks;
    std::stable_sort(ordered.begin(), ordered.end(), [](const ManifestDisk& a, const ManifestDisk& b) {
        return a.boot_order_hint < b.boot_order_hint;
    });
    return ordered;
}

Manifest read_manifest(const std::string& path) {
    Manifest m;
    std::error_code ec;
    const fs::path abs = fs::absolute(path, ec).lexically_normal();
    m.path = abs.string();
    m.directory = abs.parent_path().string();
    if (!fs::is_regular_file(abs, ec))
        throw cxx::Error(HYPERSDK_ERR_NOT_FOUND, "manifest " + m.path + " does not exist or is not a file");
    try {
        const rapidjson::Document doc = parse_json(read_text_file(m.path), "manifest " + m.path);
        if (!doc.IsObject()) throw JsonError("the top level must be a JSON object");
        const auto version = get_string(doc, "manifest_version", "");
        if (!version) throw JsonError("key 'manifest_version' is required");
        if (*version != "1.0")
            throw JsonError("key 'manifest_version' must be \"1.0\", not \"" + *version + "\"");
        m.manifest_version = *version;

        if (const rapidjson::Value* source = get_object(doc, "source", "")) {
            m.source_provider = get_string(*source, "provider", "source").value_or("");
            m.source_vm_id = get_string(*source, "vm_id", "source").value_or("");
            m.source_vm_name = get_string(*source, "vm_name", "source").value_or("");
        }

        const rapidjson::Value* disks = get_array(doc, "disks", "");
        if (disks == nullptr || disks->Empty()) throw JsonError("key 'disks' must list at least one disk");
        std::set<std::string> ids;
        for (rapidjson::SizeType i = 0; i < disks->Size(); ++i) {
            ManifestDisk disk = read_disk((*disks)[i], i, m.directory);
            if (!ids.insert(disk.id).second)
                throw JsonError("key 'disks[" + std::to_string(i) + "].id' repeats the id '" + disk.id + "'");
            m.disks.push_back(std::move(disk));
        }

        if (const rapidjson::Value* output = get_object(doc, "output", "")) {
            m.output_directory = get_string(*output, "directory", "output").value_or("");
            m.output_format = get_string(*output, "format", "output").value_or("");
        }

        if (const rapidjson::Value* pipeline = get_object(doc, "pipeline", "")) {
            m.inspect = read_stage(*pipeline, "inspect");
            m.fix = read_stage(*pipeline, "fix");
            m.convert = read_stage(*pipeline, "convert");
            m.validate = read_stage(*pipeline, "validate");
            if (const rapidjson::Value* convert = get_object(*pipeline, "convert", "pipeline")) {
                m.convert_compress = get_bool(*convert, "compress", "pipeline.convert").value_or(false);
                m.compress_level = static_cast<int>(
                    get_int(*convert, "compress_level", "pipeline.convert", 1, 9).value_or(0));
            }
        }

        if (const rapidjson::Value* options = get_object(doc, "options", "")) {
            m.dry_run = get_bool(*options, "dry_run", "options").value_or(false);
            m.verbose = static_cast<int>(get_int(*options, "verbose", "options", 0, 3).value_or(0));
            if (const rapidjson::Value* report = get_object(*options, "report", "options")) {
                m.report_enabled = get_bool(*report, "enabled", "options.report").value_or(true);
                m.report_path = get_string(*report, "path", "options.report").value_or("");
            }
        }
    } catch (const JsonError& e) {
        const std::string what = e.what();
        // parse_json already names the file.
        if (what.rfind("manifest ", 0) == 0 || what.rfind("cannot read", 0) == 0)
            throw cxx::Error(HYPERSDK_ERR_INVALID_ARGUMENT, what);
        throw cxx::Error(HYPERSDK_ERR_INVALID_ARGUMENT, "manifest " + m.path + ": " + what);
    }
    return m;
}

}  // namespace hypersdk::plugin_common
