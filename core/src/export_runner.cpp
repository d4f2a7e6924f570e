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
bool host_packs_ova(const ExportRequest& request, const LoadedPlugin& plugin) {
    if (request.format != "ova") return false;
    const char* const* formats = plugin.provider_capabilities()->export_formats;
    for (size_t i = 0; formats != nullptr && formats[i] != nullptr; ++i)
        if (std::string_view(formats[i]) == "ova") return false;
    return true;
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

// A provider session that is always closed, whatever happens.
class Session {
public:
    Session(const LoadedPlugin& plugin, hypersdk_provider_session* session)
        : plugin_(plugin), session_(session) {}
    ~Session() {
        const auto lock = plugin_.lock_for_call();
        plugin_.provider()->close(session_);
    }
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;
    hypersdk_provider_session* get() const { return session_; }

private:
    const LoadedPlugin& plugin_;
    hypersdk_provider_session* session_;
};

std::unique_ptr<Session> open_session(const LoadedPlugin& plugin, const std::string& config_json, Job& job,
                                      std::string& error) {
    hypersdk_provider_session* session = nullptr;
    int32_t status;
    {
        const auto lock = plugin.lock_for_call();
        status = plugin.provider()->open(config_json.c_str(), job.handle(), &session);
    }
    if (status != HYPERSDK_OK || session == nullptr) {
        error = job_error_message(
            job, status, "connecting to " + std::string(plugin.provider_capabilities()->provider_name));
        return nullptr;
    }
    return std::make_unique<Session>(plugin, session);
}

std::string json_string(const std::string& text, const char* key) {
    rapidjson::Document document;
    if (!manifest::parse_json_into(document, text).empty() || !document.IsObject()) return {};
    const auto it = document.FindMember(key);
    return it != document.MemberEnd() && it->value.IsString() ? it->value.GetString() : std::string();
}

bool json_bool(const std::string& text, const char* key) {
    rapidjson::Document document;
    if (!manifest::parse_json_into(document, text).empty() || !document.IsObject()) return false;
    const auto it = document.FindMember(key);
    return it != document.MemberEnd() && it->value.IsBool() && it->value.GetBool();
}

// Re-reads every disk and compares with the hash taken while it was written.
// --format ova: <vm>.ova beside the loose files, OVF first, then the disks
// in manifest order. The loose files stay: the manifest (and so the
// conversion) names them. Returns an error message, or "".
std::string pack_ova(ExportOutcome& outcome, Job& job) {
    std::vector<OvaMember> members;
    for (const auto& record : outcome.files)
        if (record.kind == "descriptor" && record.path.extension() == ".ovf")
            members.push_back({record.path, record.file_name});
    if (members.size() != 1) return "cannot pack an OVA: the provider wrote no single .ovf descriptor";
    for (const auto& record : outcome.files)
        if (record.kind == "disk") members.push_back({record.path, record.file_name});
    const fs::path out = outcome.output_dir / (members.front().path.stem().string() + ".ova");
    OvaPackOptions options;
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

std::string job_error_message(const Job& job, int32_t status, const std::string& what) {
    if (const auto error = job.error(); error && !error->message.empty()) return error->message;
    return what + " failed with status " + std::to_string(status);
}

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

const LoadedPlugin* ExportRunner::find_provider(const std::string& name, std::string& error) const {
    std::string installed;
    for (const LoadedPlugin* plugin : registry_.providers()) {
        const auto* capabilities = plugin->provider_capabilities();
        if (capabilities == nullptr || capabilities->provider_name == nullptr) continue;
        if (name == capabilities->provider_name) return plugin;
        installed += (installed.empty() ? "" : ", ") + std::string(capabilities->provider_name);
    }
    error = "no provider plugin for '" + name + "' is installed (" +
            (installed.empty() ? std::string("no provider plugins found") : "installed: " + installed) +
            "; see hyperexport plugins list)";
    return nullptr;
}

std::optional<std::string> ExportRunner::describe(const ExportRequest& request, Job& job,
                                                  std::string& error) const {
    const LoadedPlugin* plugin = find_provider(request.provider, error);
    if (plugin == nullptr) return std::nullopt;
    const auto session = open_session(*plugin, request.config_json, job, error);
    if (!session) return std::nullopt;
    TextBuffer out;
    int32_t status;
    {
        const auto lock = plugin->lock_for_call();
        status =
            plugin->provider()->describe_vm(session->get(), request.vm.c_str(), job.handle(), out.handle());
    }
    if (status != HYPERSDK_OK) {
        error = job_error_message(job, status, "describing " + request.vm);
        return std::nullopt;
    }
    return out.text();
}

std::optional<std::string> ExportRunner::list_vms(const std::string& provider, const std::string& config_json,
                                                  Job& job, std::string& error) const {
    const LoadedPlugin* plugin = find_provider(provider, error);
    if (plugin == nullptr) return std::nullopt;
    const auto session = open_session(*plugin, config_json, job, error);
    if (!session) return std::nullopt;
    TextBuffer out;
    int32_t status;
    {
        const auto lock = plugin->lock_for_call();
        status = plugin->provider()->list_vms(session->get(), job.handle(), out.handle());
    }
    if (status != HYPERSDK_OK) {
        error = job_error_message(job, status, "listing VMs");
        return std::nullopt;
    }
    return out.text();
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

    const LoadedPlugin* plugin = nullptr;
    {
        std::string error;
        plugin = find_provider(request.provider, error);
        if (plugin == nullptr) return finish(ExportStatus::failed, error);
    }
    std::error_code ec;
    outcome.output_dir = fs::absolute(request.output_dir, ec).lexically_normal();
    if (ec) return finish(ExportStatus::failed, "invalid output directory " + request.output_dir.string());
    fs::create_directories(outcome.output_dir, ec);
    if (ec || !fs::is_directory(outcome.output_dir))
        return finish(ExportStatus::failed, "cannot create the output directory " +
                                                outcome.output_dir.string() + ": " + ec.message());
    const std::string export_timestamp = rfc3339_utc_now();

    const bool packs_ova = host_packs_ova(request, *plugin);
    FileSinkFactory sinks(outcome.output_dir, request.resume, std::move(observer), request.direct_io);
    TextBuffer result;
    int32_t status;
    {
        std::string error;
        const auto session = open_session(*plugin, request.config_json, job, error);
        if (!session)
            return finish(
                job.cancel_reason() == CancelReason::user ? ExportStatus::cancelled : ExportStatus::failed,
                error);
        job.set_sink_factory(&sinks);
        spdlog::debug("exporting {} with {}", escape_for_terminal(request.vm),
                      escape_for_terminal(plugin->id()));
        {
            const auto lock = plugin->lock_for_call();
            status = plugin->provider()->export_vm(
                session->get(), request.vm.c_str(),
                options_json(request, packs_ova ? "ovf" : request.format).c_str(), job.handle(),
                result.handle());
        }
        job.set_sink_factory(nullptr);
    }
    outcome.files = sinks.records();
    for (const auto& record : outcome.files) outcome.total_bytes += record.bytes;
    outcome.export_result_json = result.text();
    outcome.vm_name = json_string(outcome.export_result_json, "name");
    outcome.vm_id = json_string(outcome.export_result_json, "id");
    outcome.powered_off_by_export = json_bool(outcome.export_result_json, "powered_off_by_export");
    if (outcome.vm_name.empty()) outcome.vm_name = request.vm;

    if (status != HYPERSDK_OK || job.cancel_reason() != CancelReason::none) {
        if (job.cancel_reason() != CancelReason::none)
            return finish(ExportStatus::cancelled, "export cancelled; partial files stay in " +
                                                       outcome.output_dir.string() +
                                                       " as *.part: run the same command again to resume");
        return finish(ExportStatus::failed, job_error_message(job, status, "exporting " + request.vm));
    }

    ExportManifestInput input;
    input.provider = request.provider;
    input.export_result_json = outcome.export_result_json;
    input.records = outcome.files;
    input.output_dir = outcome.output_dir;
    input.include_checksums = request.manifest_checksum;
    input.target_format = request.target_format;
    input.export_method = request.format;
    input.export_timestamp = export_timestamp;
    input.job_id = outcome.job_id;
    input.hypersdk_version = HYPERSDK_VERSION_STRING;
    input.warnings = job.warnings();
    try {
        const Manifest manifest = build_export_manifest(input);
        const fs::path path = outcome.output_dir / std::string(kManifestFileName);
        write_manifest_file(manifest, path);  // validates, atomic
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
            return finish(ExportStatus::cancelled, "manifest verification cancelled");
        if (!problems.empty())
            return finish(ExportStatus::verification_failed,
                          "manifest verification failed: the files on disk differ from what was downloaded:" +
                              problems);
        outcome.manifest_verified = true;
    }
    if (packs_ova) {
        std::string error = pack_ova(outcome, job);
        if (job.cancel_reason() != CancelReason::none)
            return finish(ExportStatus::cancelled,
                          "OVA packing cancelled; the exported files and the manifest "
                          "are complete in " +
                              outcome.output_dir.string());
        if (!error.empty()) return finish(ExportStatus::failed, std::move(error));
    }
    return finish(ExportStatus::succeeded, {});
}

}  // namespace hypersdk::core
