#include "export_report.hpp"

#include <rapidjson/document.h>

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli_support.hpp"
#include "conversion_step.hpp"
#include "summary_box.hpp"
#include "terminal_text.hpp"

namespace hypersdk::host {

namespace fs = std::filesystem;

void Reporter::info(const std::string& text) const {
    if (flags_.quiet) return;
    const std::string line = "[INFO] " + terminal_safe(text);
    std::FILE* stream = flags_.json ? stderr : stdout;
    if (display_ != nullptr)
        display_->print_line(stream, line);
    else
        std::fprintf(stream, "%s\n", line.c_str());
    std::fflush(stream);
}

core::FileSinkFactory::Observer SinkProgress::observer() {
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

std::optional<size_t> SinkProgress::find(size_t index) {
    std::lock_guard lock(mutex_);
    const auto it = items_.find(index);
    return it == items_.end() ? std::nullopt : std::optional<size_t>(it->second);
}

namespace {

std::string or_dash(const std::string& text) {
    return text.empty() ? "-" : terminal_safe(text, false);
}

std::string optional_number(const std::optional<int64_t>& value) {
    return value ? std::to_string(*value) : "-";
}

rapidjson::Value description_json(const core::VmDescription& vm, rapidjson::Document::AllocatorType& alloc) {
    const auto str = [&](const std::string& text) { return rapidjson::Value(text.c_str(), alloc); };
    rapidjson::Value object(rapidjson::kObjectType);
    object.AddMember("id", str(vm.id), alloc);
    object.AddMember("name", str(vm.name), alloc);
    object.AddMember("power_state", str(std::string(core::power_state_name(vm.power_state))), alloc);
    if (!vm.platform_state.empty()) object.AddMember("platform_state", str(vm.platform_state), alloc);
    if (!vm.datacenter.empty()) object.AddMember("datacenter", str(vm.datacenter), alloc);
    if (vm.cpu) object.AddMember("cpu", *vm.cpu, alloc);
    if (vm.memory_mb) object.AddMember("memory_mb", *vm.memory_mb, alloc);
    if (!vm.firmware.empty()) object.AddMember("firmware", str(vm.firmware), alloc);
    if (vm.secure_boot) object.AddMember("secure_boot", *vm.secure_boot, alloc);
    if (!vm.guest_os.empty()) object.AddMember("guest_os", str(vm.guest_os), alloc);
    if (!vm.guest_os_name.empty()) object.AddMember("guest_os_name", str(vm.guest_os_name), alloc);
    rapidjson::Value disks(rapidjson::kArrayType);
    for (const auto& disk : vm.disks) {
        rapidjson::Value entry(rapidjson::kObjectType);
        entry.AddMember("id", str(disk.id), alloc);
        if (!disk.label.empty()) entry.AddMember("label", str(disk.label), alloc);
        if (disk.capacity_bytes) entry.AddMember("capacity_bytes", *disk.capacity_bytes, alloc);
        if (!disk.format.empty()) entry.AddMember("format", str(disk.format), alloc);
        if (disk.boot_order_hint) entry.AddMember("boot_order_hint", *disk.boot_order_hint, alloc);
        if (!disk.source.empty()) entry.AddMember("source", str(disk.source), alloc);
        disks.PushBack(entry, alloc);
    }
    object.AddMember("disks", disks, alloc);
    rapidjson::Value nics(rapidjson::kArrayType);
    for (const auto& nic : vm.nics) {
        rapidjson::Value entry(rapidjson::kObjectType);
        entry.AddMember("id", str(nic.id), alloc);
        entry.AddMember("mac", str(nic.mac), alloc);
        entry.AddMember("network", str(nic.network), alloc);
        nics.PushBack(entry, alloc);
    }
    object.AddMember("nics", nics, alloc);
    return object;
}

}  // namespace

void print_dry_run(const ExportFlags& flags, const core::VmDescription& vm, const std::string& format,
                   const core::OptionResolution& provider_options, const std::string& converter_note) {
    const std::string output = flags.output.empty() ? "" : fs::absolute(flags.output).string();
    if (flags.json) {
        rapidjson::Document document(rapidjson::kObjectType);
        auto& alloc = document.GetAllocator();
        const auto str = [&](const std::string& text) { return rapidjson::Value(text.c_str(), alloc); };
        document.AddMember("dry_run", true, alloc);
        document.AddMember("provider", str(flags.provider), alloc);
        document.AddMember("output_directory", str(output), alloc);
        document.AddMember("format", str(format), alloc);
        document.AddMember("convert", flags.convert, alloc);
        rapidjson::Value options(rapidjson::kObjectType);
        for (const auto& [name, value] : provider_options.display())
            options.AddMember(str(name), str(value), alloc);  // secrets are "(set)"
        document.AddMember("provider_options", options, alloc);
        document.AddMember("vm", description_json(vm, alloc), alloc);
        std::cout << to_pretty_json(document);
        return;
    }
    std::cout << "Dry run: nothing is downloaded or written.\n\n";
    SummaryRows rows{
        {"VM Name", or_dash(vm.name)},
        {"VM Id", or_dash(vm.id)},
        {"Power State", std::string(core::power_state_label(vm.power_state)) +
                            (vm.platform_state.empty() ? "" : " (" + or_dash(vm.platform_state) + ")")},
        {"CPUs", optional_number(vm.cpu)},
        {"Memory", vm.memory_mb ? format_bytes(static_cast<uint64_t>(*vm.memory_mb) << 20) : "-"},
        {"Firmware", or_dash(vm.firmware)},
        {"Guest OS", or_dash(vm.guest_os_name.empty() ? vm.guest_os : vm.guest_os_name)}};
    uint64_t total = 0;
    for (const auto& disk : vm.disks) {
        total += disk.capacity_bytes.value_or(0);
        rows.emplace_back("Disk " + or_dash(disk.id),
                          format_bytes(disk.capacity_bytes.value_or(0)) + "  " +
                              or_dash(disk.source.empty() ? disk.label : disk.source));
    }
    rows.emplace_back("Disks",
                      std::to_string(vm.disks.size()) + " (" + format_bytes(total) + " provisioned)");
    for (const auto& [name, value] : provider_options.display())
        rows.emplace_back("Option " + name, or_dash(value));
    rows.emplace_back("Output Directory", output.empty() ? "-" : terminal_safe(output));
    rows.emplace_back("Export Format", format);
    rows.emplace_back("Artifact Manifest",
                      std::string(core::kManifestFileName) +
                          (flags.manifest_checksum ? " (with SHA-256)" : " (no checksums)"));
    if (vm.power_state == core::PowerState::on)
        rows.emplace_back("Power", flags.power_off
                                       ? "will power the VM off first"
                                       : "running: refused unless the provider copies running VMs "
                                         "(add --power-off)");
    rows.emplace_back("Conversion", flags.convert ? converter_note : "no (add --convert)");
    std::cout << render_summary_box("Export Plan", rows);
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
    document.AddMember("format", str(outcome.format), alloc);
    document.AddMember("output_directory", str(outcome.output_dir.string()), alloc);
    document.AddMember("manifest", str(outcome.manifest_path.string()), alloc);
    document.AddMember("ova", str(outcome.ova_path.string()), alloc);
    document.AddMember("manifest_verified", outcome.manifest_verified, alloc);
    document.AddMember("duration_seconds", outcome.duration_seconds, alloc);
    document.AddMember("total_bytes", outcome.total_bytes, alloc);
    document.AddMember("powered_off_by_export", outcome.powered_off_by_export, alloc);
    document.AddMember("crash_consistent", outcome.crash_consistent, alloc);
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
    SummaryRows rows{{"VM Name", terminal_safe(outcome.vm_name, false)},
                     {"Duration", format_duration(total_seconds)},
                     {"Total Size", format_bytes(outcome.total_bytes)},
                     {"Files Exported", std::to_string(outcome.files.size()) + " (" + std::to_string(disks) +
                                            (disks == 1 ? " disk)" : " disks)")},
                     {"Output Directory", terminal_safe(outcome.output_dir.string(), false)},
                     {"Artifact Manifest", outcome.manifest_path.empty()
                                               ? std::string("-")
                                               : outcome.manifest_path.filename().string() +
                                                     (outcome.manifest_verified ? " (verified)" : "")}};
    if (!outcome.ova_path.empty()) rows.emplace_back("OVA Package", outcome.ova_path.filename().string());
    if (outcome.powered_off_by_export) rows.emplace_back("Source VM", "powered off by the export");
    if (outcome.crash_consistent)
        rows.emplace_back("Consistency", "crash-consistent (copied from a running VM's snapshot)");
    if (conversion)
        for (auto& row : conversion_summary_rows(*conversion)) rows.push_back(std::move(row));
    std::cout << "\n" << render_summary_box("Export Summary", rows);
    if (conversion) print_converted_files(*conversion);
    for (const auto& warning : outcome.warnings) std::cout << "warning: " << terminal_safe(warning) << "\n";
    if (!conversion)
        std::cout << "\n✅ Export completed successfully!\n";
    else if (conversion->success)
        std::cout << "\n✅ Export and conversion completed successfully!\n";
    std::cout << std::flush;
}

}  // namespace hypersdk::host
