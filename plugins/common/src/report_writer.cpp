#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <hypersdk/cxx/plugin.hpp>
#include <hypersdk/files/directory.hpp>
#include <hypersdk/manifest/json_limits.hpp>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>

#include "hypersdk/plugin_common/json_access.hpp"
#include "hypersdk/plugin_common/report.hpp"

namespace hypersdk::plugin_common {
namespace {

using Writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

void string_or_null(Writer& w, const std::string& value) {
    if (value.empty()) {
        w.Null();
    } else {
        w.String(value);
    }
}

void write_issues(Writer& w, const char* key, const std::vector<ReportIssue>& issues,
                  const std::string& now) {
    w.Key(key);
    w.StartArray();
    for (const auto& issue : issues) {
        w.StartObject();
        w.Key("stage");
        w.String(issue.stage);
        w.Key("message");
        w.String(issue.message);
        w.Key("timestamp");
        w.String(issue.timestamp.empty() ? now : issue.timestamp);
        w.EndObject();
    }
    w.EndArray();
}

void write_stage(Writer& w, const ReportStage& stage) {
    w.Key(stage.name);
    w.StartObject();
    w.Key("success");
    w.Bool(stage.success);
    w.Key("duration");
    w.Double(stage.duration);
    if (stage.success) {
        w.Key("result");
        // Re-parse (bounded) so a malformed or hostile fragment can never
        // corrupt the report or overflow the stack when it is written.
        rapidjson::Document result;
        // pipeline.stages.<name>.result: four levels inside the report.
        if (!manifest::parse_json_into(result, stage.result_json, manifest::embedded_limits(4)).empty() ||
            !result.IsObject())
            result.SetObject();
        result.Accept(w);
    } else {
        w.Key("error");
        w.String(stage.error);
    }
    w.EndObject();
}

}  // namespace

std::string rfc3339_now() {
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm utc{};
    ::gmtime_r(&now, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

std::string human_size(uint64_t bytes) {
    static const char* const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    double value = static_cast<double>(bytes);
    size_t unit = 0;
    while (value >= 1024 && unit + 1 < std::size(units)) {
        value /= 1024;
        ++unit;
    }
    char text[32];
    if (unit == 0) {
        std::snprintf(text, sizeof text, "%llu B", static_cast<unsigned long long>(bytes));
    } else {
        std::snprintf(text, sizeof text, "%.1f %s", value, units[unit]);
    }
    return text;
}

std::string report_to_json(const Report& report) {
    const std::string now = report.timestamp.empty() ? rfc3339_now() : report.timestamp;
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    w.SetIndent(' ', 2);
    w.StartObject();
    w.Key("version");
    w.String(report.version);
    w.Key("timestamp");
    w.String(now);
    w.Key("hyper2kvm_version");
    if (report.hyper2kvm_version) {
        w.String(*report.hyper2kvm_version);
    } else {
        w.Null();
    }
    for (const auto& [key, value] : report.extra) {
        w.Key(key);
        w.String(value);
    }

    w.Key("input_manifest");
    w.StartObject();
    w.Key("path");
    w.String(report.input_manifest.path);
    w.Key("manifest_version");
    string_or_null(w, report.input_manifest.manifest_version);
    w.Key("source_provider");
    string_or_null(w, report.input_manifest.source_provider);
    w.Key("source_vm_id");
    string_or_null(w, report.input_manifest.source_vm_id);
    w.Key("source_vm_name");
    string_or_null(w, report.input_manifest.source_vm_name);
    w.EndObject();

    w.Key("pipeline");
    w.StartObject();
    w.Key("success");
    w.Bool(report.success);
    w.Key("duration_seconds");
    w.Double(report.duration_seconds);
    w.Key("stages");
    w.StartObject();
    int successful = 0;
    for (const auto& stage : report.stages) {
        write_stage(w, stage);
        successful += stage.success ? 1 : 0;
    }
    w.EndObject();
    w.EndObject();

    w.Key("artifacts");
    w.StartArray();
    for (const auto& a : report.artifacts) {
        w.StartObject();
        w.Key("type");
        w.String(a.type);
        w.Key("path");
        w.String(a.path);
        w.Key("disk_id");
        w.String(a.disk_id);
        w.Key("format");
        w.String(a.format);
        w.Key("size_bytes");
        w.Uint64(a.size_bytes);
        w.Key("size_human");
        w.String(human_size(a.size_bytes));
        w.Key("boot_order_hint");
        w.Int64(a.boot_order_hint);
        w.Key("compressed");
        w.Bool(a.compressed);
        w.EndObject();
    }
    w.EndArray();

    write_issues(w, "warnings", report.warnings, now);
    write_issues(w, "errors", report.errors, now);

    w.Key("summary");
    w.StartObject();
    w.Key("total_stages");
    w.Int(static_cast<int>(report.stages.size()));
    w.Key("successful_stages");
    w.Int(successful);
    w.Key("failed_stages");
    w.Int(static_cast<int>(report.stages.size()) - successful);
    w.Key("total_warnings");
    w.Int(static_cast<int>(report.warnings.size()));
    w.Key("total_errors");
    w.Int(static_cast<int>(report.errors.size()));
    w.Key("total_artifacts");
    w.Int(static_cast<int>(report.artifacts.size()));
    w.Key("input_disks");
    w.Int(report.input_disks);
    w.Key("output_disks");
    w.Int(report.output_disks);
    w.EndObject();

    w.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

void write_report_file(const Report& report, const std::string& path, const files::FileModes& modes) {
    namespace fs = std::filesystem;
    const std::string text = report_to_json(report);
    const fs::path target(path);
    try {
        const fs::path directory = target.parent_path().empty() ? fs::path(".") : target.parent_path();
        files::create_directories(directory, modes.directory);
        files::Directory(directory).write_atomically(target.filename().string(), text, modes.file);
    } catch (const files::Error& e) {
        throw cxx::Error(HYPERSDK_ERR_IO, std::string("cannot write report ") + path + ": " + e.what());
    }
}

}  // namespace hypersdk::plugin_common
