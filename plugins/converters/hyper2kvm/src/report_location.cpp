#include "report_location.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

namespace hypersdk::hyper2kvm {

std::vector<std::string> report_candidates(const plugin_common::Manifest& manifest) {
    std::vector<std::string> candidates;
    auto add = [&](const std::string& path) {
        if (std::find(candidates.begin(), candidates.end(), path) == candidates.end())
            candidates.push_back(path);
    };
    add(manifest.effective_report_path());
    add((std::filesystem::path(manifest.effective_output_directory()) / "report.json").string());
    add((std::filesystem::path(manifest.directory) / "report.json").string());
    return candidates;
}

std::optional<std::string> find_fresh_report(const std::vector<std::string>& candidates,
                                             std::chrono::system_clock::time_point since) {
    // One second of slack for file systems with coarse timestamps.
    const auto cutoff = since - std::chrono::seconds(1);
    for (const auto& path : candidates) {
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
        const auto mtime = std::chrono::system_clock::time_point(
            std::chrono::duration_cast<std::chrono::system_clock::duration>(
                std::chrono::seconds(st.st_mtim.tv_sec) + std::chrono::nanoseconds(st.st_mtim.tv_nsec)));
        if (mtime >= cutoff) return path;
    }
    return std::nullopt;
}

}  // namespace hypersdk::hyper2kvm
