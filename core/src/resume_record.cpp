#include "hypersdk/core/resume_record.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <unistd.h>
#include <hypersdk/files/directory.hpp>

#include <cerrno>
#include <hypersdk/manifest/json_limits.hpp>
#include <type_traits>
#include <vector>

namespace hypersdk::core {
namespace {

constexpr int kRecordVersion = 1;
constexpr size_t kMaxRecordBytes = 64 * 1024;

bool read_string(const rapidjson::Value& object, const char* key, std::string& out) {
    const auto it = object.FindMember(key);
    if (it == object.MemberEnd() || !it->value.IsString()) return false;
    out.assign(it->value.GetString(), it->value.GetStringLength());
    return true;
}

// Absent is fine (nullopt); present with the wrong type is not.
template <typename T>
bool read_optional(const rapidjson::Value& object, const char* key, std::optional<T>& out) {
    const auto it = object.FindMember(key);
    if (it == object.MemberEnd()) return true;
    if constexpr (std::is_same_v<T, uint64_t>) {
        if (!it->value.IsUint64()) return false;
        out = it->value.GetUint64();
    } else {
        if (!it->value.IsString()) return false;
        out = std::string(it->value.GetString(), it->value.GetStringLength());
    }
    return true;
}

}  // namespace

std::string resume_record_name(std::string_view file_name) {
    return std::string(file_name) + std::string(kResumeRecordSuffix);
}

std::string resume_record_to_json(const ResumeRecord& record) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartObject();
    writer.Key("version");
    writer.Int(kRecordVersion);
    const auto string = [&](const char* key, const std::string& value) {
        writer.Key(key);
        writer.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
    };
    string("provider", record.provider);
    string("vm", record.vm);
    string("kind", record.kind);
    string("id", record.id);
    string("file_name", record.file_name);
    string("format", record.format);
    if (record.expected_bytes) {
        writer.Key("expected_bytes");
        writer.Uint64(*record.expected_bytes);
    }
    if (record.exact_bytes) {
        writer.Key("exact_bytes");
        writer.Uint64(*record.exact_bytes);
    }
    if (record.source_key) string("source_key", *record.source_key);
    writer.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

std::optional<ResumeRecord> parse_resume_record(std::string_view json) {
    rapidjson::Document document;
    if (!manifest::parse_json_into(document, json).empty() || !document.IsObject()) return std::nullopt;
    const auto version = document.FindMember("version");
    if (version == document.MemberEnd() || !version->value.IsInt() ||
        version->value.GetInt() != kRecordVersion)
        return std::nullopt;
    ResumeRecord record;
    if (!read_string(document, "provider", record.provider) || !read_string(document, "vm", record.vm) ||
        !read_string(document, "kind", record.kind) || !read_string(document, "id", record.id) ||
        !read_string(document, "file_name", record.file_name) ||
        !read_string(document, "format", record.format) ||
        !read_optional(document, "expected_bytes", record.expected_bytes) ||
        !read_optional(document, "exact_bytes", record.exact_bytes) ||
        !read_optional(document, "source_key", record.source_key))
        return std::nullopt;
    return record;
}

std::string resume_record_differences(const ResumeRecord& stored, const ResumeRecord& wanted) {
    std::vector<const char*> fields;
    if (stored.provider != wanted.provider) fields.push_back("provider");
    if (stored.vm != wanted.vm) fields.push_back("vm");
    if (stored.kind != wanted.kind) fields.push_back("kind");
    if (stored.id != wanted.id) fields.push_back("id");
    if (stored.file_name != wanted.file_name) fields.push_back("file_name");
    if (stored.format != wanted.format) fields.push_back("format");
    if (stored.expected_bytes != wanted.expected_bytes) fields.push_back("expected_bytes");
    if (stored.exact_bytes != wanted.exact_bytes) fields.push_back("exact_bytes");
    if (stored.source_key != wanted.source_key) fields.push_back("source_key");
    std::string text;
    for (size_t i = 0; i < fields.size(); ++i)
        text += std::string(i == 0 ? "" : i + 1 == fields.size() ? " and " : ", ") + fields[i];
    return text;
}

std::optional<ResumeRecord> read_resume_record(const files::Directory& dir, std::string_view file_name,
                                               std::string& problem) {
    const std::string name = resume_record_name(file_name);
    files::UniqueFd fd;
    try {
        fd = dir.open_regular(name, O_RDONLY);
    } catch (const files::Error& e) {
        problem = std::string("its resume record is unusable (") + e.what() + ")";
        return std::nullopt;
    }
    if (!fd) {
        problem =
            "there is no resume record " + name + " beside it, so nothing shows it came from this source";
        return std::nullopt;
    }
    std::optional<std::string> text;
    try {
        text = files::read_all(fd.get(), kMaxRecordBytes, dir.path_of(name));
    } catch (const files::Error&) {
        problem = "its resume record " + name + " cannot be read";
        return std::nullopt;
    }
    if (!text) {
        problem = "its resume record " + name + " is too large to be one";
        return std::nullopt;
    }
    auto record = parse_resume_record(*text);
    if (!record) problem = "its resume record " + name + " is not a valid record";
    return record;
}

void write_resume_record(const files::Directory& dir, const ResumeRecord& record, mode_t mode) {
    const std::string name = resume_record_name(record.file_name);
    dir.remove(name);
    files::UniqueFd fd = dir.create(name, mode, O_WRONLY);
    files::write_all(fd.get(), resume_record_to_json(record), dir.path_of(name));
    files::sync_file(fd.get(), dir.path_of(name));
    if (const int error = fd.close(); error != 0)
        throw files::Error(error, "cannot close " + dir.path_of(name).string());
}

}  // namespace hypersdk::core
