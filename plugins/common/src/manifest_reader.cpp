#include "hypersdk/plugin_common/manifest_reader.hpp"

#include <hypersdk/cxx/plugin.hpp>
#include <hypersdk/manifest/locations.hpp>
#include <hypersdk/manifest/reader.hpp>

#include <algorithm>
#include <filesystem>

namespace hypersdk::plugin_common {
namespace fs = std::filesystem;
namespace {

template <typename Stage>
ManifestStage stage_of(const std::optional<Stage>& stage) {
    return stage ? ManifestStage{true, stage->enabled} : ManifestStage{};
}

ManifestDisk disk_of(const manifest::ManifestDisk& disk) {
    ManifestDisk out;
    out.id = disk.id;
    out.source_format = disk.source_format;
    out.local_path = disk.local_path;
    out.bytes = static_cast<uint64_t>(disk.bytes);  // the validator guarantees >= 0
    out.boot_order_hint = disk.boot_order_hint.value_or(999);
    out.checksum = disk.checksum.value_or("");
    out.label = disk.label.value_or(disk.id);
    return out;
}

// The flat view converters use, from a manifest that passed validation.
void copy_fields(const manifest::Manifest& model, Manifest& m) {
    m.manifest_version = model.manifest_version;
    if (model.source) {
        m.source_provider = model.source->provider.value_or("");
        m.source_vm_id = model.source->vm_id.value_or("");
        m.source_vm_name = model.source->vm_name.value_or("");
    }
    for (const auto& disk : model.disks) m.disks.push_back(disk_of(disk));
    if (model.output) {
        m.output_directory = model.output->directory.value_or("");
        m.output_format = model.output->format.value_or("");
    }
    if (model.pipeline) {
        m.inspect = stage_of(model.pipeline->inspect);
        m.fix = stage_of(model.pipeline->fix);
        m.convert = stage_of(model.pipeline->convert);
        m.validate = stage_of(model.pipeline->validate);
        if (const auto& convert = model.pipeline->convert) {
            m.convert_compress = convert->compress.value_or(false);
            m.compress_level = static_cast<int>(convert->compress_level.value_or(0));  // 1-9 when given
        }
    }
    if (model.options) {
        m.dry_run = model.options->dry_run.value_or(false);
        m.verbose = static_cast<int>(model.options->verbose.value_or(0));  // 0-3
        if (const auto& report = model.options->report) {
            m.report_enabled = report->enabled.value_or(true);
            m.report_path = report->path.value_or("");
        }
    }
}

}  // namespace

bool is_known_disk_format(const std::string& format) {
    return std::find(manifest::kDiskSourceFormats.begin(), manifest::kDiskSourceFormats.end(), format) !=
           manifest::kDiskSourceFormats.end();
}

std::string Manifest::effective_output_directory() const {
    return manifest::resolve_output_directory(output_directory, directory).string();
}

std::string Manifest::effective_report_path() const {
    return manifest::resolve_report_path(report_path, effective_output_directory()).string();
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
    // Exactly what the host checks before it calls a converter
    // (ConversionManager::plan): the same reader, the same validation.
    const manifest::ManifestReadResult read = manifest::read_manifest_file(abs);
    const auto issues = manifest::validate_read_result(read);
    if (!issues.empty())
        throw cxx::Error(HYPERSDK_ERR_INVALID_ARGUMENT,
                         "manifest " + m.path + " is invalid:\n" + manifest::format_issues(issues));
    copy_fields(read.manifest, m);
    return m;
}

}  // namespace hypersdk::plugin_common
