// The set of plugins this process loaded. discover() walks the plugin
// directories in order, loads every "*.so" (sorted by name within a
// directory) and keeps the ones that pass every check; each refused file is
// logged at warn level and kept in load_errors(). One bad plugin never stops
// the others. Plugins are unloaded (deinit, then dlclose) in reverse load
// order when the registry is destroyed. Not thread-safe: discover on the main
// thread, then share the registry read-only. Directories and files that other
// users could change are refused as well (plugin_path_trust.hpp), and so are
// relative HYPERSDK_PLUGIN_PATH entries: each shows in load_errors() with the
// reason.
#pragma once

#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "hypersdk/core/plugin_loader.hpp"
#include "hypersdk/core/plugin_paths.hpp"

namespace hypersdk::core {

// A file in a plugin directory that was not loaded, and why (one line that
// says what to do; the path is not repeated in it).
struct PluginLoadError {
    std::filesystem::path path;
    std::string message;
};

class PluginRegistry {
public:
    PluginRegistry() = default;
    PluginRegistry(const PluginRegistry&) = delete;
    PluginRegistry& operator=(const PluginRegistry&) = delete;
    ~PluginRegistry();

    // The host's own flag names (without "--"). A plugin whose declared
    // options would occupy one of them (plugin_options.hpp: option_flag_names),
    // or a flag of an already loaded plugin it could be offered beside, is
    // refused and listed in load_errors(). Set before discover().
    void reserve_flags(std::set<std::string> names) { reserved_flags_ = std::move(names); }

    // Loads the plugins of each directory in turn. Nonexistent directories
    // and repeats (by canonical path) are skipped silently; a directory or
    // file others could change is refused (logged, kept in load_errors()).
    // When two plugins
    // share an id, the first one found wins. May be called more than once;
    // a file already loaded is not loaded twice.
    void discover(const std::vector<std::filesystem::path>& dirs);

    // resolve_plugin_search_dirs(options): its refused entries go to
    // load_errors(), its directories to discover().
    void discover(const PluginSearchOptions& options);

    // The directories the last discover() actually searched (existing ones).
    const std::vector<std::filesystem::path>& searched_dirs() const { return searched_dirs_; }

    // Loaded plugins in load order.
    std::vector<const LoadedPlugin*> plugins() const;
    const LoadedPlugin* find(std::string_view id) const;
    // Loaded plugins of one kind, in load order.
    std::vector<const LoadedPlugin*> providers() const;
    std::vector<const LoadedPlugin*> converters() const;

    const std::vector<PluginLoadError>& load_errors() const { return load_errors_; }

private:
    void load_file(const std::filesystem::path& file);
    // Why the candidate's option flags cannot be offered, or "".
    std::string flag_clash(const LoadedPlugin& candidate) const;
    enum class Refused { directory, file };
    void refuse(const std::filesystem::path& path, std::string reason, Refused what);

    std::vector<std::unique_ptr<LoadedPlugin>> plugins_;
    std::vector<PluginLoadError> load_errors_;
    std::vector<std::filesystem::path> searched_dirs_;
    std::vector<std::filesystem::path> seen_files_;  // canonical
    std::set<std::string> reserved_flags_;
};

}  // namespace hypersdk::core
