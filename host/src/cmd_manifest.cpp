// `hyperexport manifest verify|show|create`: check that the disks an
// Artifact Manifest lists are the bytes it promises, print a manifest for a
// human, and build one from disk images that already exist.
#include <hypersdk/version.h>
#include <hypersdk/core/file_hasher.hpp>
#include <hypersdk/core/manifest.hpp>
#include <hypersdk/core/manifest_disk_format.hpp>
#include <hypersdk/core/manifest_reader.hpp>
#include <hypersdk/core/manifest_validator.hpp>
#include <hypersdk/core/manifest_writer.hpp>

#include <boost/program_options.hpp>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "cli_support.hpp"
#include "command.hpp"
#include "progress_bar.hpp"
#include "signal_scope.hpp"
#include "terminal_text.hpp"

namespace hypersdk::host {
namespace {

namespace po = boost::program_options;
namespace fs = std::filesystem;
using core::Manifest;
using core::ManifestDisk;

constexpr const char* kManifestHelp =
    "Usage: hyperexport [GLOBAL OPTIONS] manifest SUBCOMMAND [OPTIONS]\n\n"
    "Work with Artifact Manifest v1.0 files (artifact-manifest.json), the contract\n"
    "between an export and hyper2kvm (see docs/manifest.md).\n\n"
    "Subcommands:\n"
    "  verify FILE         validate, then re-hash every disk and compare with its checksum\n"
    "  show FILE           print a summary of the manifest and any validation errors\n"
    "  create --disk PATH  build a manifest from existing disk images\n\n"
    "Run 'hyperexport manifest SUBCOMMAND --help' for the options of each.\n";

// Ctrl-C (or SIGTERM, SIGHUP) during hashing stops the workers between two reads.
std::atomic<bool> interrupt_requested{false};

const SubcommandOperand kManifestOperand{"file", "missing FILE (the manifest)"};

ProgressStyle progress_style(const GlobalOptions& global) {
    return global.quiet ? ProgressStyle::quiet : ProgressStyle::automatic;
}

std::string short_checksum(const std::optional<std::string>& checksum) {
    if (!checksum) return "(no checksum)";
    // "sha256:" + 12 hex digits is enough to tell disks apart by eye.
    return checksum->size() > 19 ? checksum->substr(0, 19) + "..." : *checksum;
}

// Every value of a manifest is text from wherever the manifest came from:
// printed through terminal_safe, one line each (a newline in a value must
// not forge a line such as "Validation: OK").
std::string shown(std::string_view value) {
    return terminal_safe(value, false);
}

void print_issues(std::ostream& out, const std::vector<core::ValidationIssue>& issues) {
    for (const auto& issue : issues) out << "  " << shown(issue.to_string()) << "\n";
}

// Hashes the files with one bar each; the outcomes are in input order.
std::vector<core::FileHashOutcome> hash_with_progress(const std::vector<fs::path>& paths,
                                                      const std::vector<std::string>& labels,
                                                      const std::vector<uint64_t>& sizes, unsigned jobs,
                                                      const GlobalOptions& global) {
    ProgressOptions progress_options;
    progress_options.style = progress_style(global);
    ProgressDisplay display(progress_options);
    for (size_t i = 0; i < paths.size(); ++i) display.add_item(labels[i], sizes[i]);

    const CancelOnSignal interrupt_scope(interrupt_requested);
    core::ParallelHashOptions options;
    options.max_parallel = jobs;
    options.cancel = &interrupt_requested;
    options.progress = [&](size_t index, uint64_t done, uint64_t total) {
        display.set_total(index, total);
        display.update(index, done);
        // A worker that finishes reports its last buffer; mark it done there.
        if (done == total) display.finish_item(index, "hashed");
    };
    auto outcomes = core::hash_files(paths, options);
    for (size_t i = 0; i < outcomes.size(); ++i)
        display.finish_item(i,
                            outcomes[i].ok() ? "hashed" : (outcomes[i].cancelled ? "cancelled" : "FAILED"));
    display.finish();
    return outcomes;
}

// ---------------------------------------------------------------- verify

constexpr const char* kVerifyUsage =
    "Usage: hyperexport manifest verify FILE [--jobs N]\n\n"
    "Validates FILE, then re-hashes every disk it lists (several at once) and prints\n"
    "one line per disk: OK, MISMATCH (expected ..., got ...), MISSING, or NO CHECKSUM.\n"
    "Exit status: 0 when every disk is OK, 1 otherwise (or when FILE is invalid),\n"
    "2 on a usage error.\n";

int run_verify(const GlobalOptions& global, const std::vector<std::string>& args) {
    po::options_description options("Options");
    unsigned jobs = 0;
    // clang-format off
    options.add_options()
        ("help,h", "show this help and exit")
        ("jobs,j", po::value<unsigned>(&jobs)->value_name("N"), "hash at most N disks at once (default: one per CPU)");
    // clang-format on
    po::variables_map values;
    if (int exit_code =
            parse_subcommand(args, options, &kManifestOperand, values, "manifest verify", kVerifyUsage);
        exit_code >= 0)
        return exit_code;
    const fs::path manifest_path = values["file"].as<std::string>();

    const auto read = core::read_manifest_file(manifest_path);
    // Missing files are reported per disk below, as MISSING.
    core::ValidationOptions validation;
    validation.check_files_exist = false;
    const auto issues = core::validate_read_result(read, validation);
    if (!issues.empty()) {
        std::cerr << "hyperexport: " << manifest_path.string() << " is not a valid Artifact Manifest v1.0:\n";
        print_issues(std::cerr, issues);
        return kExitFailure;
    }

    const Manifest& manifest = read.manifest;
    std::vector<std::string> results(manifest.disks.size());
    std::vector<fs::path> to_hash;
    std::vector<std::string> labels;
    std::vector<uint64_t> sizes;
    std::vector<size_t> disk_of_hash;
    for (size_t i = 0; i < manifest.disks.size(); ++i) {
        const ManifestDisk& disk = manifest.disks[i];
        std::error_code error;
        const auto status = fs::status(disk.local_path, error);
        if (!fs::exists(status)) {
            results[i] = "MISSING (" + disk.local_path + ")";
            continue;
        }
        const uintmax_t size = fs::is_regular_file(status) ? fs::file_size(disk.local_path, error) : 0;
        if (fs::is_regular_file(status) && !error && size != static_cast<uintmax_t>(disk.bytes)) {
            results[i] = "MISMATCH (expected " + std::to_string(disk.bytes) + " bytes, got " +
                         std::to_string(size) + " bytes)";
            continue;
        }
        to_hash.push_back(disk.local_path);
        labels.push_back(disk.id);
        sizes.push_back(size);
        disk_of_hash.push_back(i);
    }

    const auto outcomes = hash_with_progress(to_hash, labels, sizes, jobs, global);
    bool cancelled = false;
    for (size_t k = 0; k < outcomes.size(); ++k) {
        const ManifestDisk& disk = manifest.disks[disk_of_hash[k]];
        std::string& result = results[disk_of_hash[k]];
        const auto& outcome = outcomes[k];
        if (!outcome.ok()) {
            cancelled = cancelled || outcome.cancelled;
            result = outcome.cancelled ? "CANCELLED" : "ERROR (" + outcome.error + ")";
        } else if (!disk.checksum) {
            result = "NO CHECKSUM (nothing to compare; computed " + outcome.hash->checksum + ")";
        } else if (*disk.checksum != outcome.hash->checksum) {
            result = "MISMATCH (expected " + *disk.checksum + ", got " + outcome.hash->checksum + ")";
        } else {
            result = "OK";
        }
    }

    size_t ok_count = 0;
    for (size_t i = 0; i < manifest.disks.size(); ++i) {
        std::cout << shown(manifest.disks[i].id) << ": " << shown(results[i]) << "\n";
        if (results[i] == "OK") ++ok_count;
    }
    const size_t failed = manifest.disks.size() - ok_count;
    std::cout << (failed == 0 ? "verified: all " + std::to_string(ok_count) + " disk(s) OK"
                              : "verification FAILED: " + std::to_string(failed) + " of " +
                                    std::to_string(manifest.disks.size()) + " disk(s) not OK")
              << std::endl;
    if (cancelled) std::cerr << "hyperexport: manifest verify: interrupted" << std::endl;
    return failed == 0 ? kExitOk : kExitFailure;
}

// ---------------------------------------------------------------- show

constexpr const char* kShowUsage =
    "Usage: hyperexport manifest show FILE [--no-file-check]\n\n"
    "Prints a summary of FILE (source, VM, disks, NICs, pipeline, output) and every\n"
    "validation error. Exit status 1 when FILE is not a valid manifest.\n";

std::string or_dash(const std::optional<std::string>& value) {
    return value ? shown(*value) : "-";
}

std::string on_off(const std::optional<bool>& value) {
    return value ? (*value ? "on" : "off") : "-";
}

std::string stage_text(bool present, bool enabled) {
    return present && enabled ? "on" : "off";
}

std::string human_size(int64_t bytes) {
    if (bytes < 0) return std::to_string(bytes) + " bytes";
    return format_bytes(static_cast<uint64_t>(bytes)) + " (" + std::to_string(bytes) + " bytes)";
}

void print_manifest(std::ostream& out, const fs::path& path, const Manifest& manifest) {
    out << "Artifact manifest " << path.string() << "\n";
    out << "  version:  " << manifest.manifest_version << "\n";
    if (manifest.source) {
        const auto& source = *manifest.source;
        out << "  source:   provider " << or_dash(source.provider) << ", vm " << or_dash(source.vm_name)
            << " (id " << or_dash(source.vm_id) << "), datacenter " << or_dash(source.datacenter)
            << ", exported " << or_dash(source.export_timestamp) << " via " << or_dash(source.export_method)
            << "\n";
    } else {
        out << "  source:   -\n";
    }
    if (manifest.vm) {
        const auto& vm = *manifest.vm;
        out << "  vm:       " << (vm.cpu ? std::to_string(*vm.cpu) : "-") << " CPU, "
            << (vm.mem_gb ? std::to_string(*vm.mem_gb) + " GB" : "- GB") << " memory, firmware "
            << or_dash(vm.firmware) << ", secure boot " << on_off(vm.secureboot) << ", os "
            << or_dash(vm.os_hint) << " " << or_dash(vm.os_version) << "\n";
    } else {
        out << "  vm:       -\n";
    }
    out << "Disks (" << manifest.disks.size() << "):\n";
    for (const ManifestDisk& disk : manifest.disks) {
        out << "  " << shown(disk.id) << "  " << shown(disk.source_format) << "  " << human_size(disk.bytes)
            << "  boot order " << (disk.boot_order_hint ? std::to_string(*disk.boot_order_hint) : "- (999)")
            << "  " << shown(disk.disk_type.value_or("unknown")) << "  "
            << shown(short_checksum(disk.checksum)) << "\n"
            << "      " << shown(disk.local_path) << "\n";
    }
    if (!manifest.nics.empty()) {
        out << "NICs (" << manifest.nics.size() << "):\n";
        for (const auto& nic : manifest.nics)
            out << "  " << or_dash(nic.id) << "  mac " << or_dash(nic.mac) << "  network "
                << or_dash(nic.network) << "\n";
    }
    const auto& pipeline = manifest.pipeline;
    out << "Pipeline: inspect "
        << stage_text(pipeline && pipeline->inspect,
                      pipeline && pipeline->inspect && pipeline->inspect->enabled)
        << ", fix "
        << stage_text(pipeline && pipeline->fix, pipeline && pipeline->fix && pipeline->fix->enabled)
        << ", convert "
        << stage_text(pipeline && pipeline->convert,
                      pipeline && pipeline->convert && pipeline->convert->enabled);
    if (pipeline && pipeline->convert && pipeline->convert->compress.value_or(false))
        out << " (compressed"
            << (pipeline->convert->compress_level
                    ? ", level " + std::to_string(*pipeline->convert->compress_level)
                    : "")
            << ")";
    out << ", validate "
        << stage_text(pipeline && pipeline->validate,
                      pipeline && pipeline->validate && pipeline->validate->enabled)
        << "\n";
    if (manifest.output) {
        out << "Output:   directory " << shown(manifest.output->directory.value_or("<manifest dir>/output"))
            << ", format " << shown(manifest.output->format.value_or("qcow2")) << "\n";
    } else {
        out << "Output:   directory <manifest dir>/output, format qcow2 (defaults)\n";
    }
    if (manifest.metadata)
        out << "Metadata: hypersdk " << or_dash(manifest.metadata->hypersdk_version) << ", job "
            << or_dash(manifest.metadata->job_id) << ", created " << or_dash(manifest.metadata->created_at)
            << "\n";
    for (const auto& note : manifest.notes) out << "Note:     " << shown(note) << "\n";
    for (const auto& warning : manifest.warnings)
        out << "Warning:  [" << shown(warning.stage) << "] " << shown(warning.message) << "\n";
}

int run_show(const GlobalOptions&, const std::vector<std::string>& args) {
    po::options_description options("Options");
    // clang-format off
    options.add_options()
        ("help,h", "show this help and exit")
        ("no-file-check", "do not require the disk files to exist (for a manifest from another machine)");
    // clang-format on
    po::variables_map values;
    if (int exit_code =
            parse_subcommand(args, options, &kManifestOperand, values, "manifest show", kShowUsage);
        exit_code >= 0)
        return exit_code;
    const fs::path manifest_path = values["file"].as<std::string>();

    const auto read = core::read_manifest_file(manifest_path);
    core::ValidationOptions validation;
    validation.check_files_exist = values.count("no-file-check") == 0;
    const auto issues = core::validate_read_result(read, validation);
    if (read.parsed) print_manifest(std::cout, manifest_path, read.manifest);
    if (issues.empty()) {
        std::cout << "Validation: OK" << std::endl;
        return kExitOk;
    }
    std::cout << std::flush;
    std::cerr << "Validation: " << issues.size() << " error(s)\n";
    print_issues(std::cerr, issues);
    return kExitFailure;
}

// ---------------------------------------------------------------- create

constexpr const char* kCreateUsage =
    "Usage: hyperexport manifest create --disk PATH[:FORMAT] [--disk ...] [OPTIONS]\n\n"
    "Builds an Artifact Manifest v1.0 from disk images that already exist. The first\n"
    "--disk is the boot disk (boot_order_hint 0). FORMAT is one of vmdk, qcow2, raw,\n"
    "vhd, vhdx, vdi; without it the format is read from the file's header. The\n"
    "manifest is validated before it is written and is never written invalid.\n\n"
    "Example:\n"
    "  hyperexport manifest create --disk /exports/web01/disk-0.vmdk --disk /exports/web01/data.raw:raw \\\n"
    "      --provider vsphere --vm-name web01 --checksum --output /exports/web01/artifact-manifest.json\n";

struct DiskSpec {
    fs::path path;
    std::string format;  // empty: detect
};

bool is_disk_format(std::string_view format) {
    return std::find(core::kDiskSourceFormats.begin(), core::kDiskSourceFormats.end(), format) !=
           core::kDiskSourceFormats.end();
}

// "PATH[:FORMAT]". A suffix that is not a format is part of the path when
// such a file exists (paths may contain ':'); otherwise it is a usage error.
std::optional<DiskSpec> parse_disk_spec(const std::string& text, std::string& error) {
    const size_t colon = text.rfind(':');
    if (colon != std::string::npos && colon > 0) {
        const std::string suffix = text.substr(colon + 1);
        if (is_disk_format(suffix)) return DiskSpec{text.substr(0, colon), suffix};
        std::error_code ignored;
        if (suffix.find('/') == std::string::npos && !fs::exists(text, ignored)) {
            error = "--disk " + text + ": unknown format '" + suffix +
                    "' (use vmdk, qcow2, raw, vhd, vhdx or vdi)";
            return std::nullopt;
        }
    }
    if (text.empty()) {
        error = "--disk needs a path";
        return std::nullopt;
    }
    return DiskSpec{text, ""};
}

int run_create(const GlobalOptions& global, const std::vector<std::string>& args) {
    po::options_description options("Options");
    std::vector<std::string> disk_texts;
    std::string provider, vm_name, target_format = "qcow2", output = std::string(core::kManifestFileName),
                                   output_dir;
    unsigned jobs = 0;
    // clang-format off
    options.add_options()
        ("help,h", "show this help and exit")
        ("disk", po::value<std::vector<std::string>>(&disk_texts)->required()->value_name("PATH[:FORMAT]"),
         "a disk image (repeatable; the first is the boot disk)")
        ("provider", po::value<std::string>(&provider)->value_name("P"),
         "source.provider (vsphere, aws, azure, gcp, ...)")
        ("vm-name", po::value<std::string>(&vm_name)->value_name("N"), "source.vm_name")
        ("target-format", po::value<std::string>(&target_format)->value_name("F"),
         "output.format: qcow2 (default), raw or vdi")
        ("checksum", "compute the SHA-256 of every disk (in parallel) and record it")
        ("jobs,j", po::value<unsigned>(&jobs)->value_name("N"), "hash at most N disks at once (default: one per CPU)")
        ("output,o", po::value<std::string>(&output)->value_name("FILE"),
         "where to write the manifest (default: ./artifact-manifest.json)")
        ("output-dir", po::value<std::string>(&output_dir)->value_name("DIR"),
         "output.directory: where hyper2kvm writes converted disks (default: <manifest dir>/output)")
        ("force", "overwrite FILE if it exists");
    // clang-format on
    po::variables_map values;
    if (int exit_code = parse_subcommand(args, options, nullptr, values, "manifest create", kCreateUsage);
        exit_code >= 0)
        return exit_code;
    if (std::find(core::kOutputFormats.begin(), core::kOutputFormats.end(), target_format) ==
        core::kOutputFormats.end())
        return usage_error("--target-format '" + target_format + "' is not one of qcow2, raw, vdi",
                           "manifest create");

    std::vector<DiskSpec> specs;
    for (const std::string& text : disk_texts) {
        std::string error;
        auto spec = parse_disk_spec(text, error);
        if (!spec) return usage_error(error, "manifest create");
        specs.push_back(std::move(*spec));
    }

    const fs::path output_path = fs::absolute(output).lexically_normal();
    std::error_code exists_error;
    if (fs::exists(output_path, exists_error) && values.count("force") == 0)
        return failure(output_path.string() + " already exists; use --force to overwrite it");

    Manifest manifest;
    std::vector<fs::path> paths;
    std::vector<std::string> labels;
    std::vector<uint64_t> sizes;
    for (size_t i = 0; i < specs.size(); ++i) {
        const fs::path path = fs::absolute(specs[i].path).lexically_normal();
        std::error_code error;
        const auto status = fs::status(path, error);
        if (!fs::exists(status)) return failure("disk image not found: " + path.string());
        if (fs::is_directory(status)) return failure("not a disk image (a directory): " + path.string());
        const uintmax_t size = fs::file_size(path, error);
        if (error) return failure("cannot read the size of " + path.string() + ": " + error.message());

        ManifestDisk disk;
        disk.id = "disk-" + std::to_string(i);
        try {
            disk.source_format = specs[i].format.empty() ? core::detect_disk_format(path) : specs[i].format;
        } catch (const std::system_error& probe_error) {
            return failure(probe_error.what());
        }
        disk.bytes = static_cast<int64_t>(size);
        disk.local_path = path.string();
        disk.label = path.filename().string();
        disk.boot_order_hint = static_cast<int64_t>(i);
        disk.disk_type = i == 0 ? "boot" : "data";
        manifest.disks.push_back(std::move(disk));
        paths.push_back(path);
        labels.push_back(manifest.disks.back().id);
        sizes.push_back(size);
    }

    if (!provider.empty() || !vm_name.empty()) {
        manifest.source.emplace();
        if (!provider.empty()) manifest.source->provider = provider;
        if (!vm_name.empty()) manifest.source->vm_name = vm_name;
    }
    manifest.metadata.emplace();
    manifest.metadata->hypersdk_version = HYPERSDK_VERSION_STRING;
    manifest.metadata->created_at = core::rfc3339_utc_now();
    manifest.pipeline.emplace();
    manifest.pipeline->convert.emplace().enabled = true;
    manifest.pipeline->validate.emplace().enabled = true;
    manifest.output.emplace();
    manifest.output->format = target_format;
    if (!output_dir.empty())
        manifest.output->directory = fs::absolute(output_dir).lexically_normal().string();

    // Checked before hashing, so a typo costs no time.
    if (auto issues = core::validate_manifest(manifest); !issues.empty()) {
        std::cerr << "hyperexport: the manifest would be invalid; nothing written:\n";
        print_issues(std::cerr, issues);
        return kExitFailure;
    }

    if (values.count("checksum")) {
        const auto outcomes = hash_with_progress(paths, labels, sizes, jobs, global);
        for (size_t i = 0; i < outcomes.size(); ++i) {
            if (!outcomes[i].ok())
                return failure("cannot hash " + paths[i].string() + ": " + outcomes[i].error);
            manifest.disks[i].checksum = outcomes[i].hash->checksum;
        }
    }

    try {
        core::write_manifest_file(manifest, output_path);
    } catch (const core::InvalidManifestError& error) {
        std::cerr << "hyperexport: the manifest would be invalid; nothing written:\n";
        print_issues(std::cerr, error.issues());
        return kExitFailure;
    } catch (const std::exception& error) {
        return failure(error.what());
    }
    std::cout << "wrote " << output_path.string() << " (" << manifest.disks.size() << " disk(s)";
    for (const auto& disk : manifest.disks) std::cout << ", " << disk.id << " " << disk.source_format;
    std::cout << ")" << std::endl;
    return kExitOk;
}

// ---------------------------------------------------------------- dispatch

int run_manifest(const GlobalOptions& global, const std::vector<std::string>& args) {
    if (args.empty()) return usage_error("manifest: missing subcommand (verify, show or create)", "manifest");
    const std::string& subcommand = args.front();
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (subcommand == "--help" || subcommand == "-h" || subcommand == "help") {
        std::cout << kManifestHelp;
        return kExitOk;
    }
    if (subcommand == "verify") return run_verify(global, rest);
    if (subcommand == "show") return run_show(global, rest);
    if (subcommand == "create") return run_create(global, rest);
    return usage_error("manifest: unknown subcommand '" + subcommand + "'", "manifest");
}

}  // namespace

const bool registered = register_command(
    {"manifest", "verify, show or create an Artifact Manifest (artifact-manifest.json)", run_manifest, {}});

}  // namespace hypersdk::host
