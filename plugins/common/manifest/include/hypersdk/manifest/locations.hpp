// Where a manifest's conversion writes, by hyper2kvm's rules: the output
// directory (output.directory, relative to the manifest's directory, or
// <manifest dir>/output) and report.json (options.report.path, relative to the
// output directory, or <output dir>/report.json). The validator guarantees
// that neither path holds ".." and that the report lands inside the output
// directory.
#pragma once

#include "hypersdk/manifest/model.hpp"

#include <filesystem>
#include <string_view>

namespace hypersdk::manifest {

// `output_directory` as written in the manifest, "" when absent.
std::filesystem::path resolve_output_directory(std::string_view output_directory,
                                               const std::filesystem::path& manifest_directory);

// `report_path` as written in the manifest, "" when absent.
std::filesystem::path resolve_report_path(std::string_view report_path,
                                          const std::filesystem::path& output_directory);

std::filesystem::path output_directory_of(const Manifest& manifest,
                                          const std::filesystem::path& manifest_directory);
std::filesystem::path report_path_of(const Manifest& manifest,
                                     const std::filesystem::path& manifest_directory);

}  // namespace hypersdk::manifest
