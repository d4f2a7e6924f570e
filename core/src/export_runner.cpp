#include "hypersdk/core/export_runner.hpp"

#include <hypersdk/version.h>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <spdlog/spdlog.h>
#include <hypersdk/manifest/json_limits.hpp>

#include <chrono>
#include <ctime>
#include <random>

#include "hypersdk/core/export_manifest.hpp"
#include "hypersdk/core/file_hasher.hpp"
#include "hypersdk/core/manifest_writer.hpp"
#include "hypersdk/core/ova_archive.hpp"
#include "hypersdk/core/terminal_text.hpp"

namespace hypersdk::core {
namespace {

namespace fs = std::filesystem;

// True when the provider cannot produce an OVA itself: the host then asks it
// for an OVF and packs the finished files (it owns them; a provider streaming
// from the network cannot know each disk's size for the tar header up front).
bool host_packs_ova(const std::string& format, const ProviderBackend& provider) {
    return format == "ova" && !provider.offers_format("ova");
}

std::string options_json(const ExportRequest& request, const std::string& provider_format) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartObject();
    writer.Key("format");
    writer.String(provider_format.c_str());
    writer.Key("power_off");
    writer.Bool(request.power_off);
    writer.Key("parallel");
    writer.Int(request.parallel);
    writer.EndObject();
    return buffer.GetString();
}

std::string issues_text(const std::vector<std::string>& issues) {
    std::string text;
    for (const auto& issue : issues) text += "\n  " + issue;
    return text;
}

// What the manifest's source.export_method records: what was really written.
// (An OVA the host packs is an extra package of the OVF export the manifest describes.)
std::string written_method(const ExportOutcome& outcome, const std::string& provider_method) {
    for (const auto& record : outcome.files)
        if (record.kind == "descriptor" && record.path.extension() == ".ovf") return "ovf";
    if (!provider_method.empty()) return provider_method;
    return outcome.format;
}

// Re-reads every disk and compares with the hash taken while it was written.
// --format ova: <vm>.ova beside the loose files, OVF first, then the disks
// in manifest order. The loose files stay: the manifest (and so the
// conversion) names them. Returns an error message, or "".
std::string pack_ova(ExportOutcome& outcome, Job& job, mode_t file_mode) {
    std::vector<OvaMember> members;
    for (const auto& record : outcome.files)
        if (record.kind == "descriptor" && record.path.extension() == ".ovf")
            members.push_back({record.path, record.file_name});
    if (members.size() != 1) return "cannot pack an OVA: the provider wrote no single .ovf descriptor";
    for (const auto& record : outcome.files)
        if (record.kind == "disk") members.push_back({record.path, record.file_name});
    const fs::path out = outcome.output_dir / (members.front().path.stem().string() + ".ova");
    OvaPackOptions options;
    options.file_mode = file_mode;
    options.progress = [&job](uint64_t done, uint64_t total) { job.report_progress(done, total); };
    options.cancelled = [&job] { return job.is_cancelled(); };
    try {
        write_ova(out, members, options);
    } catch (const OvaCancelled&) {
        return "OVA packing cancelled";
    } catch (const std::exception& error) {
        return std::string("cannot pack the OVA: ") + error.what();
    }
    outcome.ova_path = out;
    return {};
}

std::string verify_files(const std::vector<SinkRecord>& records, Job& job) {
    std::vector<fs::path> paths;
    std::vector<const SinkRecord*> disks;
    for (const auto& record : records) {
        if (record.kind != "disk") continue;
        paths.push_back(record.path);
        disks.push_back(&record);
    }
    std::atomic<bool> cancel{false};
    ParallelHashOptions options;
    options.cancel = &cancel;
    options.progress = [&](size_t, uint64_t, uint64_t) {
        if (job.is_cancelled()) cancel.store(true);
    };
    const auto outcomes = hash_files(paths, options);
    std::string problems;
    for (size_t i = 0; i < outcomes.size(); ++i) {
        if (!outcomes[i].ok())
            problems += "\n  " + disks[i]->path.string() + ": " +
                        (outcomes[i].cancelled ? "cancelled" : outcomes[i].error);
        else if (outcomes[i].hash->checksum != disks[i]->sha256 || outcomes[i].hash->bytes != disks[i]->bytes)
            problems += "\n  " + disks[i]->path.string() + ": on disk " + outcomes[i].hash->checksum +
                        ", written " + disks[i]->sha256;
    }
    return problems;
}

}  // namespace

std::string new_export_job_id() {
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);
    std::random_device random;
    char suffix[16];
    std::snprintf(suffix, sizeof suffix, "%08x", static_cast<unsigned>(random()));
    return std::string("export-") + stamp + "-" + suffix;
}

const ProviderBackend* ExportRunner::find_provider(const std::string& name, std::string& error) const {
    std::string installed;
    for (const LoadedPlugin* plugin : registry_.providers()) {
        const ProviderBackend* provider = plugin->provider_backend();
        if (name == provider->capabilities().provider_name) return provider;
        installed += (installed.empty() ? "" : ", ") + provider->capabilities().provider_name;
    }
    error = "no provider plugin for '" + name + "' is installed (" +
            (installed.empty() ? std::string("no provider plugins found") : "installed: " + installed) +
            "; see hyperexport plugins list)";
    return nullptr;
}

std::vector<std::string> ExportRunner::offered_formats(const ProviderBackend& provider) {
    std::vector<std::string> formats = provider.capabilities().export_formats;
    if (provider.offers_format("ovf") && !provider.offers_format("ova")) formats.push_back("ova");
    return formats;
}

std::optional<VmDescription> ExportRunner::describe(const ExportRequest& request, Job& job,
                                                    std::string& error) const {
    const ProviderBackend* provider = find_provider(request.provider, error);
    if (provider == nullptr) return std::nullopt;
    const auto session = provider->open(request.config_json, job, error);
    if (!session) return std::nullopt;
    const PluginCall call = provider->describe_vm(*session, request.vm, job);
    if (!call.ok()) {
        error = call.error;
        return std::nullopt;
    }
    auto read = read_vm_description(call.output);
    if (!read.value || !read.issues.empty()) {
        if (!read.value) {
            error = "the " + request.provider + " provider described " + request.vm +
                    " in a way the host cannot read:" + issues_text(read.issues);
            return std::nullopt;
        }
        for (const auto& issue : read.issues) job.add_warning("describe", "vm-description " + issue);
    }
    return read.value;
}

std::optional<std::vector<VmSummary>> ExportRunner::list_vms(const std::string& provider_name,
                                                             const std::string& config_json, Job& job,
                                                             std::string& error) const {
    const ProviderBackend* provider = find_provider(provider_name, error);
    if (provider == nullptr) return std::nullopt;
    const auto session = provider->open(config_json, job, error);
    if (!session) return std::nullopt;
    const PluginCall call = provider->list_vms(*session, job);
    if (!call.ok()) {
        error = call.error;
        return std::nullopt;
    }
    auto read = read_vm_summaries(call.output);
    if (!read.value) {
        error = "the " + provider_name +
                " provider returned a VM list the host cannot read:" + issues_text(read.issues);
        return std::nullopt;
    }
    for (const auto& issue : read.issues) job.add_warning("list", "vm-summary " + issue);
    return read.value;
}

ExportOutcome ExportRunner::run(const ExportRequest& request, Job& job,
                                FileSinkFactory::Observer observer) const {
    ExportOutcome outcome;
    outcome.job_id = new_export_job_id();
    const auto started = std::chrono::steady_clock::now();
    const auto finish = [&](ExportStatus status, std::string error) {
        outcome.status = status;
        outcome.error = std::move(error);
        outcome.duration_seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        for (const auto& warning : job.warnings())
            outcome.warnings.push_back(warning.stage + ": " + warning.message);
        return outcome;
    };

    const ProviderBackend* provider = nullptr;
    {
        std::string error;
        provider = find_provider(request.provider, error);
        if (provider == nullptr) return finish(ExportStatus::failed, error);
    }
    outcome.format = request.format.empty() && !provider->capabilities().export_formats.empty()
                         ? provider->capabilities().export_formats.front()
                         : request.format;
    if (const auto offered = offered_formats(*provider);
        std::find(offered.begin(), offered.end(), outcome.format) == offered.end()) {
        std::string list;
        for (const auto& format : offered) list += (list.empty() ? "" : ", ") + format;
        return finish(ExportStatus::failed, "the " + request.provider + " provider cannot export as '" +
                                                outcome.format + "' (it offers: " + list + ")");
    }
    std::error_code ec;
    outcome.output_dir = fs::absolute(request.output_dir, ec).lexically_normal();
    if (ec) return finish(ExportStatus::failed, "invalid output directory " + request.output_dir.string());
    const files::FileModes modes = files::FileModes::private_or_group(request.group_readable);
    std::unique_ptr<FileSinkFactory> sink_factory;
    try {
        files::create_directories(outcome.output_dir, modes.directory);
        sink_factory = std::make_unique<FileSinkFactory>(
            outcome.output_dir,
            FileSinkOptions{request.resume, request.direct_io, modes, provider->plugin_id(), request.vm},
            std::move(observer));
    } catch (const files::Error& error) {
        return finish(ExportStatus::failed, std::string("cannot use the output directory: ") + error.what());
    }
    FileSinkFactory& sinks = *sink_factory;
    const std::string export_timestamp = rfc3339_utc_now();

    const bool packs_ova = host_packs_ova(outcome.format, *provider);
    PluginCall call;
    {
        std::string error;
        const auto session = provider->open(request.config_json, job, error);
        if (!session)
            return finish(
                job.cancel_reason() == CancelReason::user ? ExportStatus::cancelled : ExportStatus::failed,
                error);
        job.set_sink_factory(&sinks);
        spdlog::debug("exporting {} with {}", escape_for_terminal(request.vm),
                      escape_for_terminal(provider->plugin_id()));
        call = provider->export_vm(*session, request.vm,
                                   options_json(request, packs_ova ? "ovf" : outcome.format), job);
        job.set_sink_factory(nullptr);
    }
    outcome.files = sinks.records();
    for (const auto& record : outcome.files) outcome.total_bytes += record.bytes;
    outcome.export_result_json = call.output;
    auto read = read_export_result(call.output);
    outcome.document_issues = read.issues;
    const ExportResult result = read.value.value_or(ExportResult{});
    outcome.vm_name = result.vm.name.empty() ? request.vm : result.vm.name;
    outcome.vm_id = result.vm.id;
    outcome.powered_off_by_export = result.powered_off_by_export;
    outcome.crash_consistent = result.crash_consistent;

    if (!call.ok() || job.cancel_reason() != CancelReason::none) {
        if (job.cancel_reason() != CancelReason::none)
            return finish(ExportStatus::cancelled, "export cancelled; partial files stay in " +
                                                       outcome.output_dir.string() +
                                                       " as *.part: run the same command again to resume");
        std::string error = call.error;
        // A provider reports a failed sink call in its own words; the host's
        // reason (a truncated transfer, a full disk) must not get lost.
        if (const std::string sink_error = sinks.last_error();
            !sink_error.empty() && error.find(sink_error) == std::string::npos)
            error += ": " + sink_error;
        return finish(ExportStatus::failed, std::move(error));
    }
    if (!read.value)
        return finish(ExportStatus::failed, "the " + request.provider +
                                                " provider's export-result cannot be read, so no manifest "
                                                "was written:" +
                                                issues_text(read.issues));
    for (const auto& issue : read.issues) job.add_warning("export", "export-result " + issue);

    ExportManifestInput input;
    input.provider = request.provider;
    input.export_result = result;
    input.records = outcome.files;
    input.output_dir = outcome.output_dir;
    input.include_checksums = request.manifest_checksum;
    input.target_format = request.target_format;
    input.export_method = written_method(outcome, result.export_method);
    input.compress = request.compress;
    input.fix = request.fix;
    input.export_timestamp = export_timestamp;
    input.job_id = outcome.job_id;
    input.hypersdk_version = HYPERSDK_VERSION_STRING;
    input.warnings = job.warnings();
    try {
        const Manifest manifest = build_export_manifest(input);
        const fs::path path = outcome.output_dir / std::string(kManifestFileName);
        ManifestWriteOptions write_options;
        write_options.file_mode = modes.file;
        write_manifest_file(manifest, path, write_options);  // validates, atomic
        outcome.manifest_path = path;
    } catch (const InvalidManifestError& error) {
        return finish(ExportStatus::failed, std::string("the export's manifest does not validate:\n") +
                                                format_issues(error.issues()));
    } catch (const std::exception& error) {
        return finish(ExportStatus::failed, std::string("cannot write the manifest: ") + error.what());
    }

    if (request.verify_manifest) {
        const std::string problems = verify_files(outcome.files, job);
        if (job.cancel_reason() != CancelReason::none)
            return finish(ExportStatus::verification_failed,
                          "manifest verification cancelled: " + outcome.manifest_path.string() +
                              " is written but its disks were not re-checked");
        if (!problems.empty())
            return finish(ExportStatus::verification_failed,
                          "manifest verification failed: the files on disk differ from what was downloaded:" +
                              problems);
        outcome.manifest_verified = true;
    }
    if (packs_ova) {
        std::string error = pack_ova(outcome, job, modes.file);
        if (job.cancel_reason() != CancelReason::none)
            return finish(ExportStatus::package_failed,
                          "OVA packing cancelled; the exported files and the manifest are complete in " +
                              outcome.output_dir.string());
        if (!error.empty())
            return finish(ExportStatus::package_failed,
                          error + "; the exported files and the manifest are complete in " +
                              outcome.output_dir.string());
    }
    return finish(ExportStatus::succeeded, {});
}

}  // namespace hypersdk::core
