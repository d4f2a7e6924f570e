#include "qemu_img_conversion.hpp"

#include <rapidjson/document.h>
#include <sys/stat.h>
#include <hypersdk/files/directory.hpp>

#include <chrono>
#include <filesystem>
#include <memory>
#include <vector>

#include "hypersdk/plugin_common/job_tool.hpp"
#include "hypersdk/plugin_common/json_access.hpp"
#include "hypersdk/plugin_common/manifest_reader.hpp"
#include "hypersdk/plugin_common/report.hpp"
#include "hypersdk/plugin_common/tool_text.hpp"
#include "qemu_img_tool.hpp"

namespace hypersdk::qemu_img {
namespace fs = std::filesystem;
namespace pc = hypersdk::plugin_common;
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// qemu's name for a manifest format: a VHD is "vpc", and must be named so
// explicitly, or a fixed VHD (raw data plus a footer) is probed as raw.
std::string qemu_format(const std::string& manifest_format) {
    return manifest_format == "vhd" ? "vpc" : manifest_format;
}

bool is_supported_target(const std::string& format) {
    return format == "qcow2" || format == "raw" || format == "vdi";
}

// The ".part" qemu-img writes (it creates that file itself): a stale entry
// there is removed first without following it, what the tool left is checked
// to be a regular file of its own before the rename, and it is removed unless
// the conversion committed it, so a failed, cancelled or interrupted run
// never leaves a partial image behind.
class PartFile {
public:
    PartFile(const files::Directory& dir, std::string name)
        : dir_(dir), name_(std::move(name)), part_(name_ + ".part") {
        try {
            dir_.remove(part_);  // from an earlier crash, or planted
        } catch (const files::Error& e) {
            throw cxx::Error(HYPERSDK_ERR_IO, std::string("cannot clear the way for qemu-img: ") + e.what());
        }
    }
    PartFile(const PartFile&) = delete;
    PartFile& operator=(const PartFile&) = delete;
    ~PartFile() {
        if (!committed_) {
            try {
                dir_.remove(part_);
            } catch (const files::Error&) {
            }
        }
    }
    std::string path() const { return dir_.path_of(part_).string(); }
    void commit() {
        try {
            const auto st = dir_.entry_status(part_);
            if (!st || !S_ISREG(st->st_mode) || st->st_nlink != 1)
                throw cxx::Error(HYPERSDK_ERR_IO, "qemu-img's output " + path() +
                                                      " is not a regular file of its own (a symlink, a hard "
                                                      "link or missing); it is not renamed to " +
                                                      name_);
            dir_.rename(part_, name_);  // replaces a symlink at the final name, never its target
            dir_.sync();
        } catch (const files::Error& e) {
            throw cxx::Error(HYPERSDK_ERR_IO, e.what());
        }
        committed_ = true;
    }

private:
    const files::Directory& dir_;
    std::string name_;
    std::string part_;
    bool committed_ = false;
};

struct DiskPlan {
    pc::ManifestDisk disk;
    std::string output;
    std::vector<std::string> argv;
    uint64_t weight = 1;
};

class Conversion {
public:
    Conversion(const cxx::Job& job, const pc::ConverterConfig& config, const pc::ConvertOptions& options,
               pc::ConversionResult& result)
        : job_(job), config_(config), options_(options), result_(result) {}

    void run(const std::string& manifest_path) {
        manifest_ = pc::read_manifest(manifest_path);  // bad manifest: no report, nowhere sure to put it
        report_.input_manifest = {manifest_.path, manifest_.manifest_version, manifest_.source_provider,
                                  manifest_.source_vm_id, manifest_.source_vm_name};
        report_.input_disks = static_cast<int>(manifest_.disks.size());
        add_stage("load_manifest", true, 0,
                  "{\"disks\":" + std::to_string(manifest_.disks.size()) + ",\"manifest_version\":\"1.0\"}");
        dry_run_ = options_.dry_run || manifest_.dry_run;
        try {
            begin_stage("convert");
            check_request();
            qemu_img_ = find_qemu_img(config_);
            version_ = qemu_img_version(qemu_img_, config_);
            plan();
            if (dry_run_) {
                print_plan();
                finish(true);
                return;
            }
            convert_all();
            if (manifest_.validate.enabled) validate_all();
            finish(true);
        } catch (const cxx::Error& e) {
            fail(e.what());
            throw;
        } catch (const std::exception& e) {
            fail(e.what());
            throw;
        }
    }

private:
    void begin_stage(const char* name) {
        stage_ = name;
        stage_started_ = Clock::now();
    }

    void add_stage(const std::string& name, bool success, double duration, std::string result_json,
                   std::string error = {}) {
        report_.stages.push_back({name, success, duration, std::move(result_json), std::move(error)});
        stage_.clear();
    }

    void warn(const std::string& stage, const std::string& message) {
        job_.warning(stage, message);
        cxx::log(HYPERSDK_LOG_WARN, message);
        result_.warnings.push_back(stage + ": " + message);
        report_.warnings.push_back({stage, message, pc::rfc3339_now()});
    }

    // The request must be something qemu-img can honestly do; a manifest
    // asking for guest changes is refused, not silently half-done.
    void check_request() {
        if (manifest_.fix.enabled || manifest_.inspect.enabled) {
            std::string stages = manifest_.fix.enabled ? "pipeline.fix (driver injection)" : "";
            if (manifest_.inspect.enabled)
                stages += std::string(stages.empty() ? "" : " and ") + "pipeline.inspect (OS detection)";
            throw cxx::Error(HYPERSDK_ERR_UNSUPPORTED,
                             "manifest " + manifest_.path + " enables " + stages +
                                 ", which the qemu-img converter cannot do; use the hyper2kvm or virt-v2v "
                                 "converter, or disable the stage");
        }
        if (manifest_.convert.present && !manifest_.convert.enabled)
            throw cxx::Error(
                HYPERSDK_ERR_INVALID_ARGUMENT,
                "manifest " + manifest_.path +
                    " sets pipeline.convert.enabled to false: there is nothing for qemu-img to do");
        target_ = !options_.target_format.empty()    ? options_.target_format
                  : !manifest_.output_format.empty() ? manifest_.output_format
                                                     : "qcow2";
        if (!is_supported_target(target_))
            throw cxx::Error(HYPERSDK_ERR_UNSUPPORTED, "target format '" + target_ +
                                                           "' is not supported by the qemu-img converter "
                                                           "(supported: qcow2, raw, vdi)");
        const bool compression_wanted = options_.compression_level > 0 || manifest_.convert_compress;
        compress_ = compression_wanted && target_ == "qcow2";
        if (compression_wanted && !compress_)
            warn("convert",
                 "compression requested but only qcow2 output can be compressed; writing uncompressed " +
                     target_);
        for (const auto& disk : manifest_.disks) {
            std::error_code ec;
            if (!fs::is_regular_file(disk.local_path, ec))
                throw cxx::Error(HYPERSDK_ERR_NOT_FOUND, "disk '" + disk.id + "': local_path " +
                                                             disk.local_path +
                                                             " does not exist or is not a regular file");
        }
    }

    void plan() {
        output_dir_ = manifest_.effective_output_directory();
        for (const auto& disk : manifest_.disks_in_boot_order()) {
            DiskPlan p;
            p.disk = disk;
            p.output = (fs::path(output_dir_) / (disk.id + "." + target_)).string();
            p.argv = {qemu_img_, "convert", "-p", "-f", qemu_format(disk.source_format), "-O", target_};
            if (compress_) p.argv.push_back("-c");
            p.argv.insert(p.argv.end(), options_.custom_args.begin(), options_.custom_args.end());
            p.argv.push_back(disk.local_path);
            p.argv.push_back(p.output + ".part");  // PartFile clears and checks it
            // Progress is weighted by size; the file size stands in when the
            // manifest says 0.
            std::error_code ec;
            const auto on_disk = fs::file_size(disk.local_path, ec);
            p.weight = std::max<uint64_t>({disk.bytes, ec ? 0 : on_disk, 1});
            total_weight_ += p.weight;
            plans_.push_back(std::move(p));
        }
    }

    void print_plan() {
        for (const auto& p : plans_) {
            const std::string line = "dry run: " + pc::format_command(p.argv);
            job_.output(line);
            cxx::log(HYPERSDK_LOG_INFO, line);
        }
    }

    void convert_all() {
        std::error_code ec;
        try {
            files::create_directories(output_dir_, options_.modes().directory);
            output_directory_ = std::make_unique<files::Directory>(output_dir_);
        } catch (const files::Error& e) {
            throw cxx::Error(HYPERSDK_ERR_IO, std::string("cannot use the output directory: ") + e.what());
        }
        uint64_t done_weight = 0;
        job_.progress(0, total_weight_);
        rapidjson::Document converted(rapidjson::kArrayType);
        auto& alloc = converted.GetAllocator();
        for (const auto& p : plans_) {
            if (job_.cancelled())
                throw cxx::Error(HYPERSDK_ERR_CANCELLED,
                                 "cancelled before converting disk '" + p.disk.id + "'");
            convert_disk(p, done_weight);
            done_weight += p.weight;
            job_.progress(done_weight, total_weight_);

            const uint64_t size = fs::file_size(p.output, ec);
            result_.converted_files.push_back(p.output);
            report_.artifacts.push_back({"converted_disk", p.output, p.disk.id, target_, ec ? 0 : size,
                                         p.disk.boot_order_hint, compress_});
            rapidjson::Value item(rapidjson::kObjectType);
            item.AddMember("disk_id", rapidjson::Value(p.disk.id, alloc), alloc);
            item.AddMember("input_format", rapidjson::Value(p.disk.source_format, alloc), alloc);
            item.AddMember("output_format", rapidjson::Value(target_, alloc), alloc);
            item.AddMember("output_path", rapidjson::Value(p.output, alloc), alloc);
            item.AddMember("output_size_bytes", ec ? 0 : size, alloc);
            converted.PushBack(item, alloc);
        }
        report_.output_disks = static_cast<int>(result_.converted_files.size());
        add_stage("convert", true, seconds_since(stage_started_),
                  "{\"converted_disks\":" + pc::to_json_text(converted) + "}");
    }

    void convert_disk(const DiskPlan& p, uint64_t done_before) {
        PartFile part(*output_directory_, fs::path(p.output).filename().string());
        pc::JobToolRun run;
        run.spec = pc::spec_from_config(config_, p.argv, manifest_.directory);
        run.spec.umask = options_.tool_umask();  // qemu-img creates the .part itself
        run.stream_output = options_.stream_output;
        run.on_line = [&](pc::OutputStream, std::string_view line) {
            if (const auto percent = pc::parse_progress_percent(line)) {
                const auto done =
                    done_before + static_cast<uint64_t>(static_cast<double>(p.weight) * *percent / 100.0);
                job_.progress(std::min(done, done_before + p.weight), total_weight_);
            }
        };
        const pc::ProcessResult r = pc::run_tool_for_job(job_, run);
        const std::string what = "qemu-img convert of disk '" + p.disk.id + "' (" + p.disk.local_path + ")";
        switch (r.outcome) {
            case pc::ProcessOutcome::cancelled:
                throw cxx::Error(HYPERSDK_ERR_CANCELLED,
                                 "cancelled during " + what + "; the partial output was removed");
            case pc::ProcessOutcome::timed_out:
                throw cxx::Error(HYPERSDK_ERR_TIMEOUT, what + " did not finish within timeout_seconds (" +
                                                           std::to_string(config_.timeout_seconds) +
                                                           " s); qemu-img was killed");
            case pc::ProcessOutcome::spawn_failed:
                throw cxx::Error(HYPERSDK_ERR_TOOL_FAILED, what + ": " + r.error);
            default:
                break;
        }
        if (!r.succeeded()) {
            std::string message = what + " failed (" + r.describe() + ")";
            if (const std::string tail = r.tail_text(10); !tail.empty()) message += ": " + tail;
            throw cxx::Error(HYPERSDK_ERR_TOOL_FAILED, message);
        }
        part.commit();
    }

    void validate_all() {
        begin_stage("validate");
        rapidjson::Document checks(rapidjson::kArrayType);
        auto& alloc = checks.GetAllocator();
        for (const auto& artifact : report_.artifacts) {
            rapidjson::Value item(rapidjson::kObjectType);
            item.AddMember("path", rapidjson::Value(artifact.path, alloc), alloc);
            if (artifact.format == "raw") {
                // A raw image has no metadata qemu-img check could verify.
                warn("validate",
                     "skipped qemu-img check of " + artifact.path + ": raw images cannot be checked");
                item.AddMember("result", "skipped", alloc);
                checks.PushBack(item, alloc);
                continue;
            }
            pc::JobToolRun run;
            run.spec = pc::spec_from_config(
                config_, {qemu_img_, "check", "-f", artifact.format, artifact.path}, manifest_.directory);
            run.stream_output = options_.stream_output;
            const pc::ProcessResult r = pc::run_tool_for_job(job_, run);
            if (r.outcome == pc::ProcessOutcome::cancelled)
                throw cxx::Error(HYPERSDK_ERR_CANCELLED, "cancelled while checking " + artifact.path);
            if (r.outcome == pc::ProcessOutcome::timed_out)
                throw cxx::Error(HYPERSDK_ERR_TIMEOUT, "qemu-img check of " + artifact.path + " timed out");
            // Exit 3: only leaked clusters, harmless wasted space.
            if (r.outcome == pc::ProcessOutcome::exited && r.exit_code == 3) {
                warn("validate", "qemu-img check found leaked clusters in " + artifact.path);
                item.AddMember("result", "leaks", alloc);
            } else if (!r.succeeded()) {
                throw cxx::Error(HYPERSDK_ERR_TOOL_FAILED, "qemu-img check of " + artifact.path +
                                                               " failed (" + r.describe() +
                                                               "): " + r.tail_text(10));
            } else {
                item.AddMember("result", "ok", alloc);
            }
            checks.PushBack(item, alloc);
        }
        add_stage("validate", true, seconds_since(stage_started_),
                  "{\"checks\":" + pc::to_json_text(checks) + "}");
    }

    void fail(const std::string& message) {
        const std::string stage = stage_.empty() ? "convert" : stage_;
        if (!stage_.empty()) add_stage(stage_, false, seconds_since(stage_started_), {}, message);
        report_.errors.push_back({stage, message, pc::rfc3339_now()});
        try {
            finish(false);
        } catch (const std::exception& e) {
            result_.warnings.push_back(std::string("report: ") + e.what());
        }
    }

    void finish(bool success) {
        result_.duration_seconds = seconds_since(started_);
        result_.metadata_json = metadata();
        if (dry_run_ || !manifest_.report_enabled) return;
        report_.success = success;
        report_.duration_seconds = result_.duration_seconds;
        report_.extra = {{"converter", kPluginId}, {"tool", "qemu-img"}, {"tool_version", version_}};
        const std::string path = manifest_.effective_report_path();
        pc::write_report_file(report_, path, options_.modes());
        result_.report_path = path;
    }

    std::string metadata() const {
        rapidjson::Document m(rapidjson::kObjectType);
        auto& a = m.GetAllocator();
        m.AddMember("converter", rapidjson::StringRef(kPluginId), a);
        m.AddMember("tool", "qemu-img", a);
        m.AddMember("tool_path", rapidjson::Value(qemu_img_, a), a);
        m.AddMember("tool_version", rapidjson::Value(version_, a), a);
        m.AddMember("target_format", rapidjson::Value(target_, a), a);
        m.AddMember("compressed", compress_, a);
        m.AddMember("dry_run", dry_run_, a);
        m.AddMember("output_directory", rapidjson::Value(output_dir_, a), a);
        rapidjson::Value commands(rapidjson::kArrayType);
        for (const auto& p : plans_) commands.PushBack(rapidjson::Value(pc::format_command(p.argv), a), a);
        m.AddMember("commands", commands, a);
        rapidjson::Value stages(rapidjson::kObjectType);
        for (const auto& s : report_.stages) {
            rapidjson::Value stage(rapidjson::kObjectType);
            stage.AddMember("success", s.success, a);
            stage.AddMember("duration", s.duration, a);
            if (!s.success) stage.AddMember("error", rapidjson::Value(s.error, a), a);
            stages.AddMember(rapidjson::Value(s.name, a), stage, a);
        }
        m.AddMember("stages", stages, a);
        return pc::to_json_text(m);
    }

    const cxx::Job& job_;
    const pc::ConverterConfig& config_;
    const pc::ConvertOptions& options_;
    pc::ConversionResult& result_;
    const Clock::time_point started_ = Clock::now();

    pc::Manifest manifest_;
    pc::Report report_;
    std::string stage_;
    Clock::time_point stage_started_{};
    bool dry_run_ = false;
    std::string qemu_img_;
    std::string version_;
    std::string target_;
    bool compress_ = false;
    std::string output_dir_;
    std::unique_ptr<files::Directory> output_directory_;  // opened once, before the first disk
    std::vector<DiskPlan> plans_;
    uint64_t total_weight_ = 0;
};

}  // namespace

void convert_manifest(const cxx::Job& job, const pc::ConverterConfig& config,
                      const std::string& manifest_path, const pc::ConvertOptions& options,
                      pc::ConversionResult& result) {
    Conversion(job, config, options, result).run(manifest_path);
}

}  // namespace hypersdk::qemu_img
