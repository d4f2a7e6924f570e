// What `hyperexport convert` and `hyperexport export --convert` share: running
// the conversion (one progress item, tool lines through the display, signals
// cancelling the job, the routing notes), the converter's output prefix, the
// status words, the ConversionResult as JSON, and the summary rows.
#pragma once

#include <hypersdk/core/conversion_manager.hpp>
#include <hypersdk/core/job.hpp>
#include <hypersdk/core/plugin_registry.hpp>

#include <rapidjson/document.h>

#include <functional>
#include <string>

#include "progress_bar.hpp"
#include "summary_box.hpp"

namespace hypersdk::host {

// How a conversion shows itself.
struct ConversionDisplay {
    ProgressOptions progress;           // style quiet: no bar
    bool tool_lines_to_stderr = false;  // --json: stdout holds one document
    bool tool_lines = true;             // --quiet: none (a converter may print its stages unasked)
    // "[INFO] ..." lines (routing notes, the start line); may be empty.
    std::function<void(const std::string&)> info;
};

// Runs the planned conversion: a "convert" progress item fed by the job,
// tool lines prefixed with the converter's name, SIGINT/SIGTERM/SIGHUP
// cancelling the job, and the routing notes ("X fits but cannot run; using
// Y") said first. The plan must have chosen a converter.
core::ConversionOutcome run_conversion(const core::PluginRegistry& registry,
                                       const core::ConversionManager& manager,
                                       const core::ConversionRequest& request,
                                       const core::ConversionPlan& plan, const ConversionDisplay& display);

// The one-word outcome of the progress item: done, FAILED, cancelled, timed-out.
std::string conversion_progress_word(const core::ConversionOutcome& outcome);

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

// The one line of a conversion error worth a summary row: the tool's own
// error line ("virt-v2v: error: no bootloader detected"), searched from the
// end of the message's output tail, else the message's first line.
std::string error_headline(const std::string& error);

// "Converted Files (KVM-Ready):" and the list, then the warnings.
void print_converted_files(const core::ConversionOutcome& outcome);

}  // namespace hypersdk::host
