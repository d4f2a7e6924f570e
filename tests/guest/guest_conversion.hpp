// What the boot tests share besides booting: running the real hyperexport
// with only the build tree's plugins, finding a conversion's boot disk the way
// a user would (hyperexport --json -> report.json -> artifacts[]), and
// qemu-img/qemu-io for making and breaking test copies of the guest.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "process.hpp"

namespace hypersdk::test {

std::string read_text(const std::filesystem::path& path);

// The real hyperexport, hermetic: --no-default-plugin-dirs + the build's plugin dir.
ProcessResult run_hyperexport(std::vector<std::string> args, ProcessOptions options);

// A qemu-img or qemu-io run that must succeed (a failed one fails the test: ASSERT in the caller).
ProcessResult run_qemu_tool(const std::string& tool, const std::vector<std::string>& args);

struct ConvertedBootDisk {
    std::filesystem::path path;
    std::string format;  // as the report gives it: "qcow2", "raw"
    std::string error;   // why it could not be found, when path is empty
};

// `hyperexport ... --json` printed a ConversionResult (convert) or an export
// result whose "conversion" member is one; its report_path names report.json,
// whose artifacts[] of type converted_disk with the lowest boot_order_hint is
// the boot disk.
ConvertedBootDisk boot_disk_of_conversion(const std::string& json_stdout);

// The value of a string member at a dotted path of a JSON file ("vm.firmware",
// "pipeline.success"), "" when absent; booleans as "true"/"false".
std::string json_member(const std::filesystem::path& file, const std::string& dotted_path);

// A qcow2 overlay over `base` (its writes never reach the cached guest).
void make_overlay(const std::filesystem::path& base, const std::string& base_format,
                  const std::filesystem::path& overlay);

}  // namespace hypersdk::test
