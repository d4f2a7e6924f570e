#include "virt_v2v_conversion.hpp"

#include <rapidjson/document.h>
#include <sys/stat.h>
#include <hypersdk/files/directory.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include "domain_xml.hpp"
#include "hypersdk/plugin_common/job_tool.hpp"
#include "hypersdk/plugin_common/json_access.hpp"
#include "hypersdk/plugin_common/manifest_reader.hpp"
#include "hypersdk/plugin_common/report.hpp"
#include "hypersdk/plugin_common/tool_text.hpp"
#include "output_staging.hpp"
#include "ovf_disk_order.hpp"
#include "virt_v2v_progress.hpp"
#include "virt_v2v_tool.hpp"

namespace hypersdk::virt_v2v {
namespace fs = std::filesystem;
namespace pc = hypersdk::plugin_common;
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kDomainXmlMaxBytes = 4u << 20;
constexpr size_t kTailLines = 15;
constexpr size_t kErrorLinesKept = 5;
constexpr size_t kMaxLineKept = 1000;

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

// A line naming a failure, from virt-v2v or a helper it ran ("virt-v2v:
// error: ...", "nbdcopy: ...: Input/output error"): kept for the message even
// when later output pushes it out of the tail.
bool is_error_line(std::string_view line) {
    std::string lower(line.substr(0, kMaxLineKept));
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return lower.find("error") != std::string::npos || lower.find("failed") != std::string::npos;
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
        output_dir_ = manifest_.effective_output_directory();
        name_ = output_name(manifest_, boot_);
        if (options_.dry_run || manifest_.dry_run) {
            build_command((fs::path(output_dir_) / ".virt-v2v-XXXXXX").string());
            const std::string line = "dry run: " + pc::format_command(argv_);
            job_.output(line);
            cxx::log(HYPERSDK_LOG_INFO, line);
            result_.metadata_json = metadata();
            return;
        }
        try {
            execute();
        } catch (const cxx::Error& e) {
            if (refused_before_running_) {  // the earlier run's report stays as it was
                result_.metadata_json = metadata();
                throw;
            }
            record_stages(false, e.what());
            report_.errors.push_back(
                {kPhaseNames[static_cast<int>(failed_phase())], e.what(), pc::rfc3339_now()});
            write_report(false);
            throw;
        }
        record_stages(true, {});
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
            drive_order_ = {boot_};
            for (size_t i = 1; i < ordered.size(); ++i)
                warn("convert",
                     "virt-v2v -i disk converts only the boot disk; disk '" + ordered[i].id +
                         "' is not converted (export an OVF beside the disks to convert all of them)");
        } else {
            drive_order_ = ova_drive_order(ordered);
        }
        if (options_.compression_level > 0 || manifest_.convert_compress)
            warn("convert",
                 "compression is not available with virt-v2v -o local; writing uncompressed " + target_);
    }

    // The manifest's disks in the order virt-v2v -i ova numbers them, so that
    // sda, sdb, ... are named after the right disk.
    std::vector<pc::ManifestDisk> ova_drive_order(const std::vector<pc::ManifestDisk>& boot_order) {
        std::string problem;
        try {
            std::vector<pc::ManifestDisk> order;
            std::set<std::string> used;
            for (const std::string& href : ovf_disk_hrefs(read_ovf_descriptor(ova_))) {
                const std::string file = fs::path(href).filename().string();
                const auto it = std::find_if(boot_order.begin(), boot_order.end(), [&](const auto& d) {
                    return fs::path(d.local_path).filename() == file && used.count(d.id) == 0;
                });
                if (it == boot_order.end())
                    throw std::runtime_error("the OVF's disk file " + href +
                                             " is not a disk of the manifest");
                used.insert(it->id);
                order.push_back(*it);
            }
            if (!order.empty()) return order;
            problem = "the OVF lists no hard disk";
        } catch (const std::exception& e) {
            problem = e.what();
        }
        warn("convert", "cannot tell from " + ova_ + " which disk virt-v2v writes first (" + problem +
                            "); naming its outputs in the manifest's boot order");
        return boot_order;
    }

    void build_command(const std::string& staging_dir) {
        argv_ = {binary_};
        if (!ova_.empty()) {
            argv_.insert(argv_.end(), {"-i", "ova", ova_});
        } else {
            // -if names the input format: a fixed VHD would otherwise be probed as raw.
            const std::string fmt = boot_.source_format == "vhd" ? "vpc" : boot_.source_format;
            argv_.insert(argv_.end(), {"-i", "disk", "-if", fmt, boot_.local_path});
        }
        argv_.insert(argv_.end(), {"-o", "local", "-os", staging_dir, "-of", target_, "-on", name_});
        if (options_.verbose >= 2) argv_.insert(argv_.end(), {"-v", "-x"});
        argv_.insert(argv_.end(), options_.custom_args.begin(), options_.custom_args.end());
    }

    std::string final_disk_name(const pc::ManifestDisk& disk) const { return disk.id + "." + target_; }
    std::string xml_name() const { return name_ + ".xml"; }

    // --force, this job's earlier outputs (the host's record), and the source disks never.
    ReplacePolicy replace_policy() const {
        ReplacePolicy policy;
        policy.allowed = options_.overwrite;
        policy.earlier_outputs = options_.replaceable;
        for (const auto& disk : manifest_.disks) {
            struct stat st {};
            if (::stat(disk.local_path.c_str(), &st) == 0)
                policy.never_replace.push_back({st.st_dev, st.st_ino});
        }
        return policy;
    }

    void execute() {
        try {
            files::create_directories(output_dir_, options_.modes().directory);
        } catch (const files::Error& e) {
            throw cxx::Error(HYPERSDK_ERR_IO, std::string("cannot create the output directory: ") + e.what());
        }
        // Refuse now, not after the ten-minute conversion: those files may be
        // a finished earlier run; only --force replaces them, never a source disk.
        const ReplacePolicy replace = replace_policy();
        std::vector<std::string> finals;
        for (const auto& disk : drive_order_) finals.push_back(final_disk_name(disk));
        finals.push_back(xml_name());
        const files::Directory output(output_dir_);
        for (const auto& file : finals)
            if (std::string refusal = OutputStaging::replace_refusal(output, file, replace);
                !refusal.empty()) {
                refused_before_running_ = true;
                throw cxx::Error(HYPERSDK_ERR_STATE, refusal);
            }
        OutputStaging staging(output_dir_, options_.modes().directory, replace);
        build_command(staging.path());
        run_tool();
        adopt_outputs(staging);
        staging.keep();
        job_.progress(total_bytes(), total_bytes());
    }

    uint64_t total_bytes() const {
        uint64_t total = 0;
        for (const auto& disk : drive_order_) {
            std::error_code ec;
            const auto on_disk = fs::file_size(disk.local_path, ec);
            total += std::max<uint64_t>({disk.bytes, ec ? 0 : on_disk, 1});
        }
        return total;
    }

    void keep_line(std::string_view line) {
        std::string text(line.substr(0, kMaxLineKept));
        if (is_error_line(text) && error_lines_.size() < kErrorLinesKept &&
            std::find(error_lines_.begin(), error_lines_.end(), text) == error_lines_.end())
            error_lines_.push_back(text);
        tail_.push_back(std::move(text));
        if (tail_.size() > kTailLines) tail_.pop_front();
    }

    void run_tool() {
        const uint64_t total = total_bytes();
        const auto report_progress = [&] {
            job_.progress(static_cast<uint64_t>(static_cast<double>(total) * progress_.fraction()), total);
        };
        job_.progress(0, total);
        pc::JobToolRun run;
        run.spec = pc::spec_from_config(config_, argv_, manifest_.directory);
        if (!kvm_problem().empty() && !tcg_forced(config_)) {
            run.spec.environment["LIBGUESTFS_BACKEND_SETTINGS"] = "force_tcg";
            cxx::log(HYPERSDK_LOG_INFO,
                     "KVM unavailable (" + kvm_problem() + "): running the appliance with force_tcg");
        }
        // Streaming is ours: nbdcopy's bar is progress, not output, and the
        // stage lines are shown even when the rest is not.
        run.stream_output = false;
        run.on_line = [&](pc::OutputStream, std::string_view line) {
            switch (progress_.feed(line)) {
                case LineKind::stage:
                    job_.output(std::string(line));
                    cxx::log(HYPERSDK_LOG_INFO, "virt-v2v: " + progress_.stage());
                    keep_line(line);
                    report_progress();
                    break;
                case LineKind::copy_progress:
                    report_progress();
                    break;
                case LineKind::other:
                    if (line.empty()) break;
                    if (options_.stream_output) job_.output(std::string(line));
                    keep_line(line);
                    break;
            }
        };
        run.spec.umask = options_.tool_umask();  // virt-v2v creates its outputs itself
        process_ = pc::run_tool_for_job(job_, run);
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
        if (!process_.succeeded()) throw cxx::Error(HYPERSDK_ERR_TOOL_FAILED, failure_message());
    }

    // "virt-v2v failed (exit code 1): " and the tool's own words: its error
    // lines (a helper's, such as nbdcopy's, come before virt-v2v's "see
    // earlier error messages") and then the last lines it printed.
    std::string failure_message() const {
        std::string message = "virt-v2v failed (" + process_.describe() + ")";
        std::vector<std::string> lines;
        for (const auto& line : error_lines_)
            if (std::find(tail_.begin(), tail_.end(), line) == tail_.end()) lines.push_back(line);
        lines.insert(lines.end(), tail_.begin(), tail_.end());
        for (size_t i = 0; i < lines.size(); ++i) message += (i == 0 ? ": " : "\n") + lines[i];
        return message;
    }

    // virt-v2v's files, from the staging directory to their final names: the
    // disks as <disk id>.<format>, the domain XML as <name>.xml with its disk
    // sources pointing at them.
    void adopt_outputs(OutputStaging& staging) {
        const std::vector<std::string> written = staging.disk_files(name_);
        if (written.size() != drive_order_.size())
            throw cxx::Error(HYPERSDK_ERR_TOOL_FAILED,
                             "virt-v2v exited 0 but wrote " + std::to_string(written.size()) + " disk(s) (" +
                                 name_ + "-sd*) where " + std::to_string(drive_order_.size()) +
                                 " were expected; nothing was kept");
        std::map<std::string, std::string> renamed;
        for (size_t i = 0; i < written.size(); ++i)
            renamed[staging.directory().path_of(written[i]).string()] =
                (fs::path(output_dir_) / final_disk_name(drive_order_[i])).string();
        const bool have_xml = staging.directory().entry_status(xml_name()).has_value();
        if (have_xml) rewrite_xml(staging, renamed);
        for (size_t i = 0; i < written.size(); ++i)
            staging.move_out(written[i], final_disk_name(drive_order_[i]));
        if (have_xml) {
            staging.move_out(xml_name(), xml_name());
            domain_xml_ = (fs::path(output_dir_) / xml_name()).string();
            result_.artifacts.push_back({"libvirt_domain_xml", domain_xml_});
        } else {
            warn("convert", "virt-v2v wrote no domain XML (" + xml_name() + ")");
        }
        std::map<std::string, std::string> by_id;
        for (const auto& disk : drive_order_)
            by_id[disk.id] = (fs::path(output_dir_) / final_disk_name(disk)).string();
        for (const auto& disk : manifest_.disks_in_boot_order()) {
            const auto it = by_id.find(disk.id);
            if (it == by_id.end()) continue;
            std::error_code ec;
            const uint64_t size = fs::file_size(it->second, ec);
            result_.converted_files.push_back(it->second);
            report_.artifacts.push_back(
                {"converted_disk", it->second, disk.id, target_, ec ? 0 : size, disk.boot_order_hint, false});
            converted_.push_back(disk);
        }
        if (have_xml) {
            std::error_code ec;
            const uint64_t size = fs::file_size(domain_xml_, ec);
            report_.artifacts.push_back(
                {"libvirt_domain_xml", domain_xml_, "", "xml", ec ? 0 : size, 999, false});
        }
        report_.output_disks = static_cast<int>(result_.converted_files.size());
    }

    void rewrite_xml(const OutputStaging& staging, const std::map<std::string, std::string>& renamed) {
        const auto& dir = staging.directory();
        std::optional<std::string> text;
        try {
            const files::UniqueFd fd = dir.open_regular(xml_name(), O_RDONLY);
            text = files::read_all(fd.get(), kDomainXmlMaxBytes, dir.path_of(xml_name()));
        } catch (const files::Error& e) {
            throw cxx::Error(HYPERSDK_ERR_TOOL_FAILED,
                             std::string("cannot read virt-v2v's domain XML: ") + e.what());
        }
        if (!text)
            throw cxx::Error(HYPERSDK_ERR_TOOL_FAILED,
                             "virt-v2v's domain XML " + dir.path_of(xml_name()).string() +
                                 " is larger than " + std::to_string(kDomainXmlMaxBytes) + " bytes");
        const std::string final_path = (fs::path(output_dir_) / xml_name()).string();
        RewrittenDomain domain = rewrite_domain_xml(*text, renamed, final_path);
        if (domain.sources_rewritten != static_cast<int>(renamed.size()))
            warn("convert", "the domain XML names " + std::to_string(domain.sources_rewritten) + " of the " +
                                std::to_string(renamed.size()) + " converted disks");
        for (const auto& left : domain.sources_left)
            warn("convert", "the domain XML keeps a disk source that is not a converted disk: " + left);
        guest_ = domain.guest;
        try {
            dir.write_atomically(xml_name(), domain.text, options_.modes().file);
        } catch (const files::Error& e) {
            throw cxx::Error(HYPERSDK_ERR_IO, e.what());
        }
    }

    // The pipeline stage virt-v2v was in when it stopped.
    Phase failed_phase() const { return progress_.stages().empty() ? Phase::convert : progress_.phase(); }

    // inspect, fix and convert as virt-v2v's own stage lines timed them; a
    // run that printed none is one "convert" stage.
    void record_stages(bool success, const std::string& error) {
        const double tool_end = process_.elapsed_seconds;
        const auto started = [&](Phase p) { return progress_.phase_started_at(p); };
        bool any = false;
        for (int i = 0; i < 3; ++i) {
            const Phase phase = static_cast<Phase>(i);
            const auto begin = started(phase);
            if (!begin) continue;
            any = true;
            double end = tool_end;
            for (int j = i + 1; j < 3; ++j)
                if (const auto next = started(static_cast<Phase>(j))) {
                    end = *next;
                    break;
                }
            const bool failed_here = !success && phase == failed_phase();
            report_.stages.push_back({kPhaseNames[i], !failed_here, std::max(0.0, end - *begin),
                                      failed_here ? std::string() : phase_result(phase),
                                      failed_here ? error : ""});
        }
        const bool convert_recorded = started(Phase::convert).has_value();
        if (!any || (success && !convert_recorded))
            report_.stages.push_back({"convert", success, seconds_since(started_),
                                      success ? phase_result(Phase::convert) : std::string(),
                                      success ? "" : error});
    }

    std::string phase_result(Phase phase) const {
        rapidjson::Document result(rapidjson::kObjectType);
        auto& a = result.GetAllocator();
        if (phase == Phase::inspect) result.AddMember("guest", guest_json(a), a);
        if (phase == Phase::convert) {
            rapidjson::Value list(rapidjson::kArrayType);
            for (const auto& art : report_.artifacts) {
                if (art.type != "converted_disk") continue;
                rapidjson::Value item(rapidjson::kObjectType);
                const auto disk = std::find_if(converted_.begin(), converted_.end(),
                                               [&](const auto& d) { return d.id == art.disk_id; });
                item.AddMember("disk_id", rapidjson::Value(art.disk_id, a), a);
                item.AddMember("input_format",
                               rapidjson::Value(disk == converted_.end() ? "" : disk->source_format, a), a);
                item.AddMember("output_format", rapidjson::Value(art.format, a), a);
                item.AddMember("output_path", rapidjson::Value(art.path, a), a);
                item.AddMember("output_size_bytes", art.size_bytes, a);
                list.PushBack(item, a);
            }
            result.AddMember("converted_disks", list, a);
            if (!domain_xml_.empty()) result.AddMember("domain_xml", rapidjson::Value(domain_xml_, a), a);
        }
        rapidjson::Value stages(rapidjson::kArrayType);
        for (const auto& stage : progress_.stages()) {
            if (stage.phase != phase) continue;
            rapidjson::Value item(rapidjson::kObjectType);
            item.AddMember("name", rapidjson::Value(stage.name, a), a);
            item.AddMember("started_at", stage.started_at, a);
            stages.PushBack(item, a);
        }
        result.AddMember("virt_v2v_stages", stages, a);
        return pc::to_json_text(result);
    }

    rapidjson::Value guest_json(rapidjson::Document::AllocatorType& a) const {
        rapidjson::Value guest(rapidjson::kObjectType);
        const auto add = [&](const char* key, const std::string& value) {
            if (value.empty()) {
                guest.AddMember(rapidjson::StringRef(key), rapidjson::Value(rapidjson::kNullType), a);
            } else {
                guest.AddMember(rapidjson::StringRef(key), rapidjson::Value(value, a), a);
            }
        };
        add("product", progress_.product());
        add("distro", guest_.distro);
        add("version", guest_.version);
        add("osinfo", guest_.osinfo_id);
        add("firmware", guest_.firmware);
        return guest;
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
        if (!domain_xml_.empty()) m.AddMember("domain_xml", rapidjson::Value(domain_xml_, a), a);
        if (!progress_.stages().empty()) m.AddMember("guest", guest_json(a), a);
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
    std::vector<pc::ManifestDisk> drive_order_;  // sda, sdb, ...
    std::vector<pc::ManifestDisk> converted_;    // boot order
    std::string binary_, version_, target_, ova_, output_dir_, name_, domain_xml_;
    std::vector<std::string> argv_;
    pc::ProcessResult process_;
    ProgressParser progress_;
    GuestOs guest_;
    std::deque<std::string> tail_;          // the tool's last lines, without progress bars
    std::vector<std::string> error_lines_;  // its first few error lines
    bool refused_before_running_ = false;   // an output exists: nothing ran, nothing is written
};

}  // namespace

void convert_manifest(const cxx::Job& job, const pc::ConverterConfig& config,
                      const std::string& manifest_path, const pc::ConvertOptions& options,
                      pc::ConversionResult& result) {
    Conversion(job, config, options, result).run(manifest_path);
}

}  // namespace hypersdk::virt_v2v
