// What a conversion will write, checked by the host before any converter
// runs (whichever converter it is). The contract (docs/converter-json.md):
// a converter writes "<output directory>/<disk id>.<target format>" through
// "<that>.part", and its report at options.report.path (relative to the
// output directory) or "<output directory>/report.json".
//   * No output, or its .part, may be a source disk, a hard link to one or a
//     symlink to one: compared by (st_dev, st_ino), never by name. Always
//     refused, --force or not: the conversion would destroy its own input.
//   * An existing file at an output or report path is replaced only when it
//     is an earlier output of the same job (the same manifest file, and for a
//     disk the same source disk), as the output record kept in the output
//     directory says, or with --force. Files a converter reports besides
//     (artifacts) are recorded too, and offered back to it as replaceable.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "hypersdk/core/manifest.hpp"

namespace hypersdk::core {

// The host's record of what conversions wrote, in the output directory.
// Sink file names may not take this name (file_sink.cpp).
inline constexpr std::string_view kConversionRecordFileName = ".hyperexport-outputs.json";

struct ConversionOutput {
    std::filesystem::path path;
    std::string source;  // the disk's local_path it is made from; "" for the report
};

struct ConversionOutputs {
    std::filesystem::path directory;      // absolute
    std::vector<ConversionOutput> disks;  // one per disk and possible target format
    std::filesystem::path report;         // empty when options.report.enabled is false
};

// Where the converter will write for `manifest` (read from `manifest_path`).
// `target_format` is the job's; the manifest's own output.format is
// included too when it differs, because a converter may follow it.
ConversionOutputs conversion_outputs(const Manifest& manifest, const std::filesystem::path& manifest_path,
                                     const std::string& target_format);

// Empty when the job may run, else one message naming each clashing path
// (and the source it would overwrite) and what to do.
std::string check_conversion_outputs(const Manifest& manifest, const std::filesystem::path& manifest_path,
                                     const ConversionOutputs& outputs, bool force);

// After the converter ran (whatever its outcome): the outputs that now exist
// are recorded as this job's, so running the same job again may replace them;
// so are the `artifacts` the converter reported (ConversionResult artifacts[],
// e.g. virt-v2v's domain XML), when they lie directly in the output directory.
// Best effort: returns a warning when the record cannot be written, else "".
std::string record_conversion_outputs(const std::filesystem::path& manifest_path,
                                      const ConversionOutputs& outputs, mode_t file_mode,
                                      const std::vector<std::filesystem::path>& artifacts = {});

// The files the record says this job wrote before and that are unchanged
// since (same device, inode and inode change time, not followed through a
// symlink): planned
// outputs and recorded artifacts alike. The host gives them to the converter
// (convert option "replaceable"), which may replace them without --force.
std::vector<std::filesystem::path> replaceable_outputs(const std::filesystem::path& manifest_path,
                                                       const ConversionOutputs& outputs);

}  // namespace hypersdk::core
