// hyperexport export (also the default command): export a VM through its
// provider plugin into an output directory, write and verify the Artifact
// Manifest and, with --convert, hand it to the ConversionManager, so one
// command takes a VM from the source platform to KVM-ready images.
#include <hypersdk/core/conversion_manager.hpp>
#include <hypersdk/core/duration.hpp>
#include <hypersdk/core/export_profile.hpp>
#include <hypersdk/core/export_runner.hpp>

#include <rapidjson/document.h>
#include <boost/program_options.hpp>

#include <cstdio>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "cli_support.hpp"
#include "command.hpp"
#include "conversion_step.hpp"
#include "progress_bar.hpp"
#include "provider_config.hpp"
#include "summary_box.hpp"

namespace hypersdk::host {
namespace {

namespace po = boost::program_options;
namespace fs = std::filesystem;

// Exit codes of export (docs/hyperexport.md): 1 export failed (or was
// cancelled), 3 manifest verification failed, 4 conversion failed.
constexpr int kExitVerifyFailed = 3;
constexpr int kExitConversionFailed = 4;

struct ExportFlags {
    std::string provider;
    std::string vm;
    std::string output;
    std::string format = "ovf";
    bool convert = false;
    std::string converter;
    bool manifest_checksum = true;
    bool verify_manifest = false;
    std::string profile;
    int parallel = 4;
    bool direct_io = true;
    bool resume = true;
    bool group_readable = false;
    std::string conversion_timeout = "2h";
    bool stream_conversion = true;
    std::string hyper2kvm_binary;
    std::string target_format = "qcow2";
    bool power_off = false;
    bool dry_run = false;
    bool quiet = false;
    bool json = false;
};

const char* const kUsage =
    "Usage: hyperexport [export] --provider P --vm NAME --output DIR [options]\n"
    "\n"
    "Export a VM through its provider plugin: every disk (and the descriptor, e.g.\n"
    "the OVF) is written as NAME.part, hashed while it downloads, and renamed when\n"
    "complete; then artifact-manifest.json is written and validated. With --convert\n"
    "the manifest goes to the best converter plugin (see 'hyperexport convert').\n"
    "An interrupted export (Ctrl-C, network) leaves the .part files: run the same\n"
    "command again to resume. Exit codes: 0 ok, 1 export failed or cancelled,\n"
    "2 usage error, 3 manifest verification failed, 4 conversion failed.\n"
    "\n"
    "Export";

bool given(const po::variables_map& vm, const char* name) {
    return vm.count(name) && !vm[name].defaulted();
}

// Profile values fill in what the command line did not say.
std::optional<std::string> apply_profile(const po::variables_map& vm, ExportFlags& flags,
                                         ConnectionFlags& connection, const core::ExportProfile& profile) {
    const auto fill = [&](const char* name, auto& field, const auto& value) {
        if (value && !given(vm, name)) field = *value;
    };
    fill("provider", flags.provider, profile.provider);
    fill("output", flags.output, profile.output);
    fill("format", flags.format, profile.format);
    fill("target-format", flags.target_format, profile.manifest_target_format);
    fill("hyper2kvm-binary", flags.hyper2kvm_binary, profile.hyper2kvm_binary);
    fill("converter", flags.converter, profile.converter);
    fill("conversion-timeout", flags.conversion_timeout, profile.conversion_timeout);
    fill("verify-manifest", flags.verify_manifest, profile.verify_manifest);
    fill("manifest-checksum", flags.manifest_checksum, profile.manifest_checksum);
    fill("convert", flags.convert, profile.auto_convert);
    fill("stream-conversion", flags.stream_conversion, profile.stream_conversion);
    fill("power-off", flags.power_off, profile.power_off);
    fill("insecure", connection.insecure, profile.insecure);
    fill("parallel", flags.parallel, profile.parallel);
    if (profile.generate_manifest && !*profile.generate_manifest && flags.convert)
        return std::string("profile ") + profile.name +
               " says generate_manifest false, but --convert needs the manifest";
    return std::nullopt;
}

// "[INFO] ..." lines: stdout normally, stderr under --json, nothing under --quiet.
class Reporter {
public:
    Reporter(const ExportFlags& flags, ProgressDisplay* display) : flags_(flags), display_(display) {}
    void info(const std::string& text) const {
        if (flags_.quiet) return;
        const std::string line = "[INFO] " + text;
        std::FILE* stream = flags_.json ? stderr : stdout;
        if (display_ != nullptr)
            display_->print_line(stream, line);
        else
            std::fprintf(stream, "%s\n", line.c_str());
        std::fflush(stream);
    }
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
    core::FileSinkFactory::Observer observer() {
        core::FileSinkFactory::Observer observer;
        observer.opened = [this](size_t index, const core::SinkArtifact& artifact, uint64_t resumed) {
            if (resumed > 0)
                reporter_.info("Resuming " + artifact.file_name + " after the " + format_bytes(resumed) +
                               " already in " + artifact.file_name + ".part");
            if (artifact.kind != "disk") return;
            std::lock_guard lock(mutex_);
            const size_t item = display_.add_item(artifact.id, artifact.expected_bytes.value_or(0));
            items_[index] = item;
            display_.update(item, resumed);
        };
        observer.progress = [this](size_t index, uint64_t bytes) {
            if (const auto item = find(index)) display_.update(*item, bytes);
        };
        observer.closed = [this](size_t index, bool committed) {
            if (const auto item = find(index)) display_.finish_item(*item, committed ? "done" : "FAILED");
        };
        return observer;
    }

private:
    std::optional<size_t> find(size_t index) {
        std::lock_guard lock(mutex_);
        const auto it = items_.find(index);
        return it == items_.end() ? std::nullopt : std::optional<size_t>(it->second);
    }
    ProgressDisplay& display_;
    const Reporter& reporter_;
    std::mutex mutex_;
    std::map<size_t, size_t> items_;
};

std::string json_text(const rapidjson::Value& object, const char* key, const std::string& fallback = "-") {
    const auto it = object.FindMember(key);
    if (it == object.MemberEnd()) return fallback;
    if (it->value.IsString()) return it->value.GetString();
    if (it->value.IsInt64()) return std::to_string(it->value.GetInt64());
    if (it->value.IsBool()) return it->value.GetBool() ? "true" : "false";
    return fallback;
}

uint64_t json_u64(const rapidjson::Value& object, const char* key) {
    const auto it = object.FindMember(key);
    return it != object.MemberEnd() && it->value.IsUint64() ? it->value.GetUint64() : 0;
}

// --dry-run: what the export would do, from describe_vm. Writes nothing.
int print_dry_run(const ExportFlags& flags, const std::string& description_json,
                  const std::string& converter_note) {
    rapidjson::Document description;
    description.Parse(description_json.c_str());
    if (description.HasParseError() || !description.IsObject())
        return failure("the " + flags.provider + " provider returned no VM description");
    if (flags.json) {
        rapidjson::Document document(rapidjson::kObjectType);
        auto& alloc = document.GetAllocator();
        document.AddMember("dry_run", true, alloc);
        document.AddMember("provider", rapidjson::Value(flags.provider.c_str(), alloc), alloc);
        document.AddMember(
            "output_directory",
            rapidjson::Value(flags.output.empty() ? "" : fs::absolute(flags.output).string().c_str(), alloc),
            alloc);
        document.AddMember("format", rapidjson::Value(flags.format.c_str(), alloc), alloc);
        document.AddMember("convert", flags.convert, alloc);
        rapidjson::Value vm_value;
        vm_value.CopyFrom(description, alloc);
        document.AddMember("vm", vm_value, alloc);
        std::cout << to_pretty_json(document);
        return kExitOk;
    }
    std::cout << "Dry run: nothing is downloaded or written.\n\n";
    SummaryRows rows{
        {"VM Name", json_text(description, "name")},
        {"VM Id", json_text(description, "id")},
        {"Power State", json_text(description, "power_state")},
        {"CPUs", json_text(description, "cpu")},
        {"Memory", format_bytes(json_u64(description, "memory_mb") << 20)},
        {"Firmware", json_text(description, "firmware")},
        {"Guest OS", json_text(description, "guest_os_name", json_text(description, "guest_os"))}};
    uint64_t total = 0;
    size_t count = 0;
    if (const auto it = description.FindMember("disks");
        it != description.MemberEnd() && it->value.IsArray()) {
        for (const auto& disk : it->value.GetArray()) {
            if (!disk.IsObject()) continue;
            const uint64_t bytes = json_u64(disk, "capacity_bytes");
            total += bytes;
            rows.emplace_back(
                "Disk " + json_text(disk, "id"),
                format_bytes(bytes) + "  " + json_text(disk, "source", json_text(disk, "label")));
            ++count;
        }
    }
    rows.emplace_back("Disks", std::to_string(count) + " (" + format_bytes(total) + " provisioned)");
    rows.emplace_back("Output Directory", flags.output.empty() ? "-" : fs::absolute(flags.output).string());
    rows.emplace_back("Export Format", flags.format);
    rows.emplace_back("Artifact Manifest",
                      std::string(core::kManifestFileName) +
                          (flags.manifest_checksum ? " (with SHA-256)" : " (no checksums)"));
    if (json_text(description, "power_state") == "poweredOn")
        rows.emplace_back("Power", flags.power_off ? "will power the VM off first"
                                                   : "REFUSED: powered on, add --power-off");
    rows.emplace_back("Conversion", flags.convert ? converter_note : "no (add --convert)");
    std::cout << render_summary_box("Export Plan", rows);
    return kExitOk;
}

void print_result_json(const core::ExportOutcome& outcome, const ExportFlags& flags,
                       const std::optional<core::ConversionOutcome>& conversion) {
    rapidjson::Document document(rapidjson::kObjectType);
    auto& alloc = document.GetAllocator();
    const auto str = [&](const std::string& text) { return rapidjson::Value(text.c_str(), alloc); };
    document.AddMember("success", outcome.ok() && (!conversion || conversion->success), alloc);
    document.AddMember("provider", str(flags.provider), alloc);
    document.AddMember("vm_name", str(outcome.vm_name), alloc);
    document.AddMember("vm_id", str(outcome.vm_id), alloc);
    document.AddMember("job_id", str(outcome.job_id), alloc);
    document.AddMember("output_directory", str(outcome.output_dir.string()), alloc);
    document.AddMember("manifest", str(outcome.manifest_path.string()), alloc);
    document.AddMember("ova", str(outcome.ova_path.string()), alloc);
    document.AddMember("manifest_verified", outcome.manifest_verified, alloc);
    document.AddMember("duration_seconds", outcome.duration_seconds, alloc);
    document.AddMember("total_bytes", outcome.total_bytes, alloc);
    document.AddMember("powered_off_by_export", outcome.powered_off_by_export, alloc);
    rapidjson::Value files(rapidjson::kArrayType);
    for (const auto& record : outcome.files) {
        rapidjson::Value file(rapidjson::kObjectType);
        file.AddMember("kind", str(record.kind), alloc);
        file.AddMember("id", str(record.id), alloc);
        file.AddMember("file_name", str(record.file_name), alloc);
        file.AddMember("format", str(record.format), alloc);
        file.AddMember("path", str(record.path.string()), alloc);
        file.AddMember("bytes", record.bytes, alloc);
        file.AddMember("sha256", str(record.sha256), alloc);
        files.PushBack(file, alloc);
    }
    document.AddMember("files", files, alloc);
    rapidjson::Value warnings(rapidjson::kArrayType);
    for (const auto& warning : outcome.warnings) warnings.PushBack(str(warning), alloc);
    document.AddMember("warnings", warnings, alloc);
    document.AddMember("error", str(outcome.error), alloc);
    if (conversion)
        document.AddMember("conversion", conversion_outcome_json(*conversion, alloc), alloc);
    else
        document.AddMember("conversion", rapidjson::Value(rapidjson::kNullType), alloc);
    std::cout << to_pretty_json(document);
}

void print_summary(const core::ExportOutcome& outcome,
                   const std::optional<core::ConversionOutcome>& conversion, double total_seconds) {
    size_t disks = 0;
    for (const auto& file : outcome.files) disks += file.kind == "disk" ? 1 : 0;
    SummaryRows rows{{"VM Name", outcome.vm_name},
                     {"Duration", format_duration(total_seconds)},
                     {"Total Size", format_bytes(outcome.total_bytes)},
                     {"Files Exported", std::to_string(outcome.files.size()) + " (" + std::to_string(disks) +
                                            (disks == 1 ? " disk)" : " disks)")},
                     {"Output Directory", outcome.output_dir.string()},
                     {"Artifact Manifest", outcome.manifest_path.empty()
                                               ? std::string("-")
                                               : outcome.manifest_path.filename().string() +
                                                     (outcome.manifest_verified ? " (verified)" : "")}};
    if (!outcome.ova_path.empty()) rows.emplace_back("OVA Package", outcome.ova_path.filename().string());
    if (outcome.powered_off_by_export) rows.emplace_back("Source VM", "powered off by the export");
    if (conversion)
        for (auto& row : conversion_summary_rows(*conversion)) rows.push_back(std::move(row));
    std::cout << "\n" << render_summary_box("Export Summary", rows);
    if (conversion) print_converted_files(*conversion);
    for (const auto& warning : outcome.warnings) std::cout << "warning: " << warning << "\n";
    if (!conversion)
        std::cout << "\n✅ Export completed successfully!\n";
    else if (conversion->success)
        std::cout << "\n✅ Export and conversion completed successfully!\n";
    std::cout << std::flush;
}

}  // namespace

int run_export(const GlobalOptions& global, const std::vector<std::string>& args) {
    ExportFlags flags;
    ConnectionFlags connection;
    po::options_description options(kUsage, 100);
    // clang-format off
    options.add_options()
        ("help,h", "show this help")
        ("provider", po::value(&flags.provider)->value_name("P"),
         "the provider plugin's name, e.g. vsphere (see 'hyperexport plugins list')")
        ("vm", po::value(&flags.vm)->value_name("NAME"), "the VM: name, inventory path or platform id")
        ("output", po::value(&flags.output)->value_name("DIR"), "output directory (created if missing)")
        ("format", po::value(&flags.format)->value_name("F")->default_value("ovf"), "ovf, or ova: also pack <vm>.ova (OVF first, then the disks) beside the loose files the manifest names")
        ("parallel", po::value(&flags.parallel)->value_name("N")->default_value(4), "disks downloaded at once (1-64)")
        ("direct-io", po::value(&flags.direct_io)->value_name("BOOL")->default_value(true)->implicit_value(true),
         "write disks with O_DIRECT where the filesystem has it (no page-cache copy or eviction); false: buffered")
        ("resume", po::value(&flags.resume)->value_name("BOOL")->default_value(true)->implicit_value(true),
         "continue a .part of an earlier run when its resume record shows the same source; false: always start over")
        ("group-readable", po::bool_switch(&flags.group_readable), "create files 0640 and new directories 0750 (default: 0600 and 0700)")
        ("power-off", po::value(&flags.power_off)->value_name("BOOL")->default_value(false)->implicit_value(true),
         "power a running VM off first (otherwise a running VM is refused)")
        ("manifest-checksum", po::value(&flags.manifest_checksum)->value_name("BOOL")->default_value(true)
             ->implicit_value(true), "put each disk's SHA-256 (taken while downloading) in the manifest")
        ("verify-manifest", po::value(&flags.verify_manifest)->value_name("BOOL")->default_value(false)
             ->implicit_value(true), "re-read every disk after the export and compare its SHA-256 (exit 3 if not)")
        ("profile", po::value(&flags.profile)->value_name("NAME"),
         "take defaults from ~/.hyperexport/profiles/NAME.json (flags given here win)")
        ("dry-run", po::bool_switch(&flags.dry_run), "describe the VM and print the plan; write nothing")
        ("json", po::bool_switch(&flags.json), "print the ExportResult (with the ConversionResult) as JSON")
        ("quiet,q", po::bool_switch(&flags.quiet), "print errors only");
    po::options_description conversion_options("Conversion", 100);
    conversion_options.add_options()
        ("convert", po::value(&flags.convert)->value_name("BOOL")->default_value(false)->implicit_value(true),
         "convert the exported disks into KVM-ready images")
        ("converter", po::value(&flags.converter)->value_name("ID"),
         "use this converter plugin (id or name) instead of the best match")
        ("target-format", po::value(&flags.target_format)->value_name("F")->default_value("qcow2"),
         "the manifest's output.format: qcow2, raw or vdi")
        ("conversion-timeout", po::value(&flags.conversion_timeout)->value_name("D")->default_value("2h"),
         "stop the converter after D (e.g. 90m, 4h)")
        ("stream-conversion", po::value(&flags.stream_conversion)->value_name("BOOL")->default_value(true)
             ->implicit_value(true), "show the converter's output, prefixed with its name")
        ("hyper2kvm-binary", po::value(&flags.hyper2kvm_binary)->value_name("PATH"),
         "the hyper2kvm executable (default: search PATH, /usr/local/bin, /usr/bin, ~/.local/bin)");
    // clang-format on
    options.add(conversion_options).add(connection_options(connection));

    po::variables_map vm;
    try {
        po::store(po::command_line_parser(args).options(options).run(), vm);
        po::notify(vm);
    } catch (const po::error& error) {
        return usage_error(describe_option_error(error), "export");
    }
    if (vm.count("help")) {
        std::cout << options << "\n";
        return kExitOk;
    }
    flags.quiet = flags.quiet || global.quiet;
    if (!flags.profile.empty()) {
        try {
            const core::ExportProfile profile = core::load_profile(flags.profile);
            if (const auto problem = apply_profile(vm, flags, connection, profile))
                return usage_error(*problem, "export");
        } catch (const core::ProfileError& error) {
            return usage_error(error.what(), "export");
        }
    }
    if (flags.provider.empty())
        return usage_error("--provider is required (e.g. --provider vsphere)", "export");
    if (flags.vm.empty()) return usage_error("--vm NAME is required", "export");
    if (flags.output.empty() && !flags.dry_run) return usage_error("--output DIR is required", "export");
    if (flags.format != "ovf" && flags.format != "ova")
        return usage_error("invalid --format '" + flags.format + "' (use ovf or ova)", "export");
    if (flags.parallel < 1 || flags.parallel > 64) return usage_error("--parallel must be 1-64", "export");
    if (flags.target_format != "qcow2" && flags.target_format != "raw" && flags.target_format != "vdi")
        return usage_error("invalid --target-format '" + flags.target_format + "' (use qcow2, raw or vdi)",
                           "export");
    const auto timeout = core::parse_duration(flags.conversion_timeout);
    if (!timeout)
        return usage_error(
            "invalid --conversion-timeout '" + flags.conversion_timeout + "' (use e.g. 45m, 2h, 4h30m)",
            "export");

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
    try {
        request.config_json = build_provider_config(flags.provider, connection);
    } catch (const std::exception& error) {
        return usage_error(error.what(), "export");
    }

    core::PluginRegistry registry;
    discover_plugins(global, registry);
    const core::ExportRunner runner(registry);
    {
        std::string error;
        if (runner.find_provider(flags.provider, error) == nullptr) return failure(error);
    }
    Reporter reporter(flags, nullptr);

    if (flags.dry_run) {
        core::Job job("describe " + flags.vm);
        const CancelOnSignal cancel_on_signal(job);
        reporter.info("Connecting to " + flags.provider + "...");
        std::string error;
        const auto description = runner.describe(request, job, error);
        if (!description) return failure(error);
        std::string converter_note = "yes";
        if (flags.convert)
            converter_note = flags.converter.empty()
                                 ? "yes, best matching converter for " + flags.target_format
                                 : "yes, with " + flags.converter + " to " + flags.target_format;
        return print_dry_run(flags, *description, converter_note);
    }

    const auto started = std::chrono::steady_clock::now();
    ProgressOptions progress_options;
    if (flags.quiet) progress_options.style = ProgressStyle::quiet;
    core::ExportOutcome outcome;
    {
        ProgressDisplay display(progress_options);
        reporter.set_display(&display);
        SinkProgress progress(display, reporter);
        core::Job job("export " + flags.vm);
        const CancelOnSignal cancel_on_signal(job);
        reporter.info("Connecting to " + flags.provider + " and exporting VM: " + flags.vm);
        outcome = runner.run(request, job, progress.observer());
        display.finish();
        reporter.set_display(nullptr);
    }
    if (outcome.status == core::ExportStatus::failed || outcome.status == core::ExportStatus::cancelled) {
        if (flags.json) print_result_json(outcome, flags, std::nullopt);
        return failure(outcome.error);
    }
    reporter.info("Export completed in " + format_duration(outcome.duration_seconds));
    if (!outcome.manifest_path.empty()) reporter.info("Manifest created: " + outcome.manifest_path.string());
    if (!outcome.ova_path.empty()) reporter.info("OVA packed: " + outcome.ova_path.string());
    if (outcome.status == core::ExportStatus::verification_failed) {
        if (flags.json) print_result_json(outcome, flags, std::nullopt);
        std::cerr << "hyperexport: " << outcome.error << "\n";
        return kExitVerifyFailed;
    }
    if (outcome.manifest_verified) reporter.info("Manifest verified successfully");

    std::optional<core::ConversionOutcome> conversion;
    if (flags.convert) {
        core::ConversionRequest conversion_request;
        conversion_request.manifest_path = outcome.manifest_path;
        if (!flags.converter.empty()) conversion_request.converter = flags.converter;
        conversion_request.target_format = flags.target_format;
        conversion_request.timeout = *timeout;
        conversion_request.stream_output = flags.stream_conversion && !flags.quiet;
        conversion_request.hyper2kvm_binary = flags.hyper2kvm_binary;
        conversion_request.group_readable = flags.group_readable;
        const core::ConversionManager manager(registry);
        const core::ConversionPlan plan = manager.plan(conversion_request);
        core::Job job("convert " + outcome.manifest_path.string());
        // Like `hyperexport convert`: one "convert" bar fed by the job's
        // progress, tool lines printed through the display (stderr under --json).
        ProgressDisplay display(progress_options);
        const size_t item = display.add_item("convert", 0);
        job.on_progress([&display, item](uint64_t done, uint64_t total) {
            display.set_total(item, total);
            display.update(item, done);
        });
        reporter.set_display(&display);
        if (plan.decision.chosen_id) {
            reporter.info("Starting automatic conversion with " + *plan.decision.chosen_id + "...");
            const std::string prefix = converter_output_prefix(registry, *plan.decision.chosen_id);
            const bool to_stderr = flags.json;
            job.on_output([&display, prefix, to_stderr](std::string_view line) {
                display.print_line(to_stderr ? stderr : stdout, prefix + std::string(line));
            });
        }
        {
            const CancelOnSignal cancel_on_signal(job);
            conversion = manager.run(conversion_request, plan, job);
        }
        display.finish_item(item, conversion->success ? "done" : "FAILED");
        display.finish();
        reporter.set_display(nullptr);
        if (conversion->success)
            reporter.info("Conversion completed successfully in " +
                          format_duration(conversion->duration_seconds));
    }
    const double total_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (flags.json)
        print_result_json(outcome, flags, conversion);
    else if (!flags.quiet)
        print_summary(outcome, conversion, total_seconds);
    if (conversion && !conversion->success) {
        std::cerr << "hyperexport: conversion failed: " << conversion->error << "\n"
                  << "hyperexport: the exported disks and " << outcome.manifest_path.string()
                  << " are intact: retry with 'hyperexport convert --manifest "
                  << outcome.manifest_path.string() << "'\n";
        return kExitConversionFailed;
    }
    return kExitOk;
}

namespace {
const bool registered = register_command(
    {"export", "export a VM through its provider plugin, write the manifest, optionally convert",
     run_export});
}  // namespace

}  // namespace hypersdk::host
