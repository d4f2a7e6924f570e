// How `hyperexport export` shows itself: [INFO] lines, one progress bar per
// disk, the dry-run plan, the summary box and the --json document. Text that
// came from the provider or the manifest is made terminal-safe here.
#pragma once

#include <hypersdk/core/conversion_manager.hpp>
#include <hypersdk/core/export_runner.hpp>
#include <hypersdk/core/option_resolution.hpp>

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "export_flags.hpp"
#include "progress_bar.hpp"

namespace hypersdk::host {

// "[INFO] ..." lines: stdout normally, stderr under --json, nothing under --quiet.
class Reporter {
public:
    Reporter(const ExportFlags& flags, ProgressDisplay* display) : flags_(flags), display_(display) {}
    void info(const std::string& text) const;
    void set_display(ProgressDisplay* display) { display_ = display; }

private:
    const ExportFlags& flags_;
    ProgressDisplay* display_;
};

// Feeds the sinks' bytes into one progress bar per disk (plus overall).
class SinkProgress {
public:
    SinkProgress(ProgressDisplay& display, const Reporter& reporter)
        : display_(display), reporter_(reporter) {}
    core::FileSinkFactory::Observer observer();

private:
    std::optional<size_t> find(size_t index);
    ProgressDisplay& display_;
    const Reporter& reporter_;
    std::mutex mutex_;
    std::map<size_t, size_t> items_;
};

// --dry-run: what the export would do. `provider_options` shows the resolved
// options (secrets as "(set)").
void print_dry_run(const ExportFlags& flags, const core::VmDescription& vm, const std::string& format,
                   const core::OptionResolution& provider_options, const std::string& converter_note);

void print_result_json(const core::ExportOutcome& outcome, const ExportFlags& flags,
                       const std::optional<core::ConversionOutcome>& conversion);

void print_summary(const core::ExportOutcome& outcome,
                   const std::optional<core::ConversionOutcome>& conversion, double total_seconds);

}  // namespace hypersdk::host
