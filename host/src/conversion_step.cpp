#include "conversion_step.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <iostream>

namespace hypersdk::host {
namespace {

// The job Ctrl-C cancels. Job::cancel is a lock-free compare-exchange, so it
// is safe to call from a signal handler.
std::atomic<core::Job*> g_interruptible_job{nullptr};

extern "C" void cancel_job_on_signal(int) {
    if (core::Job* job = g_interruptible_job.load()) job->cancel(core::CancelReason::user);
}

}  // namespace

CancelOnSignal::CancelOnSignal(core::Job& job) {
    g_interruptible_job.store(&job);
    struct sigaction action {};
    action.sa_handler = cancel_job_on_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &old_int_);
    sigaction(SIGTERM, &action, &old_term_);
}

CancelOnSignal::~CancelOnSignal() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
    g_interruptible_job.store(nullptr);
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
    std::string name =
        plugin != nullptr && plugin->descriptor().name != nullptr ? plugin->descriptor().name : id;
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
    rapidjson::Document metadata;
    metadata.Parse(outcome.metadata_json.c_str());
    rapidjson::Value metadata_value(rapidjson::kObjectType);
    if (!metadata.HasParseError() && metadata.IsObject()) metadata_value.CopyFrom(metadata, alloc);
    object.AddMember("metadata", metadata_value, alloc);
    return object;
}

SummaryRows conversion_summary_rows(const core::ConversionOutcome& outcome) {
    SummaryRows rows{{"Conversion Status", conversion_status_text(outcome.status)},
                     {"Converted Files", std::to_string(outcome.converted_files.size())},
                     {"Conversion Duration", format_duration(outcome.duration_seconds)},
                     {"Conversion Report", outcome.report_path.empty() ? "-" : outcome.report_path}};
    if (!outcome.success)
        rows.emplace_back("Conversion Error", outcome.error.substr(0, outcome.error.find('\n')));
    return rows;
}

void print_converted_files(const core::ConversionOutcome& outcome) {
    if (!outcome.converted_files.empty()) {
        std::cout << "\nConverted Files (KVM-Ready):\n";
        for (const auto& file : outcome.converted_files) std::cout << "  * " << file << "\n";
    }
    for (const auto& warning : outcome.warnings) std::cout << "warning: " << warning << "\n";
    std::cout << std::flush;
}

}  // namespace hypersdk::host
