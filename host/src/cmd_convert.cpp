// hyperexport convert: route a manifest to the converter whose declared
// capabilities fit, run it with a deadline, stream its output, and end with
// the summary box and the list of KVM-ready files.
#include <hypersdk/core/conversion_manager.hpp>
#include <hypersdk/core/duration.hpp>

#include <rapidjson/document.h>
#include <boost/program_options.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <csignal>
#include <cstdio>
#include <iostream>

#include "cli_support.hpp"
#include "command.hpp"
#include "conversion_step.hpp"
#include "progress_bar.hpp"
#include "summary_box.hpp"

namespace hypersdk::host {
namespace {

namespace po = boost::program_options;
using core::ConversionStatus;

void print_outcome_json(const core::ConversionOutcome& outcome, const core::ConversionPlan& plan) {
    rapidjson::Document document(rapidjson::kObjectType);
    auto& alloc = document.GetAllocator();
    // "manifest" first, then the ConversionResult keys.
    document.AddMember("manifest", rapidjson::Value(plan.manifest_path.string().c_str(), alloc), alloc);
    rapidjson::Value result = conversion_outcome_json(outcome, alloc);
    for (auto& member : result.GetObject()) document.AddMember(member.name, member.value, alloc);
    std::cout << to_pretty_json(document);
}

void print_summary(const core::ConversionOutcome& outcome, const core::ConversionPlan& plan) {
    SummaryRows rows{{"Manifest", plan.manifest_path.string()},
                     {"Converter", outcome.converter_id.empty() ? "-" : outcome.converter_id}};
    for (auto& row : conversion_summary_rows(outcome)) rows.push_back(std::move(row));
    std::cout << "\n" << render_summary_box("Conversion Summary", rows);
    print_converted_files(outcome);
}

const char* const kUsage =
    "Usage: hyperexport convert --manifest FILE [options]\n"
    "\n"
    "Convert the disks an Artifact Manifest v1.0 names into KVM-ready images. The\n"
    "converter is chosen by declared capabilities: it must read every disk's\n"
    "source format, write the target format, and offer every pipeline stage the\n"
    "manifest enables (fix = driver injection, inspect = OS detection, validate);\n"
    "its tool must be installed. Among those, the highest priority wins.\n"
    "A failed or interrupted conversion leaves the manifest and the disks as they\n"
    "were: run the same command again.\n"
    "\n"
    "Options";

}  // namespace

int run_convert(const GlobalOptions& global, const std::vector<std::string>& args) {
    po::options_description options(kUsage);
    std::string manifest;
    std::string converter;
    std::string target_format;
    std::string timeout_text = "2h";
    bool stream = true;
    int verbose = 0;
    int compress_level = -1;
    std::string hyper2kvm_binary;
    std::vector<std::string> custom_args;
    // clang-format off
    options.add_options()
        ("help,h", "show this help")
        ("manifest", po::value(&manifest)->value_name("FILE"), "the Artifact Manifest (required)")
        ("converter", po::value(&converter)->value_name("ID"),
         "use this converter (plugin id or name) instead of the best match; it must still fit the job")
        ("explain", "print each converter and why it was chosen or refused, then stop (exit 1 if none fits)")
        ("target-format", po::value(&target_format)->value_name("F"),
         "qcow2, raw or vdi (default: the manifest's output.format, else qcow2)")
        ("conversion-timeout", po::value(&timeout_text)->value_name("D"),
         "stop the converter after D (e.g. 90m, 4h; default 2h)")
        ("stream-conversion", po::value(&stream)->value_name("BOOL")->implicit_value(true),
         "show the converter's output prefixed with its name (default true; --stream-conversion=false hides it)")
        ("verbose,v", po::value(&verbose)->value_name("N")->implicit_value(1), "converter verbosity 0-3")
        ("compress-level", po::value(&compress_level)->value_name("N"),
         "compress the output, level 1-9 (0 = none; default: the manifest's pipeline.convert)")
        ("hyper2kvm-binary", po::value(&hyper2kvm_binary)->value_name("PATH"),
         "the hyper2kvm executable (default: search PATH, /usr/local/bin, /usr/bin, ~/.local/bin)")
        ("converter-arg", po::value(&custom_args)->value_name("ARG")->composing(),
         "extra argument for the converter's tool (repeatable)")
        ("force", "overwrite existing files at output paths that are not outputs of an earlier run of this job (never a source disk)")
        ("group-readable", "create outputs 0640 and new directories 0750 (default: 0600 and 0700)")
        ("dry-run", "show what the converter would run; convert nothing")
        ("json", "print the ConversionResult as JSON instead of the summary");
    // clang-format on
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(args).options(options).run(), vm);
        po::notify(vm);
    } catch (const po::error& error) {
        return usage_error(describe_option_error(error), "convert");
    }
    if (vm.count("help")) {
        std::cout << options << "\n";
        return kExitOk;
    }
    if (manifest.empty()) return usage_error("--manifest FILE is required", "convert");
    const auto timeout = core::parse_duration(timeout_text);
    if (!timeout)
        return usage_error("invalid --conversion-timeout '" + timeout_text + "' (use e.g. 45m, 2h, 4h30m)",
                           "convert");
    if (!target_format.empty() && target_format != "qcow2" && target_format != "raw" &&
        target_format != "vdi")
        return usage_error("invalid --target-format '" + target_format + "' (use qcow2, raw or vdi)",
                           "convert");
    if (verbose < 0 || verbose > 3) return usage_error("--verbose must be 0-3", "convert");
    if (vm.count("compress-level") && (compress_level < 0 || compress_level > 9))
        return usage_error("--compress-level must be 0-9", "convert");

    core::ConversionRequest request;
    request.manifest_path = manifest;
    if (!converter.empty()) request.converter = converter;
    if (!target_format.empty()) request.target_format = target_format;
    request.timeout = *timeout;
    request.stream_output = stream && !global.quiet;
    request.dry_run = vm.count("dry-run") > 0;
    request.verbose = verbose;
    if (vm.count("compress-level")) request.compression_level = compress_level;
    request.hyper2kvm_binary = hyper2kvm_binary;
    request.custom_args = custom_args;
    request.force = vm.count("force") > 0;
    request.group_readable = vm.count("group-readable") > 0;
    const bool json = vm.count("json") > 0;

    core::PluginRegistry registry;
    discover_plugins(global, registry);
    const core::ConversionManager manager(registry);
    const core::ConversionPlan plan = manager.plan(request);

    if (!plan.manifest_issues.empty())
        return failure("the manifest " + plan.manifest_path.string() + " is invalid:\n" +
                       core::format_issues(plan.manifest_issues));
    if (vm.count("explain")) {
        std::cout << core::format_routing_table(plan.needs, plan.decision);
        if (!plan.decision.chosen_id) std::cout << "No converter fits: " << plan.decision.failure << "\n";
        return plan.decision.chosen_id ? kExitOk : kExitFailure;
    }
    if (!plan.decision.chosen_id) {
        std::cerr << core::format_routing_table(plan.needs, plan.decision);
        return failure(plan.decision.failure);
    }

    const std::string prefix = converter_output_prefix(registry, *plan.decision.chosen_id);
    if (!json && !global.quiet)
        std::cout << "Converting " << plan.manifest_path.string() << " with " << *plan.decision.chosen_id
                  << "\n"
                  << std::flush;
    core::Job job("convert " + plan.manifest_path.string());
    // One "convert" item fed by the job's progress: bars on a terminal, plain
    // lines otherwise; nothing under --quiet, --json (stdout is one document)
    // or --dry-run (nothing is copied).
    ProgressOptions progress_options;
    progress_options.style =
        json || global.quiet || request.dry_run ? ProgressStyle::quiet : ProgressStyle::automatic;
    ProgressDisplay progress(progress_options);
    const size_t progress_item = progress.add_item("convert", 0);
    job.on_progress([&progress, progress_item](uint64_t done, uint64_t total) {
        progress.set_total(progress_item, total);
        progress.update(progress_item, done);
    });
    // Tool lines go through the display so they never land inside a bar: to
    // stdout, or stderr under --json so stdout stays one document.
    job.on_output([&progress, prefix, json](std::string_view line) {
        progress.print_line(json ? stderr : stdout, prefix + std::string(line));
    });
    core::ConversionOutcome outcome;
    {
        const CancelOnSignal cancel_on_signal(job);
        outcome = manager.run(request, plan, job);
    }
    const char* progress_outcome = "FAILED";
    if (outcome.success)
        progress_outcome = "done";
    else if (outcome.status == ConversionStatus::cancelled)
        progress_outcome = "cancelled";
    else if (outcome.status == ConversionStatus::timed_out)
        progress_outcome = "timed-out";
    progress.finish_item(progress_item, progress_outcome);
    progress.finish();
    if (json)
        print_outcome_json(outcome, plan);
    else if (!global.quiet)
        print_summary(outcome, plan);
    if (!outcome.success) {
        std::cerr << "hyperexport: " << outcome.error << "\n";
        return kExitFailure;
    }
    return kExitOk;
}

namespace {
const bool registered = register_command(
    {"convert", "convert the disks of an Artifact Manifest into KVM-ready images", run_convert});
}  // namespace

}  // namespace hypersdk::host
