#include "virt_v2v_conversion.hpp"

#include <rapidjson/document.h>
#include <hypersdk/files/directory.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <regex>

#include "hypersdk/plugin_common/job_tool.hpp"
#include "hypersdk/plugin_common/json_access.hpp"
#include "hypersdk/plugin_common/manifest_reader.hpp"
#include "hypersdk/plugin_common/report.hpp"
#include "hypersdk/plugin_common/tool_text.hpp"
#include "virt_v2v_tool.hpp"

namespace hypersdk::virt_v2v {
namespace fs = std::filesystem;
namespace pc = hypersdk::plugin_common;
namespace {

using Clock = std::chrono::steady_clock;

// virt-v2v -o local names its outputs after -on; keep it a plain file name.
std::string output_name(const pc::Manifest& m, const pc::ManifestDisk& boot) {
    std::string name = !m.source_vm_name.empty() ? m.source_vm_name
                       : !m.source_vm_id.empty() ? m.source_vm_id
                                                 : boot.id;
    for (char& c : name)
        if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '-' && c != '_' && c != '.') c = '_';
    if (name.empty() || name[0] == '.' || name[0] == '-') name = "vm" + name;
    return name;
}

// An OVF or OVA exported beside the boot disk lets virt-v2v read the VM's
// full description (all disks, firmware); exactly one must be there.
std::string find_ova_input(const pc::ManifestDisk& boot) {
    std::vector<fs::path> ovf, ova;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(fs::path(boot.local_path).parent_path(), ec)) {
        const auto ext = entry.path().extension().string();
        if (ext == ".ovf") ovf.push_back(entry.path());
        if (ext == ".ova") ova.push_back(entry.path());
    }
    if (ova.size() == 1 && ovf.empty()) return ova.front().string();
    if (ovf.size() == 1 && ova.empty())
        return ovf.front().parent_path().string();  // -i ova takes the directory
    return {};
}

// Files virt-v2v -o local writes for `name`: <name>-sda, <name>-sdb, ..., <name>.xml.
std::vector<std::string> outputs_for(const std::string& dir, const std::string& name, bool disks_only) {
    std::vector<std::string> found;
    const std::regex disk_re(std::regex_replace(name, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)") +
                             "-sd[a-z]+");
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const std::string file = entry.path().filename().string();
        if (std::regex_match(file, disk_re) || (!disks_only && file == name + ".xml"))
            found.push_back(entry.path().string());
    }
    // sda < sdb < ... < sdz < sdaa: shorter names first.
    std::sort(found.begin(), found.end(), [](const std::string& a, const std::string& b) {
        return a.size() != b.size() ? a.size() < b.size() : a < b;
    });
    return found;
}

class Conversion {
public:
    Conversion(const cxx::Job& job, const pc::ConverterConfig& config, const pc::ConvertOptions& options,
               pc::ConversionResult& result)
        : job_(job), config_(config), options_(options), result_(result) {}

    void run(const std::string& manifest_path) {
        manifest_ = pc::read_manifest(manifest_path);
        report_.input_manifest = {manifest_.path, manifest_.manifest_version, manifest_.source_provider,
                                  manifest_.source_vm_id, manifest_.source_vm_name};
        report_.input_disks = static_cast<int>(manifest_.disks.size());
        check_request();
        binary_ = find_virt_v2v(config_);
        version_ = virt_v2v_version(binary_, config_);
        build_command();
        if (options_.dry_run || manifest_.dry_run) {
            const std::string line = "dry run: " + pc::format_command(argv_);
            job_.output(line);
            cxx::log(HYPERSDK_LOG_INFO, line);
            result_.metadata_json = metadata();
            return;
        }
        const auto stage_started = Clock::now();
        try {
            execute();
        } catch (const cxx::Error& e) {
            report_.stages.push_back({"convert", false, seconds_since(stage_started), {}, e.what()});
            report_.errors.push_back({"convert", e.what(), pc::rfc3339_now()});
            write_report(false);
            throw;
        }
        report_.stages.push_back({"convert", true, seconds_since(stage_started), converted_json(), {}});
        write_report(true);
    }

private:
    static double seconds_since(Clock::time_point t) {
        return std::chrono::duration<double>(Clock::now() - t).count();
    }

    void warn(const std::string& stage, const std::string& message) {
        job_.warning(stage, message);
        result_.warnings.push_back(stage + ": " + message);
        report_.warnings.push_back({stage, message, pc::rfc3339_now()});
    }

    void check_request() {
        // pipeline.validate is not ours: hyperexport runs qemu-img check on
        // the outputs of a converter without the validation capability.
        target_ = !options_.target_format.empty()    ? options_.target_format
                  : !manifest_.output_format.empty() ? manifest_.output_format
                                                     : "qcow2";
        if (target_ != "qcow2" && target_ != "raw")
            throw cxx::Error(HYPERSDK_ERR_UNSUPPORTED, "target format '" + target_ +
                                                           "' is not supported by the virt-v2v converter "
                                                           "(supported: qcow2, raw)");
        const auto ordered = manifest_.disks_in_boot_order();
        boot_ = ordered.front();
        std::error_code ec;
        if (!fs::is_regular_file(boot_.local_path, ec))
            throw cxx::Error(HYPERSDK_ERR_NOT_FOUND, "disk '" + boot_.id + "': local_path " +
                                                         boot_.local_path +
                                                         " does not exist or is not a regular file");
        ova_ = find_ova_input(boot_);
        if (ova_.empty()) {
            for (size_t i = 1; i < ordered.size(); ++i)
                warn("convert",
                     "virt-v2v -i disk converts only the boot disk; disk '" + ordered[i].id +
                         "' is not converted (export an OVF beside the disks to convert all of them)");
        }
        if (options_.compression_level > 0 || manifest_.convert_compress)
            warn("convert",
                 "compression is not available with virt-v2v -o local; writing uncompressed " + target_);
    }

    void build_command() {
        output_dir_ = manifest_.effective_output_directory();
        name_ = output_name(manifest_, boot_);
        argv_ = {binary_};
        if (!ova_.empty()) {
            argv_.insert(argv_.end(), {"-i", "ova", ova_});
        } else {
            // -if names the input format: a fixed VHD would otherwise be probed as raw.
            const std::string fmt = boot_.source_format == "vhd" ? "vpc" : boot_.source_format;
            argv_.insert(argv_.end(), {"-i", "disk", "-if", fmt, boot_.local_path});
        }
        argv_.insert(argv_.end(), {"-o", "local", "-os", output_dir_, "-of", target_, "-on", name_});
        if (options_.verbose >= 2) argv_.insert(argv_.end(), {"-v", "-x"});
        argv_.insert(argv_.end(), options_.custom_args.begin(), options_.custom_args.end());
    }

    void execute() {
        std::error_code ec;
        try {
            files::create_directories(output_dir_, options_.modes().directory);
        } catch (const files::Error& e) {
            throw cxx::Error(HYPERSDK_ERR_IO, std::string("cannot create the output directory: ") + e.what());
        }
        // Refuse rather than overwrite: those files may be a finished earlier run.
        if (const auto existing = outputs_for(output_dir_, name_, false); !existing.empty())
            throw cxx::Error(HYPERSDK_ERR_STATE,
                             "output " + existing.front() +
                                 " already exists; remove the earlier outputs or choose another "
                                 "output directory");
        pc::JobToolRun run;
        run.spec = pc::spec_from_config(config_, argv_, manifest_.directory);
        if (!kvm_problem().empty() && !tcg_forced(config_)) {
            run.spec.environment["LIBGUESTFS_BACKEND_SETTINGS"] = "force_tcg";
            cxx::log(HYPERSDK_LOG_INFO,
                     "KVM unavailable (" + kvm_problem() + "): running the appliance with force_tcg");
        }
        run.stream_output = options_.stream_output;
        run.spec.umask = options_.tool_umask();  // virt-v2v creates its outputs itself
        process_ = pc::run_tool_for_job(job_, run);
        if (!process_.succeeded()) {
            // virt-v2v writes its outputs in place: never leave half of them.
            for (const auto& f : outputs_for(output_dir_, name_, false)) fs::remove(f, ec);
        }
        switch (process_.outcome) {
            case pc::ProcessOutcome::cancelled:
                throw cxx::Error(HYPERSDK_ERR_CANCELLED,
                                 "virt-v2v was cancelled; its process group was killed and "
                                 "partial outputs removed");
            case pc::ProcessOutcome::timed_out:
                throw cxx::Error(HYPERSDK_ERR_TIMEOUT, "virt-v2v did not finish within timeout_seconds (" +
                                                           std::to_string(config_.timeout_seconds) + " s)");
            case pc::ProcessOutcome::spawn_failed:
                throw cxx::Error(HYPERSDK_ERR_TOOL_FAILED, process_.error);
            default:
                break;
        }
        if (!process_.succeeded()) {
            std::string message = "virt-v2v failed (" + process_.describe() + ")";
            if (const std::string tail = process_.tail_text(15); !tail.empty()) message += ": " + tail;
            throw cxx::Error(HYPERSDK_ERR_TOOL_FAILED, message);
        }
        result_.converted_files = outputs_for(output_dir_, name_, true);
        if (result_.converted_files.empty())
            throw cxx::Error(HYPERSDK_ERR_TOOL_FAILED,
                             "virt-v2v exited 0 but wrote no " + output_dir_ + "/" + name_ + "-sd* file");
        for (const auto& file : result_.converted_files) {
            const uint64_t size = fs::file_size(file, ec);
            report_.artifacts.push_back(
                {"converted_disk", file, boot_.id, target_, ec ? 0 : size, boot_.boot_order_hint, false});
        }
        report_.output_disks = static_cast<int>(result_.converted_files.size());
    }

    std::string converted_json() const {
        rapidjson::Document list(rapidjson::kArrayType);
        auto& a = list.GetAllocator();
        for (const auto& art : report_.artifacts) {
            rapidjson::Value item(rapidjson::kObjectType);
            item.AddMember("disk_id", rapidjson::Value(art.disk_id, a), a);
            item.AddMember("input_format", rapidjson::Value(boot_.source_format, a), a);
            item.AddMember("output_format", rapidjson::Value(art.format, a), a);
            item.AddMember("output_path", rapidjson::Value(art.path, a), a);
            item.AddMember("output_size_bytes", art.size_bytes, a);
            list.PushBack(item, a);
        }
        return "{\"converted_disks\":" + pc::to_json_text(list) + "}";
    }

    void write_report(bool success) {
        result_.metadata_json = metadata();
        if (!manifest_.report_enabled) return;
        report_.success = success;
        report_.duration_seconds = seconds_since(started_);
        report_.extra = {{"converter", kPluginId}, {"tool", "virt-v2v"}, {"tool_version", version_}};
        try {
            const std::string path = manifest_.effective_report_path();
            pc::write_report_file(report_, path, options_.modes());
            result_.report_path = path;
        } catch (const std::exception& e) {
            if (success) throw;
            result_.warnings.push_back(std::string("report: ") + e.what());
        }
    }

    std::string metadata() const {
        rapidjson::Document m(rapidjson::kObjectType);
        auto& a = m.GetAllocator();
        m.AddMember("converter", rapidjson::StringRef(kPluginId), a);
        m.AddMember("tool", "virt-v2v", a);
        m.AddMember("tool_path", rapidjson::Value(binary_, a), a);
        m.AddMember("tool_version", rapidjson::Value(version_, a), a);
        m.AddMember("command", rapidjson::Value(pc::format_command(argv_), a), a);
        m.AddMember("input", rapidjson::Value(ova_.empty() ? "disk" : "ova", a), a);
        m.AddMember("output_name", rapidjson::Value(name_, a), a);
        m.AddMember("target_format", rapidjson::Value(target_, a), a);
        m.AddMember("dry_run", options_.dry_run || manifest_.dry_run, a);
        if (process_.outcome == pc::ProcessOutcome::exited) m.AddMember("exit_code", process_.exit_code, a);
        return pc::to_json_text(m);
    }

    const cxx::Job& job_;
    const pc::ConverterConfig& config_;
    const pc::ConvertOptions& options_;
    pc::ConversionResult& result_;
    const Clock::time_point started_ = Clock::now();
    pc::Manifest manifest_;
    pc::Report report_;
    pc::ManifestDisk boot_;
    std::string binary_, version_, target_, ova_, output_dir_, name_;
    std::vector<std::string> argv_;
    pc::ProcessResult process_;
};

}  // namespace

void convert_manifest(const cxx::Job& job, const pc::ConverterConfig& config,
                      const std::string& manifest_path, const pc::ConvertOptions& options,
                      pc::ConversionResult& result) {
    Conversion(job, config, options, result).run(manifest_path);
}

}  // namespace hypersdk::virt_v2v
