// VALIDATE done by the host: when the chosen converter cannot check its own
// output (no "validation" capability), hyperexport runs `qemu-img check` on
// every converted image itself, so that no converter is excluded for lacking
// the stage and no image goes unchecked. The result is recorded in the
// ConversionOutcome and in the converter's report.json ("host_validation").
#pragma once

#include <string>
#include <vector>

#include "hypersdk/core/job.hpp"

namespace hypersdk::core {

struct ImageCheck {
    std::string file;
    bool passed = false;
    // "no errors", "no errors; 3 leaked clusters (space only)", "2 corruptions
    // found", or the tool's error line.
    std::string detail;
};

// The qemu-img to run: $PATH, then the usual system directories. Empty when
// there is none.
std::string find_image_checker();

// Checks each file with `qemu-img check -f FORMAT --output=json` (for raw,
// which has no metadata to check, `qemu-img info -f raw` proves it opens).
// `environment_unset` is removed from the tool's environment, besides every
// provider credential variable. Stops early when the job is cancelled (the
// unchecked files are reported as not checked).
std::vector<ImageCheck> check_images(const std::string& qemu_img, const std::string& format,
                                     const std::vector<std::string>& files,
                                     const std::vector<std::string>& environment_unset, Job& job);

// Adds {"host_validation": {"tool": "qemu-img check", "images": [...]}} to the
// JSON object in `report_path`, replacing the file atomically (same mode).
// Returns "" on success, otherwise why not (the caller warns).
std::string record_image_checks(const std::string& report_path, const std::vector<ImageCheck>& checks);

}  // namespace hypersdk::core
