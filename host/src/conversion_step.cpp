#include "conversion_step.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <iostream>

#include <hypersdk/manifest/json_limits.hpp>
#include "signal_scope.hpp"
#include "terminal_text.hpp"

namespace hypersdk::host {
core::ConversionOutcome run_conversion(const core::PluginRegistry& registry,
                                       const core::ConversionManager& manager,
                                       const core::ConversionRequest& request,
                                       const core::ConversionPlan& plan, const ConversionDisplay& display) {
    if (display.info)
        for (const auto& note : plan.decision.notes) display.info(note);
    const std::string prefix =
        plan.decision.chosen_id ? converter_output_prefix(registry, *plan.decision.chosen_id) : std::string();
    core::Job job("convert " + plan.manifest_path.string());
    ProgressDisplay progress(display.progress);
    const size_t item = progress.add_item("convert", 0);
    job.on_progress([&progress, item](uint64_t done, uint64_t total) {
        progress.set_total(item, total);
        progress.update(item, done);
    });
    // Tool lines go through the display so they never land inside a bar.
    std::FILE* tool_stream = display.tool_lines_to_stderr ? stderr : stdout;
    if (display.tool_lines)
        job.on_output([&progress, prefix, tool_stream](std::string_view line) {
            progress.print_line(tool_stream, prefix + std::string(line));
        });
    core::ConversionOutcome outcome;
    {
        const CancelOnSignal cancel_on_signal(job);
        outcome = manager.run(request, plan, job);
    }
    progress.finish_item(item, conversion_progress_word(outcome));
    progress.finish();
    return outcome;
}

std::string conversion_progress_word(const core::ConversionOutcome& outcome) {
    if (outcome.success) return "done";
    switch (outcome.status) {
        case core::ConversionStatus::cancelled:
            return "cancelled";
        case core::ConversionStatus::timed_out:
            return "timed-out";
        default:
            return "FAILED";
    }
}

std::string conversion_status_text(core::ConversionStatus status) {
    using core::ConversionStatus;
    switch (status) {
        case ConversionStatus::succeeded:
            return "SUCCESS";
        case ConversionStatus::manifest_invalid:
            return "FAILED (invalid manifest)";
        case ConversionStatus::no_converter:
            return "FAILED (no converter)";
        case ConversionStatus::failed:
            return "FAILED";
        case ConversionStatus::cancelled:
            return "CANCELLED";
        case ConversionStatus::timed_out:
            return "TIMED OUT";
    }
    return "FAILED";
}

std::string converter_output_prefix(const core::PluginRegistry& registry, const std::string& id) {
    const core::LoadedPlugin* plugin = registry.find(id);
    std::string name = plugin != nullptr && plugin->converter_backend() != nullptr
                           ? plugin->converter_backend()->name()
                           : id;
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::toupper(c); });
    return "[" + name + "] ";
}

rapidjson::Value conversion_outcome_json(const core::ConversionOutcome& outcome,
                                         rapidjson::Document::AllocatorType& alloc) {
    rapidjson::Value object(rapidjson::kObjectType);
    auto string_value = [&](const std::string& text) { return rapidjson::Value(text.c_str(), alloc); };
    auto string_array = [&](const std::vector<std::string>& items) {
        rapidjson::Value array(rapidjson::kArrayType);
        for (const auto& item : items) array.PushBack(string_value(item), alloc);
        return array;
    };
    object.AddMember("status", string_value(conversion_status_text(outcome.status)), alloc);
    object.AddMember("converter", string_value(outcome.converter_id), alloc);
    object.AddMember("success", outcome.success, alloc);
    object.AddMember("converted_files", string_array(outcome.converted_files), alloc);
    object.AddMember("report_path", string_value(outcome.report_path), alloc);
    object.AddMember("duration_seconds", outcome.duration_seconds, alloc);
    object.AddMember("error", string_value(outcome.error), alloc);
    object.AddMember("warnings", string_array(outcome.warnings), alloc);
    object.AddMember("fix_requested", outcome.fix_requested, alloc);
    rapidjson::Value checks(rapidjson::kArrayType);
    for (const auto& check : outcome.host_checks) {
        rapidjson::Value item(rapidjson::kObjectType);
        item.AddMember("file", string_value(check.file), alloc);
        item.AddMember("passed", check.passed, alloc);
        item.AddMember("detail", string_value(check.detail), alloc);
        checks.PushBack(item, alloc);
    }
    object.AddMember("host_validation", checks, alloc);
    rapidjson::Value artifacts(rapidjson::kArrayType);
    for (const auto& artifact : outcome.artifacts) {
        rapidjson::Value item(rapidjson::kObjectType);
        item.AddMember("kind", string_value(artifact.kind), alloc);
        item.AddMember("path", string_value(artifact.path), alloc);
        artifacts.PushBack(item, alloc);
    }
    object.AddMember("artifacts", artifacts, alloc);
    rapidjson::Document metadata;
    // Converter output: bounded so that the copy below (recursive) and the
    // report that embeds it two levels deep stay within the readers' limits.
    const bool metadata_ok =
        manifest::parse_json_into(metadata, outcome.metadata_json, manifest::embedded_limits(2)).empty();
    rapidjson::Value metadata_value(rapidjson::kObjectType);
    if (metadata_ok && metadata.IsObject()) metadata_value.CopyFrom(metadata, alloc);
    object.AddMember("metadata", metadata_value, alloc);
    return object;
}

std::string error_headline(const std::string& error) {
    std::vector<std::string_view> lines;
    for (size_t start = 0; start <= error.size();) {
        const size_t end = std::min(error.find('\n', start), error.size());
        lines.emplace_back(std::string_view(error).substr(start, end - start));
        start = end + 1;
    }
    const auto is_error_line = [](std::string_view line) {
        std::string lower(line);
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return lower.find("error:") != std::string::npos || lower.find("error -") != std::string::npos;
    };
    // Tools print their fatal line last; the first line is ours ("virt-v2v
    // failed (exit code 1): <first line of output>").
    for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
        if (!is_error_line(*it)) continue;
        std::string_view line = *it;
        while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
        // Our own first line may carry the tool's line after "): ".
        if (it == std::prev(lines.rend()))
            if (const auto cut = line.find("): ");
                cut != std::string_view::npos && is_error_line(line.substr(cut + 3)))
                line.remove_prefix(cut + 3);
        return std::string(line);
    }
    return std::string(lines.front());
}

SummaryRows conversion_summary_rows(const core::ConversionOutcome& outcome) {
    SummaryRows rows{{"Conversion Status", conversion_status_text(outcome.status)},
                     {"Converted Files", std::to_string(outcome.converted_files.size())},
                     {"Conversion Duration", format_duration(outcome.duration_seconds)},
                     {"Conversion Report", outcome.report_path.empty() ? "-" : outcome.report_path}};
    if (!outcome.fix_requested)
        rows.emplace_back("Guest Fixed", "no: format conversion only (pipeline.fix off; export with --fix)");
    else if (outcome.success)
        rows.emplace_back("Guest Fixed", "yes, by " + outcome.converter_id);
    if (!outcome.artifacts.empty()) {
        std::string kinds;
        for (const auto& artifact : outcome.artifacts) kinds += (kinds.empty() ? "" : ", ") + artifact.kind;
        rows.emplace_back("Other Outputs", std::to_string(outcome.artifacts.size()) + " (" +
                                               terminal_safe(kinds, false) + ")");
    }
    if (!outcome.host_checks.empty()) {
        size_t passed = 0;
        for (const auto& check : outcome.host_checks) passed += check.passed ? 1 : 0;
        rows.emplace_back("Validation", "qemu-img check by hyperexport: " + std::to_string(passed) + " of " +
                                            std::to_string(outcome.host_checks.size()) + " image(s) OK");
    }
    if (!outcome.success) rows.emplace_back("Conversion Error", error_headline(outcome.error));
    return rows;
}

void print_converted_files(const core::ConversionOutcome& outcome) {
    if (!outcome.converted_files.empty()) {
        std::cout << "\nConverted Files (KVM-Ready):\n";
        for (const auto& file : outcome.converted_files) std::cout << "  * " << file << "\n";
    }
    if (!outcome.artifacts.empty()) {
        std::cout << "\nOther Conversion Outputs:\n";
        for (const auto& artifact : outcome.artifacts)
            std::cout << "  * " << terminal_safe(artifact.path, false) << " ("
                      << terminal_safe(artifact.kind, false) << ")\n";
    }
    for (const auto& warning : outcome.warnings) std::cout << "warning: " << warning << "\n";
    std::cout << std::flush;
}

}  // namespace hypersdk::host
