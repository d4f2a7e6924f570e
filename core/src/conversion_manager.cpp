#include "hypersdk/core/conversion_manager.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <spdlog/spdlog.h>
#include <hypersdk/manifest/json_limits.hpp>

#include <algorithm>
#include <chrono>
#include <set>

#include "hypersdk/core/manifest_reader.hpp"
#include "hypersdk/core/terminal_text.hpp"

#include <hypersdk/files/file_modes.hpp>

namespace hypersdk::core {
namespace {

namespace fs = std::filesystem;
using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// Runs one converter's validate() for routing: nullopt when usable.
std::optional<std::string> validate_converter(const ConverterBackend& converter,
                                              const std::string& config_json) {
    Job job("validate " + converter.plugin_id());
    const PluginCall call = converter.validate(config_json, job);
    if (call.ok()) return std::nullopt;
    return call.error;
}

// Job warnings ("stage: message") and the result's warnings, each once: a
// converter reports a warning through job_warning and again in its result.
void merge_warnings(const std::vector<JobWarning>& job_warnings, ConversionOutcome& outcome) {
    std::vector<std::string> merged;
    for (const auto& warning : job_warnings) merged.push_back(warning.stage + ": " + warning.message);
    for (const auto& warning : outcome.warnings) {
        const bool seen = std::any_of(job_warnings.begin(), job_warnings.end(), [&](const JobWarning& w) {
            return warning == w.message || warning == w.stage + ": " + w.message;
        });
        if (!seen && std::find(merged.begin(), merged.end(), warning) == merged.end())
            merged.push_back(warning);
    }
    outcome.warnings = std::move(merged);
}

// VALIDATE by the host for a converter without it: qemu-img check on every
// converted file, recorded in the outcome and the converter's report.
void validate_outputs(const ConversionRequest& request, const ConversionPlan& plan, Job& job,
                      ConversionOutcome& outcome) {
    std::vector<std::string> files = outcome.converted_files;
    if (files.empty())  // a converter that names nothing: what exists at its outputs
        for (const auto& output : plan.outputs.disks)
            if (std::error_code error; fs::is_regular_file(output.path, error))
                files.push_back(output.path.string());
    outcome.host_checks =
        check_images(plan.image_checker, plan.needs.target_format, files, request.environment_unset, job);
    if (!outcome.report_path.empty())
        if (const auto problem = record_image_checks(outcome.report_path, outcome.host_checks);
            !problem.empty())
            outcome.warnings.push_back("validate: the check result is not in the report: " + problem);
    for (const auto& check : outcome.host_checks) {
        if (check.passed) continue;
        outcome.success = false;
        outcome.status = ConversionStatus::failed;
        outcome.error =
            "validate: qemu-img check of " + escape_for_terminal(check.file) + ": " + check.detail;
        return;
    }
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

ConverterProfile converter_profile(const ConverterBackend& converter) {
    const ConverterCapabilities& caps = converter.capabilities();
    ConverterProfile profile;
    profile.id = converter.plugin_id();
    profile.source_formats = caps.source_formats;
    profile.target_formats = caps.target_formats;
    profile.driver_injection = caps.driver_injection;
    profile.os_detection = caps.os_detection;
    profile.validation = caps.validation;
    profile.providers = caps.providers;
    profile.priority = caps.priority;
    profile.tool_name = caps.tool_name;
    profile.install_hint = caps.install_hint;
    return profile;
}

std::vector<std::string> secret_environment_variables(const PluginRegistry& registry) {
    std::set<std::string> names;
    const auto add = [&names](const std::vector<PluginOption>& options) {
        for (const auto& option : options)
            if (option.secret()) names.insert(option.env.begin(), option.env.end());
    };
    for (const LoadedPlugin* plugin : registry.plugins()) {
        if (const auto* provider = plugin->provider_backend()) add(provider->capabilities().options);
        if (const auto* converter = plugin->converter_backend()) add(converter->capabilities().options);
    }
    return {names.begin(), names.end()};
}

std::string ConversionManager::converter_config_json(const ConversionRequest& request,
                                                     const ConverterBackend& converter,
                                                     const fs::path& manifest_path) {
    rapidjson::StringBuffer buffer;
    JsonWriter writer(buffer);
    writer.StartObject();
    writer.Key("timeout_seconds");
    writer.Int64(request.timeout.count());
    writer.Key("environment");
    writer.StartObject();
    for (const auto& [name, value] : request.environment) {
        writer.Key(name.c_str(), static_cast<rapidjson::SizeType>(name.size()));
        writer.String(value);
    }
    writer.EndObject();
    writer.Key("environment_unset");
    writer.StartArray();
    for (const auto& name : request.environment_unset) writer.String(name);
    writer.EndArray();
    writer.Key("working_directory");
    writer.String(manifest_path.parent_path().string());
    writer.EndObject();
    std::string text = buffer.GetString();
    // The converter's own declared options (already typed and checked).
    if (const auto it = request.converter_options.find(converter.plugin_id());
        it != request.converter_options.end() && !it->second.empty())
        text.insert(text.size() - 1, "," + it->second);
    return text;
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
    writer.Key("group_readable");
    writer.Bool(request.group_readable);
    writer.Key("overwrite");
    writer.Bool(request.force);
    writer.Key("replaceable");
    writer.StartArray();
    if (!request.dry_run)
        for (const auto& path : replaceable_outputs(plan.manifest_path, plan.outputs))
            writer.String(path.string());
    writer.EndArray();
    writer.EndObject();
    return buffer.GetString();
}

const ConverterBackend* ConversionManager::resolve(const std::string& id_or_name) const {
    if (const LoadedPlugin* plugin = registry_.find(id_or_name);
        plugin != nullptr && plugin->converter_backend())
        return plugin->converter_backend();
    for (const LoadedPlugin* plugin : registry_.converters())
        if (plugin->converter_backend()->name() == id_or_name) return plugin->converter_backend();
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
    // The host's check, whichever converter runs: before any plugin is asked.
    plan.outputs = conversion_outputs(plan.manifest, plan.manifest_path, plan.needs.target_format);
    plan.output_problem =
        check_conversion_outputs(plan.manifest, plan.manifest_path, plan.outputs, request.force);

    std::optional<std::string> forced_id;
    if (request.converter) {
        const ConverterBackend* forced = resolve(*request.converter);
        forced_id = forced != nullptr ? forced->plugin_id() : *request.converter;
    }

    std::vector<ConverterCandidate> candidates;
    for (const LoadedPlugin* plugin : registry_.converters()) {
        const ConverterBackend* converter = plugin->converter_backend();
        const std::string config = converter_config_json(request, *converter, plan.manifest_path);
        std::optional<std::string> option_problem;
        if (const auto it = request.converter_option_problems.find(converter->plugin_id());
            it != request.converter_option_problems.end())
            option_problem = it->second;
        candidates.push_back({converter_profile(*converter), [converter, config, option_problem] {
                                  return option_problem ? option_problem
                                                        : validate_converter(*converter, config);
                              }});
    }
    plan.decision = route_conversion(plan.needs, std::move(candidates), forced_id);
    if (plan.decision.chosen_id && plan.decision.host_validates) {
        plan.image_checker = find_image_checker();
        if (plan.image_checker.empty()) {
            // A stage nobody can do is refused before anything runs.
            plan.decision.failure = "the manifest enables pipeline.validate and " + *plan.decision.chosen_id +
                                    " cannot validate its output; hyperexport would check it with qemu-img, "
                                    "which is not installed (Debian: apt install qemu-utils)";
            plan.decision.chosen_id.reset();
        }
    }
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
    if (const auto artifacts = document.FindMember("artifacts");
        artifacts != document.MemberEnd() && artifacts->value.IsArray())
        for (const auto& item : artifacts->value.GetArray()) {
            // Entries without a string kind and path are skipped, not guessed at.
            if (!item.IsObject()) continue;
            const auto kind = item.FindMember("kind"), path = item.FindMember("path");
            if (kind == item.MemberEnd() || !kind->value.IsString() || path == item.MemberEnd() ||
                !path->value.IsString())
                continue;
            outcome.artifacts.push_back({kind->value.GetString(), path->value.GetString()});
        }
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
    outcome.fix_requested = plan.needs.driver_injection;
    if (!plan.manifest_issues.empty()) {
        outcome.status = ConversionStatus::manifest_invalid;
        outcome.error = "the manifest " + escape_for_terminal(plan.manifest_path.string()) +
                        " is invalid:\n" + format_issues(plan.manifest_issues);
        return outcome;
    }
    // Checked again right before running: the plan may be old, and files may
    // have appeared at the output paths since.
    const std::string output_problem =
        plan.output_problem.empty()
            ? check_conversion_outputs(plan.manifest, plan.manifest_path, plan.outputs, request.force)
            : plan.output_problem;
    if (!output_problem.empty()) {
        outcome.status = ConversionStatus::failed;
        outcome.error = output_problem;
        return outcome;
    }
    if (!plan.decision.chosen_id) {
        outcome.status = ConversionStatus::no_converter;
        outcome.error = plan.decision.failure;
        return outcome;
    }
    const LoadedPlugin* plugin = registry_.find(*plan.decision.chosen_id);
    const ConverterBackend* converter = plugin != nullptr ? plugin->converter_backend() : nullptr;
    if (converter == nullptr) {
        outcome.status = ConversionStatus::no_converter;
        outcome.error = "converter " + *plan.decision.chosen_id + " is no longer loaded";
        return outcome;
    }
    outcome.converter_id = converter->plugin_id();

    const std::string config = converter_config_json(request, *converter, plan.manifest_path);
    const std::string options = convert_options_json(request, plan);
    spdlog::debug("converting {} with {}", escape_for_terminal(plan.manifest_path.string()),
                  escape_for_terminal(converter->plugin_id()));

    const auto started = std::chrono::steady_clock::now();
    job.set_deadline(started + request.timeout);
    const PluginCall call = converter->convert(config, plan.manifest_path, options, job);
    const int32_t status = call.status;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const bool have_result = !call.output.empty() && parse_conversion_result(call.output, outcome);
    // Whatever the outcome: what the converter made may be replaced by a re-run.
    const auto record_outputs = [&]() -> std::string {
        if (request.dry_run) return {};
        std::vector<fs::path> artifacts;
        for (const auto& artifact : outcome.artifacts) artifacts.emplace_back(artifact.path);
        return record_conversion_outputs(plan.manifest_path, plan.outputs,
                                         files::FileModes::private_or_group(request.group_readable).file,
                                         artifacts);
    };
    if (const std::string problem = record_outputs(); !problem.empty()) job.add_warning("convert", problem);

    if (outcome.duration_seconds <= 0) outcome.duration_seconds = elapsed;
    merge_warnings(job.warnings(), outcome);

    if (status == HYPERSDK_OK && (!have_result || outcome.success)) {
        outcome.success = true;
        outcome.status = ConversionStatus::succeeded;
        if (!have_result) outcome.warnings.push_back("the converter returned no ConversionResult document");
        if (plan.image_checker.empty() || request.dry_run) return outcome;
        validate_outputs(request, plan, job, outcome);
        // The host's check went into report.json, a new file: recorded again so a re-run accepts it.
        if (const std::string problem = record_outputs(); !problem.empty())
            outcome.warnings.push_back("convert: " + problem);
        if (outcome.success) return outcome;
    }
    if (outcome.status == ConversionStatus::failed && !outcome.error.empty() && !job.is_cancelled())
        return outcome;  // the host's own VALIDATE failed
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
            if (status != HYPERSDK_OK || outcome.error.empty()) outcome.error = call.error;
            if (outcome.error.empty())
                outcome.error = job_error_message(job, status, converter->plugin_id() + " convert");
            break;
    }
    return outcome;
}

}  // namespace hypersdk::core
