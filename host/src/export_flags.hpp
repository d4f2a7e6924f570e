// The flags of `hyperexport export` that the host owns (the provider's and
// the converters' own options come from their tables, plugin_flags.hpp), and
// how a profile fills in what the command line did not say.
#pragma once

#include <hypersdk/core/export_profile.hpp>

#include <boost/program_options.hpp>

#include <optional>
#include <string>
#include <vector>

namespace hypersdk::host {

struct ExportFlags {
    std::string provider;
    std::string vm;
    std::string output;
    std::string format;  // empty: the provider's first export format
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
    bool compress = false;
    bool fix = true;
    std::string target_format = "qcow2";
    bool power_off = false;
    bool dry_run = false;
    bool quiet = false;
    bool json = false;
};

// Exit codes of export (docs/hyperexport.md#exit-codes).
inline constexpr int kExitVerifyFailed = 3;  // the manifest exists; a disk differs from what was downloaded
inline constexpr int kExitConversionFailed = 4;  // the export and manifest are complete; conversion failed
inline constexpr int kExitPackageFailed = 5;  // the export and manifest are complete; the OVA was not packed

// The host's export options: the general section and the conversion section.
boost::program_options::options_description export_host_options(ExportFlags& flags);

// Profile values fill in what the command line did not say. Returns a usage
// problem, or nullopt.
std::optional<std::string> apply_export_profile(const boost::program_options::variables_map& values,
                                                ExportFlags& flags, const core::ExportProfile& profile);

// Checks the flags that need no plugin; a usage problem, or nullopt.
std::optional<std::string> check_export_flags(const ExportFlags& flags);

}  // namespace hypersdk::host
