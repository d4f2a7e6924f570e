#include "hypersdk/core/plugin_paths.hpp"

#include <algorithm>
#include <cstdlib>
#include <system_error>

#ifndef HYPERSDK_INSTALL_PLUGIN_DIR
#error "core/CMakeLists.txt defines HYPERSDK_INSTALL_PLUGIN_DIR"
#endif

namespace hypersdk::core {

namespace fs = std::filesystem;

std::vector<fs::path> split_search_path(std::string_view list) {
    std::vector<fs::path> dirs;
    while (!list.empty()) {
        const size_t colon = list.find(':');
        const std::string_view element = list.substr(0, colon);
        if (!element.empty()) dirs.emplace_back(element);
        if (colon == std::string_view::npos) break;
        list.remove_prefix(colon + 1);
    }
    return dirs;
}

std::optional<fs::path> executable_relative_plugin_dir() {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (ec || exe.empty()) return std::nullopt;
    return (exe.parent_path() / ".." / "lib" / "hypersdk" / "plugins").lexically_normal();
}

fs::path installed_plugin_dir() {
    return fs::path(HYPERSDK_INSTALL_PLUGIN_DIR);
}

PluginSearchDirs resolve_plugin_search_dirs(const PluginSearchOptions& options) {
    PluginSearchDirs result;
    std::vector<fs::path>& dirs = result.dirs;
    auto add = [&dirs](const fs::path& dir) {
        if (dir.empty()) return;
        const fs::path normal = dir.lexically_normal();
        if (std::find(dirs.begin(), dirs.end(), normal) == dirs.end()) dirs.push_back(normal);
    };
    for (const auto& dir : options.explicit_dirs) add(dir);

    std::string env_value;
    if (options.plugin_path_env) {
        env_value = *options.plugin_path_env;
    } else if (const char* env = std::getenv("HYPERSDK_PLUGIN_PATH"); env != nullptr) {
        env_value = env;
    }
    for (const auto& dir : split_search_path(env_value)) {
        if (dir.is_relative()) {
            result.refused.push_back(
                {dir,
                 "a relative HYPERSDK_PLUGIN_PATH entry depends on the current directory, so it is not "
                 "searched: use an absolute path"});
            continue;
        }
        add(dir);
    }

    if (options.include_default_dirs) {
        if (auto relative = executable_relative_plugin_dir()) add(*relative);
        add(installed_plugin_dir());
    }
    return result;
}

std::vector<fs::path> plugin_search_dirs(const PluginSearchOptions& options) {
    return resolve_plugin_search_dirs(options).dirs;
}

}  // namespace hypersdk::core
