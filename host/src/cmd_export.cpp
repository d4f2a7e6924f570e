// hyperexport export (also the default command): export a VM through its
// provider plugin into an output directory, write and verify the Artifact
// Manifest and, with --convert, hand it to the ConversionManager, so one
// command takes a VM from the source platform to KVM-ready images.
//
// The provider's options (endpoint, credentials, region...) and every
// converter's come from the plugins' declared tables; this file knows none of
// them. Flags and profiles are merged in export_flags.cpp, shown in
// export_report.cpp; this file runs the steps.
#include <hypersdk/core/conversion_manager.hpp>
#include <hypersdk/core/duration.hpp>
#include <hypersdk/core/export_profile.hpp>
#include <hypersdk/core/export_runner.hpp>

#include <spdlog/spdlog.h>
#include <boost/program_options.hpp>

#include <chrono>
#include <iostream>
#include <optional>
#include <string>

#include "cli_support.hpp"
#include "command.hpp"
#include "conversion_step.hpp"
#include "export_flags.hpp"
#include "export_report.hpp"
#include "plugin_flags.hpp"
#include "plugin_options_cli.hpp"
#include "progress_bar.hpp"
#include "signal_scope.hpp"
#include "terminal_text.hpp"

namespace hypersdk::host {
namespace {

namespace po = boost::program_options;

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
    return out;
}

std::string installed_providers(const core::PluginRegistry& registry) {
    std::vector<std::string> names;
    for (const auto* plugin : registry.providers())
        names.push_back(plugin->provider_backend()->capabilities().provider_name);
    return names.empty() ? "none installed" : "installed: " + join(names);
}

// Everything parsing produced: the flags, the provider's resolved options
// and the conversion request's plugin parts.
struct ParsedExport {
    ExportFlags flags;
    std::optional<core::ExportProfile> profile;
    core::OptionResolution provider_options;
    core::ConversionRequest conversion;
};

// Parses the command line in two passes: --provider and --profile first (the
// provider selects which flags exist), then everything. Returns an exit code
// when the command is over (help, usage error), else nullopt.
std::optional<int> parse_export(const std::vector<std::string>& args, const GlobalOptions& global,
                                core::PluginRegistry& registry, ParsedExport& parsed) {
    ExportFlags& flags = parsed.flags;
    if (const auto profile_name = prescan_flag(args, "profile")) {
        try {
            parsed.profile = core::load_profile(*profile_name, profile_key_claim(registry));
        } catch (const core::ProfileError& error) {
            return usage_error(error.what(), "export");
        }
    }
    std::string provider_name = prescan_flag(args, "provider").value_or("");
    if (provider_name.empty() && parsed.profile && parsed.profile->provider)
        provider_name = *parsed.profile->provider;

    po::options_description visible = export_host_options(flags);
    po::options_description hidden;
    const std::optional<PluginFlagGroup> provider_group =
        provider_name.empty() ? std::nullopt : provider_flag_group(registry, provider_name);
    if (provider_group) {
        auto described = describe_plugin_flags(
            *provider_group,
            "Options of the " + provider_name +
                " provider (a flag wins over its profile key, which wins over the variables)");
        visible.add(described.visible);
        hidden.add(described.hidden);
    }
    const std::vector<PluginFlagGroup> converter_groups = converter_flag_groups(registry);
    for (const auto& group : converter_groups) {
        auto described = describe_plugin_flags(group, "Options of " + group.owner);
        visible.add(described.visible);
        hidden.add(described.hidden);
    }
    po::options_description all;
    all.add(visible).add(hidden);

    po::variables_map values;
    try {
        po::store(po::command_line_parser(args).options(all).run(), values);
        po::notify(values);
    } catch (const po::unknown_option& error) {
        std::string hint;
        if (provider_name.empty())
            hint = " (a provider's options are offered once --provider names it; " +
                   installed_providers(registry) + ")";
        else if (provider_group)
            hint = " (see hyperexport export --provider " + provider_name + " --help)";
        return usage_error(describe_option_error(error) + hint, "export");
    } catch (const po::error& error) {
        return usage_error(describe_option_error(error), "export");
    }
    if (values.count("help")) {
        std::cout << visible << "\n";
        if (!provider_group)
            std::cout << "Add --provider NAME to see that provider's options ("
                      << installed_providers(registry) << ").\n";
        return kExitOk;
    }
    if (values.count("instance")) {
        const std::string instance = values["instance"].as<std::string>();
        if (values.count("vm") && flags.vm != instance)
            return usage_error("--vm and --instance name the same thing; give one", "export");
        flags.vm = instance;
    }
    flags.quiet = flags.quiet || global.quiet;
    if (parsed.profile) {
        if (const auto problem = apply_export_profile(values, flags, *parsed.profile))
            return usage_error(*problem, "export");
        std::vector<std::string> skipped;
        const auto problems = unclaimed_profile_keys(*parsed.profile, registry, flags.provider, &skipped);
        if (!problems.empty())
            return usage_error("profile " + parsed.profile->name + ": " + problems.front(), "export");
        for (const auto& plugin : skipped)
            spdlog::warn("profile {}: plugin_options.{} is for a plugin that is not installed; ignored",
                         parsed.profile->name, plugin);
    }
    if (const auto problem = check_export_flags(flags)) return usage_error(*problem, "export");
    if (!provider_group) {
        std::string error;
        if (core::ExportRunner(registry).find_provider(flags.provider, error) == nullptr)
            return failure(error);
    }

    try {
        const core::ExportProfile* profile = parsed.profile ? &*parsed.profile : nullptr;
        parsed.provider_options = resolve_group(*provider_group, values, profile, flags.provider, true);
        if (!parsed.provider_options.errors.empty())
            return usage_error(parsed.provider_options.errors.front(), "export");
        if (!parsed.provider_options.missing.empty())
            return usage_error(parsed.provider_options.missing.front(), "export");
        if (const std::string problem =
                resolve_converter_options(registry, converter_groups, values, profile, parsed.conversion);
            !problem.empty())
            return usage_error(problem, "export");
    } catch (const std::invalid_argument& error) {
        return usage_error(error.what(), "export");
    }
    return std::nullopt;
}

core::ExportRequest export_request(const ParsedExport& parsed) {
    const ExportFlags& flags = parsed.flags;
    core::ExportRequest request;
    request.provider = flags.provider;
    request.vm = flags.vm;
    request.output_dir = flags.output;
    request.format = flags.format;
    request.power_off = flags.power_off;
    request.parallel = flags.parallel;
    request.direct_io = flags.direct_io;
    request.resume = flags.resume;
    request.group_readable = flags.group_readable;
    request.manifest_checksum = flags.manifest_checksum;
    request.verify_manifest = flags.verify_manifest;
    request.target_format = flags.target_format;
    request.compress = flags.compress;
    request.fix = flags.fix;
    request.config_json = "{" + parsed.provider_options.json_members() + "}";
    return request;
}

int run_dry_run(const ParsedExport& parsed, const core::ExportRunner& runner,
                const core::ExportRequest& request, const Reporter& reporter) {
    const ExportFlags& flags = parsed.flags;
    core::Job job("describe " + flags.vm);
    const CancelOnSignal cancel_on_signal(job);
    reporter.info("Connecting to " + flags.provider + "...");
    std::string error;
    const auto description = runner.describe(request, job, error);
    if (!description) return failure(terminal_safe(error));
    std::string format = request.format;
    if (format.empty()) {
        std::string unused;
        const auto* provider = runner.find_provider(flags.provider, unused);
        if (provider != nullptr && !provider->capabilities().export_formats.empty())
            format = provider->capabilities().export_formats.front();
    }
    std::string converter_note = "yes";
    if (flags.convert)
        converter_note = flags.converter.empty()
                             ? "yes, best matching converter for " + flags.target_format
                             : "yes, with " + flags.converter + " to " + flags.target_format;
    print_dry_run(flags, *description, format, parsed.provider_options, converter_note);
    return kExitOk;
}

core::ExportOutcome run_export_step(const ExportFlags& flags, const core::ExportRunner& runner,
                                    const core::ExportRequest& request, Reporter& reporter) {
    ProgressOptions progress_options;
    if (flags.quiet) progress_options.style = ProgressStyle::quiet;
    ProgressDisplay display(progress_options);
    reporter.set_display(&display);
    SinkProgress progress(display, reporter);
    core::Job job("export " + flags.vm);
    core::ExportOutcome outcome;
    {
        const CancelOnSignal cancel_on_signal(job);
        reporter.info("Connecting to " + flags.provider + " and exporting VM: " + flags.vm);
        outcome = runner.run(request, job, progress.observer());
    }
    display.finish();
    reporter.set_display(nullptr);
    return outcome;
}

core::ConversionOutcome run_conversion_after_export(const ParsedExport& parsed,
                                                    const core::PluginRegistry& registry,
                                                    const core::ExportOutcome& outcome,
                                                    const Reporter& reporter) {
    const ExportFlags& flags = parsed.flags;
    core::ConversionRequest request = parsed.conversion;
    request.manifest_path = outcome.manifest_path;
    if (!flags.converter.empty()) request.converter = flags.converter;
    request.target_format = flags.target_format;
    request.timeout = *core::parse_duration(flags.conversion_timeout);
    request.stream_output = flags.stream_conversion && !flags.quiet;
    request.group_readable = flags.group_readable;
    const core::ConversionManager manager(registry);
    const core::ConversionPlan plan = manager.plan(request);
    ConversionDisplay display;
    if (flags.quiet) display.progress.style = ProgressStyle::quiet;
    display.tool_lines_to_stderr = flags.json;
    display.tool_lines = !flags.quiet;
    display.info = [&reporter](const std::string& line) { reporter.info(line); };
    if (!plan.decision.chosen_id) {
        core::ConversionOutcome none;
        none.status = plan.manifest_issues.empty() ? core::ConversionStatus::no_converter
                                                   : core::ConversionStatus::manifest_invalid;
        none.error = plan.manifest_issues.empty()
                         ? plan.decision.failure
                         : "the manifest is invalid:\n" + core::format_issues(plan.manifest_issues);
        return none;
    }
    reporter.info("Starting automatic conversion with " + *plan.decision.chosen_id + "...");
    core::ConversionOutcome conversion = run_conversion(registry, manager, request, plan, display);
    if (conversion.success)
        reporter.info("Conversion completed successfully in " + format_duration(conversion.duration_seconds));
    return conversion;
}

}  // namespace

std::vector<std::string> export_flag_names() {
    ExportFlags flags;
    return long_option_names(export_host_options(flags));
}

int run_export(const GlobalOptions& global, const std::vector<std::string>& args) {
    core::PluginRegistry registry;
    discover_plugins(global, registry);
    ParsedExport parsed;
    if (const auto exit_code = parse_export(args, global, registry, parsed)) return *exit_code;
    const ExportFlags& flags = parsed.flags;
    const core::ExportRequest request = export_request(parsed);
    const core::ExportRunner runner(registry);
    Reporter reporter(flags, nullptr);
    if (flags.dry_run) return run_dry_run(parsed, runner, request, reporter);

    const auto started = std::chrono::steady_clock::now();
    const core::ExportOutcome outcome = run_export_step(flags, runner, request, reporter);
    using core::ExportStatus;
    if (outcome.status == ExportStatus::failed || outcome.status == ExportStatus::cancelled) {
        if (flags.json) print_result_json(outcome, flags, std::nullopt);
        return failure(terminal_safe(outcome.error));
    }
    reporter.info("Export completed in " + format_duration(outcome.duration_seconds));
    if (!outcome.manifest_path.empty()) reporter.info("Manifest created: " + outcome.manifest_path.string());
    if (!outcome.ova_path.empty()) reporter.info("OVA packed: " + outcome.ova_path.string());
    if (outcome.status == ExportStatus::verification_failed ||
        outcome.status == ExportStatus::package_failed) {
        if (flags.json) print_result_json(outcome, flags, std::nullopt);
        std::cerr << "hyperexport: " << terminal_safe(outcome.error) << "\n";
        return outcome.status == ExportStatus::verification_failed ? kExitVerifyFailed : kExitPackageFailed;
    }
    if (outcome.manifest_verified) reporter.info("Manifest verified successfully");

    std::optional<core::ConversionOutcome> conversion;
    if (flags.convert) {
        if (interrupted()) {
            core::ConversionOutcome cancelled;
            cancelled.status = core::ConversionStatus::cancelled;
            cancelled.error = "interrupted before the conversion started";
            conversion = cancelled;
        } else {
            conversion = run_conversion_after_export(parsed, registry, outcome, reporter);
        }
    }
    const double total_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (flags.json)
        print_result_json(outcome, flags, conversion);
    else if (!flags.quiet)
        print_summary(outcome, conversion, total_seconds);
    if (conversion && !conversion->success) {
        std::cerr << "hyperexport: conversion failed: " << terminal_safe(conversion->error) << "\n"
                  << "hyperexport: the exported disks and " << outcome.manifest_path.string()
                  << " are intact: retry with 'hyperexport convert --manifest "
                  << outcome.manifest_path.string() << "'\n";
        return kExitConversionFailed;
    }
    return kExitOk;
}

namespace {
const bool registered = register_command(
    {"export", "export a VM through its provider plugin, write the manifest, optionally convert", run_export,
     export_flag_names});
}  // namespace

}  // namespace hypersdk::host
