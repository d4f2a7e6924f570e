// What `hyperexport convert` and `hyperexport export --convert` share: Ctrl-C
// cancelling a job, the converter's output prefix, the status words, the
// ConversionResult as JSON, and the conversion rows of the summary box.
#pragma once

#include <hypersdk/core/conversion_manager.hpp>
#include <hypersdk/core/job.hpp>
#include <hypersdk/core/plugin_registry.hpp>

#include <rapidjson/document.h>

#include <csignal>
#include <string>

#include "summary_box.hpp"

namespace hypersdk::host {

// Installs SIGINT/SIGTERM handlers that cancel `job` for the lifetime of the
// object (one at a time; the previous handlers come back afterwards).
class CancelOnSignal {
public:
    explicit CancelOnSignal(core::Job& job);
    ~CancelOnSignal();
    CancelOnSignal(const CancelOnSignal&) = delete;
    CancelOnSignal& operator=(const CancelOnSignal&) = delete;

private:
    struct sigaction old_int_ {};
    struct sigaction old_term_ {};
};

// "SUCCESS", "FAILED (no converter)", "CANCELLED", "TIMED OUT", ...
std::string conversion_status_text(core::ConversionStatus status);

// "[QEMU-IMG] ": the converter's short name, upper-cased, as the seed shows.
std::string converter_output_prefix(const core::PluginRegistry& registry, const std::string& id);

// The ConversionResult: status, converter, success, converted_files,
// report_path, duration_seconds, error, warnings, metadata.
rapidjson::Value conversion_outcome_json(const core::ConversionOutcome& outcome,
                                         rapidjson::Document::AllocatorType& alloc);

// Conversion Status/Files/Duration/Report (and Error when it failed).
SummaryRows conversion_summary_rows(const core::ConversionOutcome& outcome);

// "Converted Files (KVM-Ready):" and the list, then the warnings.
void print_converted_files(const core::ConversionOutcome& outcome);

}  // namespace hypersdk::host
