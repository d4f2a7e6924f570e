#include "hypersdk/core/plugin_registry.hpp"

#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <system_error>

#include "hypersdk/core/terminal_text.hpp"

namespace hypersdk::core {

namespace fs = std::filesystem;

namespace {

// Regular files (or links to them) named "*.so" directly in dir, sorted.
std::vector<fs::path> plugin_files_in(const fs::path& dir) {
    std::vector<fs::path> files;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const fs::path& file = it->path();
        if (file.extension() != ".so") continue;
        std::error_code status_ec;
        if (!fs::is_regular_file(file, status_ec)) continue;
        files.push_back(file);
    }
    std::sort(files.begin(), files.end());
    return files;
}

fs::path canonical_or_self(const fs::path& path) {
    std::error_code ec;
    fs::path canonical = fs::canonical(path, ec);
    return ec ? path.lexically_normal() : canonical;
}

}  // namespace

PluginRegistry::~PluginRegistry() {
    // deinit in reverse load order: a later plugin may rely on an earlier one.
    while (!plugins_.empty()) plugins_.pop_back();
}

void PluginRegistry::discover(const std::vector<fs::path>& dirs) {
    searched_dirs_.clear();
    std::vector<fs::path> seen_dirs;
    for (const fs::path& dir : dirs) {
        std::error_code ec;
        if (dir.empty() || !fs::is_directory(dir, ec)) {
            spdlog::debug("plugin directory {} does not exist, skipped", dir.string());
            continue;
        }
        const fs::path canonical = canonical_or_self(dir);
        if (std::find(seen_dirs.begin(), seen_dirs.end(), canonical) != seen_dirs.end()) continue;
        seen_dirs.push_back(canonical);
        searched_dirs_.push_back(dir);
        spdlog::debug("looking for plugins in {}", dir.string());
        for (const fs::path& file : plugin_files_in(dir)) load_file(file);
    }
}

void PluginRegistry::load_file(const fs::path& file) {
    const fs::path canonical = canonical_or_self(file);
    if (std::find(seen_files_.begin(), seen_files_.end(), canonical) != seen_files_.end()) return;
    seen_files_.push_back(canonical);

    auto refuse_duplicate = [this](const LoadedPlugin& candidate) -> std::string {
        if (const LoadedPlugin* first = find(candidate.id())) {
            return fmt::format("plugin id '{}' is already provided by {}: remove one of the two files",
                               candidate.id(), first->path().string());
        }
        return {};
    };
    std::string error;
    std::unique_ptr<LoadedPlugin> plugin = PluginLoader::load(file, refuse_duplicate, error);
    if (!plugin) {
        // The error may quote the plugin's own strings (its id, its name).
        spdlog::warn("plugin {} not loaded: {}", escape_for_terminal(file.string()),
                     escape_for_terminal(error));
        load_errors_.push_back({file, std::move(error)});
        return;
    }
    spdlog::debug("loaded plugin {} {} (ABI {}.{}) from {}", plugin->id(), plugin->descriptor().version,
                  plugin->abi_major(), plugin->abi_minor(), plugin->path().string());
    plugins_.push_back(std::move(plugin));
}

std::vector<const LoadedPlugin*> PluginRegistry::plugins() const {
    std::vector<const LoadedPlugin*> all;
    for (const auto& plugin : plugins_) all.push_back(plugin.get());
    return all;
}

const LoadedPlugin* PluginRegistry::find(std::string_view id) const {
    for (const auto& plugin : plugins_) {
        if (plugin->id() == id) return plugin.get();
    }
    return nullptr;
}

std::vector<const LoadedPlugin*> PluginRegistry::providers() const {
    std::vector<const LoadedPlugin*> found;
    for (const auto& plugin : plugins_) {
        if (plugin->provider() != nullptr) found.push_back(plugin.get());
    }
    return found;
}

std::vector<const LoadedPlugin*> PluginRegistry::converters() const {
    std::vector<const LoadedPlugin*> found;
    for (const auto& plugin : plugins_) {
        if (plugin->converter() != nullptr) found.push_back(plugin.get());
    }
    return found;
}

}  // namespace hypersdk::core
