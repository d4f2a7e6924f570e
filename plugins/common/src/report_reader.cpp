#include "hypersdk/plugin_common/json_access.hpp"
#include "hypersdk/plugin_common/report.hpp"

namespace hypersdk::plugin_common {
namespace {

std::vector<ReportIssue> read_issues(const rapidjson::Value& doc, const char* key) {
    std::vector<ReportIssue> issues;
    const rapidjson::Value* list = get_array(doc, key, "");
    if (list == nullptr) return issues;
    for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
        const auto& item = (*list)[i];
        const std::string prefix = std::string(key) + "[" + std::to_string(i) + "]";
        ReportIssue issue;
        if (item.IsString()) {  // tolerate a bare message
            issue.message = item.GetString();
        } else if (item.IsObject()) {
            issue.stage = get_string(item, "stage", prefix).value_or("");
            issue.message = get_string(item, "message", prefix).value_or("");
            issue.timestamp = get_string(item, "timestamp", prefix).value_or("");
        } else {
            throw JsonError("key '" + prefix + "' must be an object");
        }
        issues.push_back(std::move(issue));
    }
    return issues;
}

}  // namespace

Report parse_report(const std::string& text, const std::string& what) {
    const rapidjson::Document doc = parse_json(text, what);
    try {
        if (!doc.IsObject()) throw JsonError("the top level must be a JSON object");
        Report report;
        report.version = get_string(doc, "version", "").value_or("");
        report.timestamp = get_string(doc, "timestamp", "").value_or("");
        report.hyper2kvm_version = get_string(doc, "hyper2kvm_version", "");

        if (const rapidjson::Value* input = get_object(doc, "input_manifest", "")) {
            report.input_manifest.path = get_string(*input, "path", "input_manifest").value_or("");
            report.input_manifest.manifest_version =
                get_string(*input, "manifest_version", "input_manifest").value_or("");
            report.input_manifest.source_provider =
                get_string(*input, "source_provider", "input_manifest").value_or("");
            report.input_manifest.source_vm_id =
                get_string(*input, "source_vm_id", "input_manifest").value_or("");
            report.input_manifest.source_vm_name =
                get_string(*input, "source_vm_name", "input_manifest").value_or("");
        }

        const rapidjson::Value* pipeline = get_object(doc, "pipeline", "");
        if (pipeline == nullptr) throw JsonError("key 'pipeline' is missing");
        const auto success = get_bool(*pipeline, "success", "pipeline");
        if (!success) throw JsonError("key 'pipeline.success' is missing");
        report.success = *success;
        report.duration_seconds = get_number(*pipeline, "duration_seconds", "pipeline").value_or(0);
        if (const rapidjson::Value* stages = get_object(*pipeline, "stages", "pipeline")) {
            for (auto it = stages->MemberBegin(); it != stages->MemberEnd(); ++it) {
                ReportStage stage;
                stage.name = it->name.GetString();
                const std::string prefix = "pipeline.stages." + stage.name;
                if (!it->value.IsObject()) throw JsonError("key '" + prefix + "' must be an object");
                stage.success = get_bool(it->value, "success", prefix).value_or(false);
                stage.duration = get_number(it->value, "duration", prefix).value_or(0);
                stage.error = get_string(it->value, "error", prefix).value_or("");
                if (const rapidjson::Value* result = find_member(it->value, "result"))
                    stage.result_json = to_json_text(*result);
                report.stages.push_back(std::move(stage));
            }
        }

        if (const rapidjson::Value* artifacts = get_array(doc, "artifacts", "")) {
            for (rapidjson::SizeType i = 0; i < artifacts->Size(); ++i) {
                const auto& item = (*artifacts)[i];
                const std::string prefix = "artifacts[" + std::to_string(i) + "]";
                if (!item.IsObject()) throw JsonError("key '" + prefix + "' must be an object");
                ReportArtifact a;
                a.type = get_string(item, "type", prefix).value_or("");
                a.path = get_string(item, "path", prefix).value_or("");
                a.disk_id = get_string(item, "disk_id", prefix).value_or("");
                a.format = get_string(item, "format", prefix).value_or("");
                a.size_bytes = static_cast<uint64_t>(get_int(item, "size_bytes", prefix, 0).value_or(0));
                a.boot_order_hint = get_int(item, "boot_order_hint", prefix).value_or(999);
                a.compressed = get_bool(item, "compressed", prefix).value_or(false);
                report.artifacts.push_back(std::move(a));
            }
        }
        report.warnings = read_issues(doc, "warnings");
        report.errors = read_issues(doc, "errors");
        if (const rapidjson::Value* summary = get_object(doc, "summary", "")) {
            report.input_disks = static_cast<int>(get_int(*summary, "input_disks", "summary").value_or(0));
            report.output_disks = static_cast<int>(get_int(*summary, "output_disks", "summary").value_or(0));
        }
        return report;
    } catch (const JsonError& e) {
        throw JsonError(what + ": " + e.what());
    }
}

}  // namespace hypersdk::plugin_common
