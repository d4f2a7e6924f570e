#include "hyper2kvm_conversion.hpp"

#include <rapidjson/document.h>
#include <hypersdk/manifest/json_limits.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "hyper2kvm_tool.hpp"
#include "hypersdk/plugin_common/job_tool.hpp"
#include "hypersdk/plugin_common/json_access.hpp"
#include "hypersdk/plugin_common/manifest_reader.hpp"
#include "hypersdk/plugin_common/report.hpp"
#include "hypersdk/plugin_common/tool_text.hpp"
#include "report_location.hpp"

namespace hypersdk::hyper2kvm {
namespace fs = std::filesystem;
namespace pc = hypersdk::plugin_common;
namespace {

std::string join_candidates(const std::vector<std::string>& paths) {
    std::string out;
    for (const auto& p : paths) out += (out.empty() ? "" : ", ") + p;
    return out;
}

class Conversion {
public:
    Conversion(const cxx::Job& job, const pc::ConverterConfig& config, const pc::ConvertOptions& options,
               pc::ConversionResult& result)
        : job_(job), config_(config), options_(options), result_(result) {}

    void run(const std::string& manifest_path) {
        // Parsed here too: the report's location and the outputs to clean up
        // on cancellation follow from it.
        manifest_ = pc::read_manifest(manifest_path);
        binary_ = find_hyper2kvm(config_);
        version_ = hyper2kvm_version(binary_, config_);
        check_options();

        argv_ = {binary_, "--manifest", manifest_.path};
        if (options_.verbose > 0)
            argv_.push_back("-" + std::string(static_cast<size_t>(options_.verbose), 'v'));
        argv_.insert(argv_.end(), options_.custom_args.begin(), options_.custom_args.end());

        if (options_.dry_run) {
            const std::string line = "dry run: " + pc::format_command(argv_);
            job_.output(line);
            cxx::log(HYPERSDK_LOG_INFO, line);
            result_.metadata_json = metadata(nullptr);
            return;
        }

        // hyper2kvm creates each "<id>.<format>.part" itself, following a
        // symlink there: clear stale or planted entries first (the entry, never
        // its target).
        remove_partial_outputs();
        uint64_t total = 0;
        for (const auto& d : manifest_.disks) total += d.bytes;
        total = std::max<uint64_t>(total, 1);
        job_.progress(0, total);
        const auto started_wall = std::chrono::system_clock::now();
        pc::JobToolRun run;
        run.spec = pc::spec_from_config(config_, argv_, manifest_.directory);
        run.spec.umask = options_.tool_umask();  // hyper2kvm creates its outputs and report itself
        run.stream_output = options_.stream_output;
        process_ = pc::run_tool_for_job(job_, run);
        exit_known_ = process_.outcome == pc::ProcessOutcome::exited;

        switch (process_.outcome) {
            case pc::ProcessOutcome::cancelled:
                remove_partial_outputs();
                throw cxx::Error(
                    HYPERSDK_ERR_CANCELLED,
                    "hyper2kvm was cancelled (by the user or the host's deadline); its process group "
                    "was killed and partial outputs removed");
            case pc::ProcessOutcome::timed_out:
                remove_partial_outputs();
                throw cxx::Error(HYPERSDK_ERR_TIMEOUT, "hyper2kvm did not finish within timeout_seconds (" +
                                                           std::to_string(config_.timeout_seconds) +
                                                           " s); its process group was killed");
            case pc::ProcessOutcome::spawn_failed:
                throw cxx::Error(HYPERSDK_ERR_TOOL_FAILED, process_.error);
            default:
                break;
        }
        if (!process_.succeeded()) remove_partial_outputs();

        if (!manifest_.report_enabled) {
            finish_without_report();
        } else {
            finish_with_report(started_wall);
        }
        job_.progress(total, total);
    }

private:
    // hyper2kvm takes format and compression from the manifest in manifest
    // mode; say so instead of pretending an option was honoured.
    void check_options() {
        const std::string manifest_format =
            manifest_.output_format.empty() ? "qcow2" : manifest_.output_format;
        if (!options_.target_format.empty() && options_.target_format != manifest_format)
            warn("convert", "target_format '" + options_.target_format +
                                "' ignored: hyper2kvm writes the manifest's "
                                "output.format ('" +
                                manifest_format + "')");
        if (options_.compression_level > 0 && !manifest_.convert_compress)
            warn("convert",
                 "compression_level ignored: hyper2kvm compresses only when the manifest sets "
                 "pipeline.convert.compress");
    }

    void warn(const std::string& stage, const std::string& message) {
        job_.warning(stage, message);
        result_.warnings.push_back(stage + ": " + message);
    }

    std::string format() const { return manifest_.output_format.empty() ? "qcow2" : manifest_.output_format; }

    // hyper2kvm writes "<id>.<format>.part" and renames; a killed run leaves
    // the .part behind, which must never look like a result. std::filesystem
    // removes a symlink itself, never what it points to.
    void remove_partial_outputs() {
        const fs::path dir(manifest_.effective_output_directory());
        for (const auto& d : manifest_.disks) {
            std::error_code ec;
            fs::remove(dir / (d.id + "." + format() + ".part"), ec);
        }
    }

    std::string failure_detail() const {
        const std::string tail = process_.tail_text(10);
        return tail.empty() ? std::string() : "; its last output:\n" + tail;
    }

    void finish_without_report() {
        if (!process_.succeeded())
            throw cxx::Error(HYPERSDK_ERR_TOOL_FAILED,
                             "hyper2kvm failed (" + process_.describe() + ")" + failure_detail());
        warn("report",
             "the manifest disables options.report; converted files inferred from the output directory");
        for (const auto& d : manifest_.disks_in_boot_order()) {
            const fs::path out = fs::path(manifest_.effective_output_directory()) / (d.id + "." + format());
            std::error_code ec;
            if (fs::is_regular_file(out, ec)) result_.converted_files.push_back(out.string());
        }
        result_.metadata_json = metadata(nullptr);
    }

    void finish_with_report(std::chrono::system_clock::time_point started_wall) {
        const auto candidates = report_candidates(manifest_);
        const auto found = find_fresh_report(candidates, started_wall);
        if (!found) {
            const std::string where = "no report.json (looked for " + join_candidates(candidates) + ")";
            if (!process_.succeeded())
                throw cxx::Error(HYPERSDK_ERR_TOOL_FAILED, "hyper2kvm failed (" + process_.describe() +
                                                               ") and wrote " + where + failure_detail());
            throw cxx::Error(HYPERSDK_ERR_TOOL_FAILED, "hyper2kvm exited 0 but wrote " + where);
        }
        result_.report_path = *found;
        pc::Report report;
        try {
            report = pc::parse_report(pc::read_text_file(*found), "hyper2kvm report " + *found);
        } catch (const pc::JsonError& e) {
            std::string message = e.what();
            if (!process_.succeeded())
                message += " (hyper2kvm " + process_.describe() + ")" + failure_detail();
            throw cxx::Error(HYPERSDK_ERR_TOOL_FAILED, message);
        }
        for (const auto& w : report.warnings) warn(w.stage.empty() ? "hyper2kvm" : w.stage, w.message);

        std::vector<pc::ReportArtifact> disks;
        for (const auto& a : report.artifacts)
            if (a.type == "converted_disk") disks.push_back(a);
        std::stable_sort(disks.begin(), disks.end(),
                         [](const auto& a, const auto& b) { return a.boot_order_hint < b.boot_order_hint; });
        for (const auto& a : disks) {
            const fs::path p = fs::path(a.path).is_absolute()
                                   ? fs::path(a.path)
                                   : fs::path(manifest_.effective_output_directory()) / a.path;
            result_.converted_files.push_back(p.lexically_normal().string());
        }
        result_.metadata_json = metadata(&report);

        if (!report.success) {
            std::string message;
            for (const auto& e : report.errors)
                message +=
                    (message.empty() ? "" : "; ") + (e.stage.empty() ? "" : e.stage + ": ") + e.message;
            if (message.empty()) message = "pipeline.success is false and errors[] is empty";
            throw cxx::Error(HYPERSDK_ERR_TOOL_FAILED, "hyper2kvm failed (" + process_.describe() +
                                                           "): " + message + " (report: " + *found + ")");
        }
        if (!process_.succeeded())
            throw cxx::Error(HYPERSDK_ERR_TOOL_FAILED, "hyper2kvm " + process_.describe() +
                                                           " although its report " + *found +
                                                           " says pipeline.success" + failure_detail());
        for (const auto& file : result_.converted_files) {
            std::error_code ec;
            if (!fs::is_regular_file(file, ec))
                throw cxx::Error(HYPERSDK_ERR_TOOL_FAILED, "hyper2kvm's report " + *found + " lists " + file +
                                                               ", which does not exist");
        }
    }

    std::string metadata(const pc::Report* report) const {
        rapidjson::Document m(rapidjson::kObjectType);
        auto& a = m.GetAllocator();
        m.AddMember("converter", rapidjson::StringRef(kPluginId), a);
        m.AddMember("tool", "hyper2kvm", a);
        m.AddMember("tool_path", rapidjson::Value(binary_, a), a);
        m.AddMember("tool_version", rapidjson::Value(version_, a), a);
        m.AddMember("command", rapidjson::Value(pc::format_command(argv_), a), a);
        m.AddMember("dry_run", options_.dry_run, a);
        if (exit_known_) m.AddMember("exit_code", process_.exit_code, a);
        if (report != nullptr) {
            m.AddMember("report_version", rapidjson::Value(report->version, a), a);
            m.AddMember("pipeline_success", report->success, a);
            m.AddMember("pipeline_duration_seconds", report->duration_seconds, a);
            rapidjson::Value stages(rapidjson::kObjectType);
            for (const auto& s : report->stages) {
                rapidjson::Value stage(rapidjson::kObjectType);
                stage.AddMember("success", s.success, a);
                stage.AddMember("duration", s.duration, a);
                if (!s.error.empty()) stage.AddMember("error", rapidjson::Value(s.error, a), a);
                if (!s.result_json.empty()) {
                    // Copying a value recurses: only a bounded parse may feed it.
                    rapidjson::Document parsed;
                    // metadata.stages.<name>.result: four levels inside the ConversionResult.
                    if (manifest::parse_json_into(parsed, s.result_json, manifest::embedded_limits(4))
                            .empty())
                        stage.AddMember("result", rapidjson::Value(parsed, a), a);
                }
                stages.AddMember(rapidjson::Value(s.name, a), stage, a);
            }
            m.AddMember("stages", stages, a);
        }
        return pc::to_json_text(m);
    }

    const cxx::Job& job_;
    const pc::ConverterConfig& config_;
    const pc::ConvertOptions& options_;
    pc::ConversionResult& result_;
    pc::Manifest manifest_;
    std::string binary_;
    std::string version_;
    std::vector<std::string> argv_;
    pc::ProcessResult process_;
    bool exit_known_ = false;
};

}  // namespace

void convert_manifest(const cxx::Job& job, const pc::ConverterConfig& config,
                      const std::string& manifest_path, const pc::ConvertOptions& options,
                      pc::ConversionResult& result) {
    Conversion(job, config, options, result).run(manifest_path);
}

}  // namespace hypersdk::hyper2kvm
