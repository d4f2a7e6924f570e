// Where plugins are looked for, in order (earlier directories win when two
// plugins share an id):
//   1. each --plugin-dir given on the command line;
//   2. HYPERSDK_PLUGIN_PATH, colon-separated;
//   3. <directory of the running executable>/../lib/hypersdk/plugins (the
//      build tree and relocatable installs);
//   4. the compiled-in install directory (HYPERSDK_INSTALL_PLUGIN_DIR).
// Nonexistent directories are skipped later, by PluginRegistry::discover,
// which also refuses directories and files other users could change
// (plugin_path_trust.hpp). A relative HYPERSDK_PLUGIN_PATH entry is refused
// here: it would name a different directory in every working directory, as
// the dynamic loader's LD_LIBRARY_PATH does. A relative --plugin-dir is typed
// by the user for this one command, so it is kept.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hypersdk::core {

struct PluginSearchOptions {
    // --plugin-dir values, in the order given.
    std::vector<std::string> explicit_dirs;
    // HYPERSDK_PLUGIN_PATH; nullopt reads the process environment.
    std::optional<std::string> plugin_path_env;
    // false drops 3. and 4. (hyperexport --no-default-plugin-dirs), so tests
    // and scripts can see exactly the plugins they point at.
    bool include_default_dirs = true;
};

// A search path entry that is not searched, and why (says what to do).
struct RefusedSearchDir {
    std::filesystem::path path;
    std::string reason;
};

struct PluginSearchDirs {
    std::vector<std::filesystem::path> dirs;  // ordered, lexically de-duplicated
    std::vector<RefusedSearchDir> refused;    // in the order met
};

PluginSearchDirs resolve_plugin_search_dirs(const PluginSearchOptions& options);

// resolve_plugin_search_dirs(options).dirs.
std::vector<std::filesystem::path> plugin_search_dirs(const PluginSearchOptions& options);

// Splits "a:b::c" into {a, b, c}; empty elements are dropped.
std::vector<std::filesystem::path> split_search_path(std::string_view list);

// <dir of /proc/self/exe>/../lib/hypersdk/plugins, normalised; nullopt if the
// executable's location cannot be read.
std::optional<std::filesystem::path> executable_relative_plugin_dir();

// The compiled-in install directory.
std::filesystem::path installed_plugin_dir();

}  // namespace hypersdk::core
