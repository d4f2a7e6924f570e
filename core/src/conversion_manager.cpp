#include "hypersdk/core/conversion_manager.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <spdlog/spdlog.h>
#include <hypersdk/manifest/json_limits.hpp>

#include <chrono>

#include "hypersdk/core/manifest_reader.hpp"
#include "hypersdk/core/terminal_text.hpp"

namespace hypersdk::core {
namespace {

namespace fs = std::filesystem;
using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

std::vector<std::string> string_list(const char* const* list) {
    std::vector<std::string> out;
    for (size_t i = 0; list != nullptr && list[i] != nullptr; ++i) out.emplace_back(list[i]);
    return out;
}

std::string text_or_empty(const char* text) {
    return text != nullptr ? text : "";
}

// The message a job carries after a failed call, or a fallback naming the status.
std::string job_error_text(const Job& job, int32_t status, const std::string& what) {
    if (const auto error = job.error(); error && !error->message.empty()) return error->message;
    return what + " failed with status " + std::to_string(status);
}

// Runs one converter's validate() for routing: nullopt when usable.
std::optional<std::string> validate_converter(const LoadedPlugin& plugin, const std::string& config_json) {
    Job job("validate " + plugin.id());
    const auto lock = plugin.lock_for_call();
    const int32_t status = plugin.converter()->validate(config_json.c_str(), job.handle());
    if (status == HYPERSDK_OK) return std::nullopt;
    return job_error_text(job, status, "validate");
}

}  // namespace

ConversionNeeds derive_conversion_needs(const Manifest& manifest,
                                        const std::optional<std::string>& target_format) {
    ConversionNeeds needs;
    if (manifest.source && manifest.source->provider) needs.provider = *manifest.source->provider;
    for (const auto& disk : manifest.disks) needs.source_formats.insert(disk.source_format);
    if (target_format)
        needs.target_format = *target_format;
    else if (manifest.output && manifest.output->format)
        needs.target_format = *manifest.output->format;
    if (manifest.pipeline) {
        const auto& pipeline = *manifest.pipeline;
        needs.driver_injection = pipeline.fix && pipeline.fix->enabled;
        needs.os_detection = pipeline.inspect && pipeline.inspect->enabled;
        needs.validation = pipeline.validate && pipeline.validate->enabled;
    }
    return needs;
}

ConverterProfile converter_profile(const LoadedPlugin& plugin) {
    const auto& caps = *plugin.converter_capabilities();
    ConverterProfile profile;
    profile.id = plugin.id();
    profile.source_formats = string_list(caps.supported_source_formats);
    profile.target_formats = string_list(caps.supported_target_formats);
    profile.driver_injection = caps.supports_driver_injection;
    profile.os_detection = caps.supports_os_detection;
    profile.validation = caps.supports_validation;
    profile.providers = string_list(caps.supported_providers);
    profile.priority = caps.priority;
    profile.tool_name = text_or_empty(caps.tool_name);
    profile.install_hint = text_or_empty(caps.install_hint);
    return profile;
}

std::string ConversionManager::converter_config_json(const ConversionRequest& request,
                                                     const hypersdk_converter_capabilities& capabilities,
                                                     const fs::path& manifest_path) {
    rapidjson::StringBuffer buffer;
    JsonWriter writer(buffer);
    writer.StartObject();
    // --hyper2kvm-binary belongs to whichever converter declares that it runs
    // hyper2kvm; routing stays by capability, never by plugin name.
    if (!request.hyper2kvm_binary.empty() && text_or_empty(capabilities.tool_name) == "hyper2kvm") {
        writer.Key("binary_path");
        writer.String(request.hyper2kvm_binary);
    }
    writer.Key("timeout_seconds");
    writer.Int64(request.timeout.count());
    writer.Key("environment");
    writer.StartObject();
    for (const auto& [name, value] : request.environment) {
        writer.Key(name.c_str(), static_cast<rapidjson::SizeType>(name.size()));
        writer.String(value);
    }
    writer.EndObject();
    writer.Key("working_directory");
    writer.String(manifest_path.parent_path().string());
    writer.EndObject();
    return buffer.GetString();
}

std::string ConversionManager::convert_options_json(const ConversionRequest& request,
                                                    const ConversionPlan& plan) {
    int compression_level = 0;
    if (request.compression_level) {
        compression_level = *request.compression_level;
    } else if (plan.manifest.pipeline && plan.manifest.pipeline->convert &&
               plan.manifest.pipeline->convert->compress.value_or(false)) {
        // hyper2kvm's default level when compress is on without a level.
        compression_level = static_cast<int>(plan.manifest.pipeline->convert->compress_level.value_or(6));
    }
    rapidjson::StringBuffer buffer;
    JsonWriter writer(buffer);
    writer.StartObject();
    writer.Key("stream_output");
    writer.Bool(request.stream_output);
    writer.Key("verbose");
    writer.Int(request.verbose);
    writer.Key("dry_run");
    writer.Bool(request.dry_run);
    writer.Key("target_format");
    writer.String(plan.needs.target_format);
    writer.Key("compression_level");
    writer.Int(compression_level);
    writer.Key("preserve_mac");
    writer.Bool(request.preserve_mac);
    writer.Key("custom_args");
    writer.StartArray();
    for (const auto& arg : request.custom_args) writer.String(arg);
    writer.EndArray();
    writer.EndObject();
    return buffer.GetString();
}

const LoadedPlugin* ConversionManager::resolve(const std::string& id_or_name) const {
    if (const LoadedPlugin* plugin = registry_.find(id_or_name); plugin != nullptr && plugin->converter())
        return plugin;
    for (const LoadedPlugin* plugin : registry_.converters())
        if (text_or_empty(plugin->descriptor().name) == id_or_name) return plugin;
    return nullptr;
}

ConversionPlan ConversionManager::plan(const ConversionRequest& request) const {
    ConversionPlan plan;
    std::error_code error;
    plan.manifest_path = fs::absolute(request.manifest_path, error);
    if (error) plan.manifest_path = request.manifest_path;

    const ManifestReadResult read = read_manifest_file(plan.manifest_path);
    plan.manifest_issues = validate_read_result(read);
    plan.manifest = read.manifest;
    plan.needs = derive_conversion_needs(plan.manifest, request.target_format);
    if (!plan.manifest_issues.empty()) return plan;

    std::optional<std::string> forced_id;
    if (request.converter) {
        const LoadedPlugin* forced = resolve(*request.converter);
        forced_id = forced != nullptr ? forced->id() : *request.converter;
    }

    std::vector<ConverterCandidate> candidates;
    for (const LoadedPlugin* plugin : registry_.converters()) {
        const std::string config =
            converter_config_json(request, *plugin->converter_capabilities(), plan.manifest_path);
        candidates.push_back(
            {converter_profile(*plugin), [plugin, config] { return validate_converter(*plugin, config); }});
    }
    plan.decision = route_conversion(plan.needs, std::move(candidates), forced_id);
    return plan;
}

bool parse_conversion_result(const std::string& json_text, ConversionOutcome& outcome) {
    // A plugin's output is untrusted input: bounded, non-recursive parse.
    rapidjson::Document document;
    const std::string reason = manifest::parse_json_into(document, json_text);
    if (!reason.empty() || !document.IsObject()) {
        outcome.success = false;
        outcome.error = "the converter returned no readable ConversionResult (" +
                        (reason.empty() ? std::string("not a JSON object") : reason) + ")";
        return false;
    }
    auto string_member = [&](const char* key) -> std::string {
        const auto it = document.FindMember(key);
        return it != document.MemberEnd() && it->value.IsString() ? it->value.GetString() : std::string();
    };
    auto string_array = [&](const char* key) {
        std::vector<std::string> out;
        const auto it = document.FindMember(key);
        if (it != document.MemberEnd() && it->value.IsArray())
            for (const auto& item : it->value.GetArray())
                if (item.IsString()) out.emplace_back(item.GetString());
        return out;
    };
    const auto success = document.FindMember("success");
    outcome.success = success != document.MemberEnd() && success->value.IsBool() && success->value.GetBool();
    outcome.converted_files = string_array("converted_files");
    outcome.report_path = string_member("report_path");
    const auto duration = document.FindMember("duration_seconds");
    if (duration != document.MemberEnd() && duration->value.IsNumber())
        outcome.duration_seconds = duration->value.GetDouble();
    if (const std::string error = string_member("error"); !error.empty()) outcome.error = error;
    outcome.warnings = string_array("warnings");
    const auto metadata = document.FindMember("metadata");
    if (metadata != document.MemberEnd() && metadata->value.IsObject()) {
        rapidjson::StringBuffer buffer;
        JsonWriter writer(buffer);
        metadata->value.Accept(writer);
        outcome.metadata_json = buffer.GetString();
    }
    return true;
}

ConversionOutcome ConversionManager::run(const ConversionRequest& request, const ConversionPlan& plan,
                                         Job& job) const {
    ConversionOutcome outcome;
    if (!plan.manifest_issues.empty()) {
        outcome.status = ConversionStatus::manifest_invalid;
        outcome.error = "the manifest " + escape_for_terminal(plan.manifest_path.string()) +
                        " is invalid:\n" + format_issues(plan.manifest_issues);
        return outcome;
    }
    if (!plan.decision.chosen_id) {
        outcome.status = ConversionStatus::no_converter;
        outcome.error = plan.decision.failure;
        return outcome;
    }
    const LoadedPlugin* plugin = registry_.find(*plan.decision.chosen_id);
    if (plugin == nullptr || plugin->converter() == nullptr) {
        outcome.status = ConversionStatus::no_converter;
        outcome.error = "converter " + *plan.decision.chosen_id + " is no longer loaded";
        return outcome;
    }
    outcome.converter_id = plugin->id();

    const std::string config =
        converter_config_json(request, *plugin->converter_capabilities(), plan.manifest_path);
    const std::string options = convert_options_json(request, plan);
    spdlog::debug("converting {} with {}", escape_for_terminal(plan.manifest_path.string()),
                  escape_for_terminal(plugin->id()));

    TextBuffer result;
    const auto started = std::chrono::steady_clock::now();
    job.set_deadline(started + request.timeout);
    int32_t status;
    {
        const auto lock = plugin->lock_for_call();
        status = plugin->converter()->convert(config.c_str(), plan.manifest_path.c_str(), options.c_str(),
                                              job.handle(), result.handle());
    }
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    const std::string result_text = result.text();
    const bool have_result = !result_text.empty() && parse_conversion_result(result_text, outcome);
    if (outcome.duration_seconds <= 0) outcome.duration_seconds = elapsed;
    for (const auto& warning : job.warnings())
        outcome.warnings.push_back(warning.stage + ": " + warning.message);

    if (status == HYPERSDK_OK && (!have_result || outcome.success)) {
        outcome.success = true;
        outcome.status = ConversionStatus::succeeded;
        if (!have_result) outcome.warnings.push_back("the converter returned no ConversionResult document");
        return outcome;
    }
    outcome.success = false;
    switch (job.cancel_reason()) {
        case CancelReason::deadline:
            outcome.status = ConversionStatus::timed_out;
            outcome.error = "conversion timed out after " + std::to_string(request.timeout.count()) +
                            " s and was stopped (raise it with --conversion-timeout, e.g. 4h)";
            break;
        case CancelReason::user:
            outcome.status = ConversionStatus::cancelled;
            outcome.error =
                "conversion cancelled; the manifest and exported disks are untouched, run the same "
                "command again to retry";
            break;
        case CancelReason::none:
            outcome.status = ConversionStatus::failed;
            if (status != HYPERSDK_OK || outcome.error.empty())
                outcome.error = job_error_text(job, status, plugin->id() + " convert");
            break;
    }
    return outcome;
}

}  // namespace hypersdk::core
