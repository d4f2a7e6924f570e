#include "hypersdk/manifest/locations.hpp"

namespace hypersdk::manifest {

namespace fs = std::filesystem;

fs::path resolve_output_directory(std::string_view output_directory, const fs::path& manifest_directory) {
    if (output_directory.empty()) return (manifest_directory / "output").lexically_normal();
    const fs::path out(output_directory);
    return (out.is_absolute() ? out : manifest_directory / out).lexically_normal();
}

fs::path resolve_report_path(std::string_view report_path, const fs::path& output_directory) {
    if (report_path.empty()) return output_directory / "report.json";
    const fs::path report(report_path);
    return (report.is_absolute() ? report : output_directory / report).lexically_normal();
}

fs::path output_directory_of(const Manifest& manifest, const fs::path& manifest_directory) {
    const bool given = manifest.output && manifest.output->directory;
    return resolve_output_directory(
        given ? std::string_view(*manifest.output->directory) : std::string_view(), manifest_directory);
}

fs::path report_path_of(const Manifest& manifest, const fs::path& manifest_directory) {
    const bool given = manifest.options && manifest.options->report && manifest.options->report->path;
    return resolve_report_path(given ? std::string_view(*manifest.options->report->path) : std::string_view(),
                               output_directory_of(manifest, manifest_directory));
}

}  // namespace hypersdk::manifest
