#include "export_flags.hpp"

#include <hypersdk/core/duration.hpp>

namespace hypersdk::host {
namespace {

namespace po = boost::program_options;

const char* const kUsage =
    "Usage: hyperexport [export] --provider P --vm NAME --output DIR [options]\n"
    "\n"
    "Export a VM through its provider plugin: every disk (and the descriptor, e.g.\n"
    "the OVF) is written as NAME.part, hashed while it downloads, and renamed when\n"
    "complete; then artifact-manifest.json is written and validated. With --convert\n"
    "the manifest goes to the best converter plugin (see 'hyperexport convert').\n"
    "An interrupted export (Ctrl-C, SIGTERM, SIGHUP, network) leaves the .part files:\n"
    "run the same command again to resume.\n"
    "Exit codes: 0 ok; 1 export failed or cancelled (no manifest written); 2 usage\n"
    "error; 3 manifest written, but --verify-manifest found a disk that differs (or\n"
    "was cancelled); 4 export\n"
    "and manifest complete, conversion failed or cancelled; 5 export and manifest\n"
    "complete, the OVA could not be packed.\n"
    "The provider's own options (endpoint, credentials, region, ...) are listed by\n"
    "'hyperexport export --provider NAME --help'.\n"
    "\n"
    "Export";

bool given(const po::variables_map& values, const char* name) {
    return values.count(name) && !values[name].defaulted();
}

}  // namespace

po::options_description export_host_options(ExportFlags& flags) {
    po::options_description options(kUsage, 100);
    // clang-format off
    options.add_options()
        ("help,h", "show this help (with --provider P: also the provider's options)")
        ("provider", po::value(&flags.provider)->value_name("P"),
         "the provider plugin's name, e.g. vsphere (see 'hyperexport plugins list')")
        ("vm", po::value(&flags.vm)->value_name("NAME"), "the VM: name, inventory path or platform id")
        ("instance", po::value<std::string>()->value_name("ID"), "the same as --vm (the clouds' word)")
        ("output", po::value(&flags.output)->value_name("DIR"), "output directory (created if missing)")
        ("format", po::value(&flags.format)->value_name("F"),
         "an export format the provider offers (plugins info shows them; default: its first); ova: also pack "
         "<vm>.ova (OVF first, then the disks) beside the loose files the manifest names")
        ("parallel", po::value(&flags.parallel)->value_name("N")->default_value(4), "disks downloaded at once (1-64)")
        ("direct-io", po::value(&flags.direct_io)->value_name("BOOL")->default_value(true)->implicit_value(true),
         "write disks with O_DIRECT where the filesystem has it (no page-cache copy or eviction); false: buffered")
        ("resume", po::value(&flags.resume)->value_name("BOOL")->default_value(true)->implicit_value(true),
         "continue a .part of an earlier run when its resume record shows the same source; false: always start over")
        ("group-readable", po::bool_switch(&flags.group_readable),
         "create files 0640 and new directories 0750 (default: 0600 and 0700)")
        ("power-off", po::value(&flags.power_off)->value_name("BOOL")->default_value(false)->implicit_value(true),
         "power a running VM off first (otherwise a running VM is refused, unless the provider copies "
         "running VMs from a snapshot)")
        ("manifest-checksum", po::value(&flags.manifest_checksum)->value_name("BOOL")->default_value(true)
             ->implicit_value(true), "put each disk's SHA-256 (taken while downloading) in the manifest")
        ("verify-manifest", po::value(&flags.verify_manifest)->value_name("BOOL")->default_value(false)
             ->implicit_value(true), "re-read every disk after the export and compare its SHA-256 (exit 3 if not)")
        ("profile", po::value(&flags.profile)->value_name("NAME"),
         "take defaults from ~/.hyperexport/profiles/NAME.json (flags given here win)")
        ("dry-run", po::bool_switch(&flags.dry_run), "describe the VM and print the plan; write nothing")
        ("json", po::bool_switch(&flags.json), "print the ExportResult (with the ConversionResult) as JSON")
        ("quiet,q", po::bool_switch(&flags.quiet), "print errors only");
    po::options_description conversion("Conversion", 100);
    conversion.add_options()
        ("convert", po::value(&flags.convert)->value_name("BOOL")->default_value(false)->implicit_value(true),
         "convert the exported disks into KVM-ready images")
        ("converter", po::value(&flags.converter)->value_name("ID"),
         "use this converter plugin (id or name) instead of the best match")
        ("target-format", po::value(&flags.target_format)->value_name("F")->default_value("qcow2"),
         "the manifest's output.format: qcow2, raw or vdi")
        ("fix", po::value(&flags.fix)->value_name("BOOL")->default_value(true)->implicit_value(true),
         "ask for INSPECT and FIX in the manifest (virtio drivers, initramfs, fstab, bootloader: what makes the "
         "guest boot on KVM), so --convert picks a converter that can fix the guest; false: format conversion "
         "only, and the summary says the guest was not fixed")
        ("compress", po::value(&flags.compress)->value_name("BOOL")->default_value(false)->implicit_value(true),
         "ask the converter to compress the output (the manifest's pipeline.convert.compress)")
        ("conversion-timeout", po::value(&flags.conversion_timeout)->value_name("D")->default_value("2h"),
         "stop the converter after D (e.g. 90m, 4h)")
        ("stream-conversion", po::value(&flags.stream_conversion)->value_name("BOOL")->default_value(true)
             ->implicit_value(true), "show the converter's output, prefixed with its name");
    // clang-format on
    options.add(conversion);
    return options;
}

std::optional<std::string> apply_export_profile(const po::variables_map& values, ExportFlags& flags,
                                                const core::ExportProfile& profile) {
    const auto fill = [&](const char* name, auto& field, const auto& value) {
        if (value && !given(values, name)) field = *value;
    };
    if (!given(values, "provider") && profile.provider) flags.provider = *profile.provider;
    fill("output", flags.output, profile.output);
    fill("format", flags.format, profile.format);
    fill("target-format", flags.target_format, profile.manifest_target_format);
    fill("converter", flags.converter, profile.converter);
    fill("conversion-timeout", flags.conversion_timeout, profile.conversion_timeout);
    fill("verify-manifest", flags.verify_manifest, profile.verify_manifest);
    fill("manifest-checksum", flags.manifest_checksum, profile.manifest_checksum);
    fill("convert", flags.convert, profile.auto_convert);
    fill("compress", flags.compress, profile.compress);
    fill("fix", flags.fix, profile.fix);
    fill("stream-conversion", flags.stream_conversion, profile.stream_conversion);
    fill("power-off", flags.power_off, profile.power_off);
    fill("parallel", flags.parallel, profile.parallel);
    if (profile.generate_manifest && !*profile.generate_manifest && flags.convert)
        return std::string("profile ") + profile.name +
               " says generate_manifest false, but --convert needs the manifest";
    return std::nullopt;
}

std::optional<std::string> check_export_flags(const ExportFlags& flags) {
    if (flags.provider.empty()) return "--provider is required (e.g. --provider vsphere)";
    if (flags.vm.empty()) return "--vm NAME (or --instance ID) is required";
    if (flags.output.empty() && !flags.dry_run) return "--output DIR is required";
    if (flags.parallel < 1 || flags.parallel > 64) return "--parallel must be 1-64";
    if (flags.target_format != "qcow2" && flags.target_format != "raw" && flags.target_format != "vdi")
        return "invalid --target-format '" + flags.target_format + "' (use qcow2, raw or vdi)";
    if (!core::parse_duration(flags.conversion_timeout))
        return "invalid --conversion-timeout '" + flags.conversion_timeout + "' (use e.g. 45m, 2h, 4h30m)";
    return std::nullopt;
}

}  // namespace hypersdk::host
