// hyperexport convert: route a manifest to the converter whose declared
// capabilities fit, run it with a deadline, stream its output, and end with
// the summary box and the list of KVM-ready files.
#include <hypersdk/core/conversion_manager.hpp>
#include <hypersdk/core/duration.hpp>

#include <rapidjson/document.h>
#include <boost/program_options.hpp>

#include <iostream>

#include "cli_support.hpp"
#include "command.hpp"
#include "conversion_step.hpp"
#include "plugin_flags.hpp"
#include "plugin_options_cli.hpp"
#include "progress_bar.hpp"
#include "summary_box.hpp"
#include "terminal_text.hpp"

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
    SummaryRows rows{{"Manifest", terminal_safe(plan.manifest_path.string())},
                     {"Converter", outcome.converter_id.empty() ? "-" : outcome.converter_id}};
    for (auto& row : conversion_summary_rows(outcome)) rows.push_back(std::move(row));
    std::cout << "\n" << render_summary_box("Conversion Summary", rows);
    print_converted_files(outcome);
}

struct ConvertFlags {
    std::string manifest;
    std::string converter;
    std::string target_format;
    std::string timeout_text = "2h";
    bool stream = true;
    int verbose = 0;
    int compress_level = -1;
    std::vector<std::string> custom_args;
    bool explain = false;
    bool force = false;
    bool group_readable = false;
    bool dry_run = false;
    bool json = false;
};

const char* const kUsage =
    "Usage: hyperexport convert --manifest FILE [options]\n"
    "\n"
    "Convert the disks an Artifact Manifest v1.0 names into KVM-ready images. The\n"
    "converter is chosen by declared capabilities: it must read every disk's\n"
    "source format, write the target format, and offer every pipeline stage the\n"
    "manifest enables (fix = driver injection, inspect = OS detection, validate);\n"
    "its tool must be installed. Among those, the highest priority wins.\n"
    "A failed or interrupted conversion leaves the manifest and the disks as they\n"
    "were: run the same command again. Exit codes: 0 converted, 1 failed, invalid\n"
    "manifest, no converter fits, cancelled (SIGINT/SIGTERM/SIGHUP) or timed out,\n"
    "2 usage error.\n"
    "\n"
    "Options";

// The fixed options of convert (the converters' own are added at run time).
po::options_description convert_host_options(ConvertFlags& flags) {
    po::options_description options(kUsage, 100);
    // clang-format off
    options.add_options()
        ("help,h", "show this help")
        ("manifest", po::value(&flags.manifest)->value_name("FILE"), "the Artifact Manifest (required)")
        ("converter", po::value(&flags.converter)->value_name("ID"),
         "use this converter (plugin id or name) instead of the best match; it must still fit the job")
        ("explain", po::bool_switch(&flags.explain),
         "print each converter and why it was chosen or refused, then stop (exit 1 if none fits)")
        ("target-format", po::value(&flags.target_format)->value_name("F"),
         "qcow2, raw or vdi (default: the manifest's output.format, else qcow2)")
        ("conversion-timeout", po::value(&flags.timeout_text)->value_name("D"),
         "stop the converter after D (e.g. 90m, 4h; default 2h)")
        ("stream-conversion", po::value(&flags.stream)->value_name("BOOL")->implicit_value(true),
         "show the converter's output prefixed with its name (default true; --stream-conversion=false hides it)")
        ("verbose,v", po::value(&flags.verbose)->value_name("N")->implicit_value(1), "converter verbosity 0-3")
        ("compress-level", po::value(&flags.compress_level)->value_name("N"),
         "compress the output, level 1-9 (0 = none; default: the manifest's pipeline.convert)")
        ("converter-arg", po::value(&flags.custom_args)->value_name("ARG")->composing(),
         "extra argument for the converter's tool (repeatable)")
        ("force", po::bool_switch(&flags.force),
         "overwrite existing files at output paths that are not outputs of an earlier run of this job (never a source disk)")
        ("group-readable", po::bool_switch(&flags.group_readable),
         "create outputs 0640 and new directories 0750 (default: 0600 and 0700)")
        ("dry-run", po::bool_switch(&flags.dry_run), "show what the converter would run; convert nothing")
        ("json", po::bool_switch(&flags.json), "print the ConversionResult as JSON instead of the summary");
    // clang-format on
    return options;
}

}  // namespace

std::vector<std::string> convert_flag_names() {
    ConvertFlags flags;
    return long_option_names(convert_host_options(flags));
}

int run_convert(const GlobalOptions& global, const std::vector<std::string>& args) {
    ConvertFlags flags;
    po::options_description options = convert_host_options(flags);

    core::PluginRegistry registry;
    discover_plugins(global, registry);
    // Each converter's declared options, as --<converter>-<option>.
    const std::vector<PluginFlagGroup> converter_groups = converter_flag_groups(registry);
    po::options_description hidden;
    for (const auto& group : converter_groups) {
        auto described = describe_plugin_flags(group, "Options of " + group.owner);
        options.add(described.visible);
        hidden.add(described.hidden);
    }
    po::options_description all;
    all.add(options).add(hidden);

    po::variables_map vm;
    try {
        po::store(po::command_line_parser(args).options(all).run(), vm);
        po::notify(vm);
    } catch (const po::error& error) {
        return usage_error(describe_option_error(error), "convert");
    }
    if (vm.count("help")) {
        std::cout << options << "\n";
        return kExitOk;
    }
    if (flags.manifest.empty()) return usage_error("--manifest FILE is required", "convert");
    const auto timeout = core::parse_duration(flags.timeout_text);
    if (!timeout)
        return usage_error(
            "invalid --conversion-timeout '" + flags.timeout_text + "' (use e.g. 45m, 2h, 4h30m)", "convert");
    if (!flags.target_format.empty() && flags.target_format != "qcow2" && flags.target_format != "raw" &&
        flags.target_format != "vdi")
        return usage_error("invalid --target-format '" + flags.target_format + "' (use qcow2, raw or vdi)",
                           "convert");
    if (flags.verbose < 0 || flags.verbose > 3) return usage_error("--verbose must be 0-3", "convert");
    if (vm.count("compress-level") && (flags.compress_level < 0 || flags.compress_level > 9))
        return usage_error("--compress-level must be 0-9", "convert");

    core::ConversionRequest request;
    request.manifest_path = flags.manifest;
    if (!flags.converter.empty()) request.converter = flags.converter;
    if (!flags.target_format.empty()) request.target_format = flags.target_format;
    request.timeout = *timeout;
    request.stream_output = flags.stream && !global.quiet;
    request.dry_run = flags.dry_run;
    request.verbose = flags.verbose;
    if (vm.count("compress-level")) request.compression_level = flags.compress_level;
    request.custom_args = flags.custom_args;
    request.force = flags.force;
    request.group_readable = flags.group_readable;
    if (const std::string problem =
            resolve_converter_options(registry, converter_groups, vm, nullptr, request);
        !problem.empty())
        return usage_error(problem, "convert");

    const core::ConversionManager manager(registry);
    const core::ConversionPlan plan = manager.plan(request);

    if (!plan.manifest_issues.empty())
        return failure("the manifest " + plan.manifest_path.string() + " is invalid:\n" +
                       core::format_issues(plan.manifest_issues));
    if (flags.explain) {
        std::cout << core::format_routing_table(plan.needs, plan.decision);
        if (!plan.decision.chosen_id) std::cout << "No converter fits: " << plan.decision.failure << "\n";
        return plan.decision.chosen_id ? kExitOk : kExitFailure;
    }
    if (!plan.decision.chosen_id) {
        std::cerr << core::format_routing_table(plan.needs, plan.decision);
        return failure(plan.decision.failure);
    }

    if (!flags.json && !global.quiet)
        std::cout << "Converting " << terminal_safe(plan.manifest_path.string()) << " with "
                  << *plan.decision.chosen_id << "\n"
                  << std::flush;
    // One "convert" item: bars on a terminal, plain lines otherwise; nothing
    // under --quiet, --json (stdout is one document) or --dry-run.
    ConversionDisplay display;
    display.progress.style =
        flags.json || global.quiet || request.dry_run ? ProgressStyle::quiet : ProgressStyle::automatic;
    display.tool_lines_to_stderr = flags.json;
    display.tool_lines = !global.quiet;
    if (!global.quiet)
        display.info = [json = flags.json](const std::string& line) {
            (json ? std::cerr : std::cout) << "[INFO] " << terminal_safe(line) << std::endl;
        };
    const core::ConversionOutcome outcome = run_conversion(registry, manager, request, plan, display);
    if (flags.json)
        print_outcome_json(outcome, plan);
    else if (!global.quiet)
        print_summary(outcome, plan);
    if (!outcome.success) {
        std::cerr << "hyperexport: " << terminal_safe(outcome.error) << "\n";
        return kExitFailure;
    }
    return kExitOk;
}

namespace {
const bool registered =
    register_command({"convert", "convert the disks of an Artifact Manifest into KVM-ready images",
                      run_convert, convert_flag_names});
}  // namespace

}  // namespace hypersdk::host
