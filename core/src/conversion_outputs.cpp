#include "hypersdk/core/conversion_outputs.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sys/stat.h>
#include <unistd.h>
#include <hypersdk/files/directory.hpp>

#include <algorithm>
#include <cerrno>
#include <hypersdk/manifest/json_limits.hpp>
#include <optional>

namespace hypersdk::core {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxRecordBytes = 1u << 20;
constexpr std::string_view kPartSuffix = ".part";

struct FileId {
    dev_t dev = 0;
    ino_t ino = 0;
    bool operator==(const FileId&) const = default;
};

std::optional<FileId> id_of(const fs::path& path, bool follow) {
    struct stat st {};
    if ((follow ? ::stat(path.c_str(), &st) : ::lstat(path.c_str(), &st)) != 0) return std::nullopt;
    return FileId{st.st_dev, st.st_ino};
}

// A recorded output as one lstat sees it: (dev, ino) plus when the inode
// last changed (st_ctim, ns), which tells it from a new file that reused its
// inode number (one deleted and another written in its place); nobody can set
// st_ctim back. changed_ns 0 = unknown (a record from before it).
struct OutputStamp {
    FileId id;
    int64_t changed_ns = 0;
    bool regular = false;
};

std::optional<OutputStamp> stamp_of(const fs::path& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return std::nullopt;
    return OutputStamp{FileId{st.st_dev, st.st_ino},
                       static_cast<int64_t>(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec,
                       S_ISREG(st.st_mode)};
}

struct RecordedOutput {
    std::string path;
    std::string manifest;
    std::string source;  // "" for the report
    FileId id;
    int64_t changed_ns = 0;

    // The file at `path` is still the one recorded.
    bool unchanged() const {
        const auto now = stamp_of(path);
        return now && now->id == id && (changed_ns == 0 || now->changed_ns == changed_ns);
    }
};

// What the host records and offers back besides the report: files directly in the output directory.
bool directly_in(const fs::path& directory, const fs::path& path) {
    return path.is_absolute() &&
           path.lexically_normal().parent_path() == (directory / "x").lexically_normal().parent_path();
}

fs::path job_identity(const fs::path& manifest_path) {
    std::error_code ec;
    fs::path canonical = fs::weakly_canonical(manifest_path, ec);
    return ec ? manifest_path.lexically_normal() : canonical;
}

// The record's entries; an unreadable or foreign record is no record.
std::vector<RecordedOutput> read_record(const fs::path& directory) {
    std::vector<RecordedOutput> entries;
    std::optional<std::string> text;
    try {
        const files::Directory dir(directory);
        const files::UniqueFd fd = dir.open_regular(kConversionRecordFileName, O_RDONLY);
        if (!fd) return entries;
        text = files::read_all(fd.get(), kMaxRecordBytes, dir.path_of(kConversionRecordFileName));
    } catch (const files::Error&) {
        return entries;
    }
    if (!text) return entries;
    rapidjson::Document document;
    if (!manifest::parse_json_into(document, *text, {kMaxRecordBytes}).empty() || !document.IsObject())
        return entries;
    const auto outputs = document.FindMember("outputs");
    if (outputs == document.MemberEnd() || !outputs->value.IsArray()) return entries;
    for (const auto& item : outputs->value.GetArray()) {
        if (!item.IsObject() || !item.HasMember("path") || !item["path"].IsString() ||
            !item.HasMember("manifest") || !item["manifest"].IsString() || !item.HasMember("dev") ||
            !item["dev"].IsUint64() || !item.HasMember("ino") || !item["ino"].IsUint64())
            continue;
        const auto source = item.FindMember("source");
        const auto changed = item.FindMember("changed_ns");
        entries.push_back(
            {item["path"].GetString(), item["manifest"].GetString(),
             source != item.MemberEnd() && source->value.IsString() ? source->value.GetString() : "",
             FileId{static_cast<dev_t>(item["dev"].GetUint64()), static_cast<ino_t>(item["ino"].GetUint64())},
             changed != item.MemberEnd() && changed->value.IsInt64() ? changed->value.GetInt64() : 0});
    }
    return entries;
}

std::string record_json(const std::vector<RecordedOutput>& entries) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartObject();
    writer.Key("version");
    writer.Int(1);
    writer.Key("outputs");
    writer.StartArray();
    for (const auto& entry : entries) {
        writer.StartObject();
        writer.Key("path");
        writer.String(entry.path);
        writer.Key("manifest");
        writer.String(entry.manifest);
        writer.Key("source");
        writer.String(entry.source);
        writer.Key("dev");
        writer.Uint64(static_cast<uint64_t>(entry.id.dev));
        writer.Key("ino");
        writer.Uint64(static_cast<uint64_t>(entry.id.ino));
        writer.Key("changed_ns");
        writer.Int64(entry.changed_ns);
        writer.EndObject();
    }
    writer.EndArray();
    writer.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

bool earlier_output_of(const std::vector<RecordedOutput>& record, const ConversionOutput& output,
                       const fs::path& job) {
    return std::any_of(record.begin(), record.end(), [&](const RecordedOutput& recorded) {
        return recorded.path == output.path.string() && recorded.manifest == job.string() &&
               recorded.source == output.source && recorded.unchanged();
    });
}

std::vector<ConversionOutput> all_outputs(const ConversionOutputs& outputs) {
    std::vector<ConversionOutput> all = outputs.disks;
    if (!outputs.report.empty()) all.push_back({outputs.report, ""});
    return all;
}

}  // namespace

ConversionOutputs conversion_outputs(const Manifest& manifest, const fs::path& manifest_path,
                                     const std::string& target_format) {
    ConversionOutputs outputs;
    const fs::path manifest_dir = fs::absolute(manifest_path).parent_path();
    const std::optional<std::string> directory = manifest.output ? manifest.output->directory : std::nullopt;
    if (!directory || directory->empty())
        outputs.directory = manifest_dir / "output";
    else
        outputs.directory =
            fs::path(*directory).is_absolute() ? fs::path(*directory) : manifest_dir / *directory;
    outputs.directory = outputs.directory.lexically_normal();

    std::vector<std::string> formats = {target_format};
    if (manifest.output && manifest.output->format && *manifest.output->format != target_format)
        formats.push_back(*manifest.output->format);
    for (const auto& disk : manifest.disks)
        for (const auto& format : formats)
            outputs.disks.push_back({outputs.directory / (disk.id + "." + format), disk.local_path});

    const auto* report = manifest.options && manifest.options->report ? &*manifest.options->report : nullptr;
    if (report == nullptr || report->enabled.value_or(true)) {
        const fs::path path =
            report != nullptr && report->path ? fs::path(*report->path) : fs::path("report.json");
        outputs.report = (path.is_absolute() ? path : outputs.directory / path).lexically_normal();
    }
    return outputs;
}

std::string check_conversion_outputs(const Manifest& manifest, const fs::path& manifest_path,
                                     const ConversionOutputs& outputs, bool force) {
    struct Source {
        fs::path path;
        FileId id;
    };
    std::vector<Source> sources;
    for (const auto& disk : manifest.disks)
        if (const auto id = id_of(disk.local_path, true)) sources.push_back({disk.local_path, *id});

    std::string clashes;
    std::string existing;
    const fs::path job = job_identity(manifest_path);
    const auto record = read_record(outputs.directory);
    const std::vector<ConversionOutput> all = all_outputs(outputs);
    for (size_t i = 0; i < all.size(); ++i) {
        const fs::path& path = all[i].path;
        for (size_t j = 0; j < i; ++j)
            if (all[j].path == path)
                clashes += "\n  " + path.string() + " would be written twice by this job";
        for (const fs::path& candidate : {path, fs::path(path.string() + std::string(kPartSuffix))}) {
            const auto id = id_of(candidate, true);  // through a symlink: where a write would land
            if (!id) continue;
            for (const auto& source : sources)
                if (source.id == *id)
                    clashes += "\n  " + candidate.string() + " is the source disk " + source.path.string() +
                               (candidate == source.path ? "" : " (the same file by another name)");
        }
        std::error_code ec;
        const bool present = fs::exists(fs::symlink_status(path, ec));
        if (present && !force && !earlier_output_of(record, all[i], job)) existing += "\n  " + path.string();
    }
    if (!clashes.empty())
        return "refusing to convert " + manifest_path.string() +
               ": an output would overwrite a source disk or another output:" + clashes +
               "\nChoose another output.directory (hyperexport manifest create --output-dir DIR), or move "
               "the "
               "source disks away from the output names.";
    if (!existing.empty())
        return "refusing to convert " + manifest_path.string() +
               ": these files exist and are not outputs of an earlier run of this conversion:" + existing +
               "\nMove them away, choose another output.directory, or pass --force to overwrite them.";
    return {};
}

std::string record_conversion_outputs(const fs::path& manifest_path, const ConversionOutputs& outputs,
                                      mode_t file_mode, const std::vector<fs::path>& artifacts) {
    std::error_code ec;
    if (!fs::is_directory(outputs.directory, ec)) return {};  // the converter made nothing
    const fs::path job = job_identity(manifest_path);
    std::vector<RecordedOutput> entries = read_record(outputs.directory);
    std::vector<ConversionOutput> recorded = all_outputs(outputs);
    // A converter's own extra files, but only those directly in the output
    // directory: a path a plugin names elsewhere is never vouched for.
    for (const fs::path& artifact : artifacts)
        if (directly_in(outputs.directory, artifact)) recorded.push_back({artifact.lexically_normal(), ""});
    for (const ConversionOutput& output : recorded) {
        const fs::path& path = output.path;
        std::erase_if(entries, [&](const RecordedOutput& entry) { return entry.path == path.string(); });
        if (const auto stamp = stamp_of(path); stamp && stamp->regular)
            entries.push_back({path.string(), job.string(), output.source, stamp->id, stamp->changed_ns});
    }
    try {
        files::Directory(outputs.directory)
            .write_atomically(kConversionRecordFileName, record_json(entries), file_mode);
    } catch (const files::Error& e) {
        return std::string("cannot record the conversion's outputs (a re-run will need --force): ") +
               e.what();
    }
    return {};
}

std::vector<fs::path> replaceable_outputs(const fs::path& manifest_path, const ConversionOutputs& outputs) {
    std::vector<fs::path> found;
    const std::string job = job_identity(manifest_path).string();
    for (const RecordedOutput& entry : read_record(outputs.directory)) {
        // Only what the host itself would record, whatever a tampered record lists.
        const fs::path path(entry.path);
        if (entry.manifest != job ||
            (!directly_in(outputs.directory, path) && path.lexically_normal() != outputs.report))
            continue;
        if (entry.unchanged()) found.emplace_back(entry.path);
    }
    return found;
}

}  // namespace hypersdk::core
