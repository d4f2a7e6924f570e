#include "hypersdk/core/plugin_registry.hpp"

#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <system_error>

#include "hypersdk/core/plugin_path_trust.hpp"
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

// The flags a plugin's options occupy: a provider's plainly, a converter's
// behind its name. `kinds` selects which (a plugin may be both).
std::vector<std::string> occupied_flags(const LoadedPlugin& plugin, uint32_t kinds) {
    std::vector<std::string> flags;
    if (const ProviderBackend* provider = plugin.provider_backend();
        provider != nullptr && (kinds & HYPERSDK_PLUGIN_KIND_PROVIDER))
        for (const auto& option : provider->capabilities().options)
            for (auto& flag : option_flag_names(option)) flags.push_back(std::move(flag));
    if (const ConverterBackend* converter = plugin.converter_backend();
        converter != nullptr && (kinds & HYPERSDK_PLUGIN_KIND_CONVERTER))
        for (const auto& option : converter->capabilities().options)
            for (auto& flag : option_flag_names(option, converter->name())) flags.push_back(std::move(flag));
    return flags;
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

void PluginRegistry::discover(const PluginSearchOptions& options) {
    PluginSearchDirs search = resolve_plugin_search_dirs(options);
    for (RefusedSearchDir& refused : search.refused)
        refuse(refused.path, std::move(refused.reason), Refused::directory);
    discover(search.dirs);
}

void PluginRegistry::refuse(const fs::path& path, std::string reason, Refused what) {
    // A second discover() meets the same refusals: list each path once.
    for (const PluginLoadError& known : load_errors_)
        if (known.path == path) return;
    // The reason may quote the plugin's own strings (its id, its name).
    if (what == Refused::directory)
        spdlog::warn("plugin directory {} not searched: {}", escape_for_terminal(path.string()),
                     escape_for_terminal(reason));
    else
        spdlog::warn("plugin {} not loaded: {}", escape_for_terminal(path.string()), escape_for_terminal(reason));
    load_errors_.push_back({path, std::move(reason)});
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
        if (auto reason = untrusted_plugin_dir_reason(dir)) {
            refuse(dir, std::move(*reason), Refused::directory);
            continue;
        }
        searched_dirs_.push_back(dir);
        spdlog::debug("looking for plugins in {}", dir.string());
        for (const fs::path& file : plugin_files_in(dir)) load_file(file);
    }
}

void PluginRegistry::load_file(const fs::path& file) {
    const fs::path canonical = canonical_or_self(file);
    if (std::find(seen_files_.begin(), seen_files_.end(), canonical) != seen_files_.end()) return;
    seen_files_.push_back(canonical);
    if (auto reason = untrusted_plugin_file_reason(file)) {
        refuse(file, std::move(*reason), Refused::file);
        return;
    }

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
        refuse(file, std::move(error), Refused::file);
        return;
    }
    if (std::string clash = flag_clash(*plugin); !clash.empty()) {
        spdlog::warn("plugin {} not loaded: {}", file.string(), clash);
        load_errors_.push_back({file, std::move(clash)});
        return;  // unloading calls its deinit
    }
    spdlog::debug("loaded plugin {} {} (ABI {}.{}) from {}", plugin->id(), plugin->descriptor().version,
                  plugin->abi_major(), plugin->abi_minor(), plugin->path().string());
    plugins_.push_back(std::move(plugin));
}

std::string PluginRegistry::flag_clash(const LoadedPlugin& candidate) const {
    constexpr uint32_t kBoth = HYPERSDK_PLUGIN_KIND_PROVIDER | HYPERSDK_PLUGIN_KIND_CONVERTER;
    for (const std::string& flag : occupied_flags(candidate, kBoth)) {
        if (reserved_flags_.count(flag))
            return fmt::format(
                "its option would be offered as --{}, which is a hyperexport flag: rename the option", flag);
    }
    // Provider flags are offered beside every converter's; converters' beside
    // each other's. Two providers are never offered together.
    for (const auto& loaded : plugins_) {
        const auto against = [&](uint32_t mine, uint32_t theirs) -> std::string {
            const auto other_flags = occupied_flags(*loaded, theirs);
            for (const std::string& flag : occupied_flags(candidate, mine))
                if (std::find(other_flags.begin(), other_flags.end(), flag) != other_flags.end())
                    return fmt::format(
                        "its option would be offered as --{}, which plugin {} already offers: "
                        "rename the option",
                        flag, loaded->id());
            return {};
        };
        for (const std::string& clash :
             {against(HYPERSDK_PLUGIN_KIND_PROVIDER, HYPERSDK_PLUGIN_KIND_CONVERTER),
              against(HYPERSDK_PLUGIN_KIND_CONVERTER, kBoth)})
            if (!clash.empty()) return clash;
    }
    return {};
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
