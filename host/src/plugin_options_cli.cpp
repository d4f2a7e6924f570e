#include "plugin_options_cli.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

namespace hypersdk::host {
namespace {

std::string underscored(std::string text) {
    std::replace(text.begin(), text.end(), '-', '_');
    return text;
}

// The flat profile key of an option: "<option>" for a provider,
// "<converter>_<option>" for a converter, '-' written '_'.
std::string flat_key(const PluginFlagGroup& group, const core::PluginOption& option, bool provider) {
    return provider ? underscored(option.name) : underscored(group.prefix) + "_" + underscored(option.name);
}

}  // namespace

std::optional<std::string> prescan_flag(const std::vector<std::string>& args, const std::string& name) {
    std::optional<std::string> value;
    const std::string flag = "--" + name;
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--") break;
        if (args[i] == flag && i + 1 < args.size())
            value = args[++i];
        else if (args[i].rfind(flag + "=", 0) == 0)
            value = args[i].substr(flag.size() + 1);
    }
    return value;
}

std::optional<PluginFlagGroup> provider_flag_group(const core::PluginRegistry& registry,
                                                   const std::string& provider_name) {
    for (const core::LoadedPlugin* plugin : registry.providers()) {
        const auto& caps = plugin->provider_backend()->capabilities();
        if (caps.provider_name == provider_name)
            return PluginFlagGroup{plugin->id(), "the " + provider_name + " provider", "", caps.options};
    }
    return std::nullopt;
}

std::vector<PluginFlagGroup> converter_flag_groups(const core::PluginRegistry& registry) {
    std::vector<PluginFlagGroup> groups;
    for (const core::LoadedPlugin* plugin : registry.converters()) {
        const core::ConverterBackend* converter = plugin->converter_backend();
        if (converter->capabilities().options.empty()) continue;
        groups.push_back({plugin->id(), "the " + converter->name() + " converter", converter->name(),
                          converter->capabilities().options});
    }
    return groups;
}

std::map<std::string, std::vector<std::string>> profile_values(const core::ExportProfile& profile,
                                                               const PluginFlagGroup& group,
                                                               const std::string& plugin_name,
                                                               bool provider) {
    std::map<std::string, std::vector<std::string>> values;
    const auto section = profile.plugin_options.find(plugin_name);
    for (const auto& option : group.options) {
        if (const auto it = profile.loose_keys.find(flat_key(group, option, provider));
            it != profile.loose_keys.end())
            values[option.name] = it->second;
        if (section != profile.plugin_options.end())
            if (const auto it = section->second.find(option.name); it != section->second.end())
                values[option.name] = it->second;  // the section wins over the flat spelling
    }
    return values;
}

core::ProfileKeyClaim profile_key_claim(const core::PluginRegistry& registry) {
    std::set<std::string> keys;
    for (const core::LoadedPlugin* plugin : registry.providers())
        for (const auto& option : plugin->provider_backend()->capabilities().options)
            keys.insert(underscored(option.name));
    for (const auto& group : converter_flag_groups(registry))
        for (const auto& option : group.options) keys.insert(flat_key(group, option, false));
    return [keys = std::move(keys)](const std::string& key) { return keys.count(key) != 0; };
}

std::vector<std::string> unclaimed_profile_keys(const core::ExportProfile& profile,
                                                const core::PluginRegistry& registry,
                                                const std::string& provider_name,
                                                std::vector<std::string>* skipped) {
    std::vector<std::string> problems;
    // Every group a key could belong to, by plugin name.
    std::map<std::string, std::pair<PluginFlagGroup, bool>> groups;
    for (const core::LoadedPlugin* plugin : registry.providers()) {
        const auto& caps = plugin->provider_backend()->capabilities();
        groups.emplace(caps.provider_name,
                       std::pair{PluginFlagGroup{plugin->id(), caps.provider_name, "", caps.options}, true});
    }
    for (const core::LoadedPlugin* plugin : registry.converters()) {
        const auto* converter = plugin->converter_backend();
        groups.emplace(converter->name(),
                       std::pair{PluginFlagGroup{plugin->id(), converter->name(), converter->name(),
                                                 converter->capabilities().options},
                                 false});
    }
    for (const auto& [key, value] : profile.loose_keys) {
        bool claimed = false;
        for (const auto& [name, entry] : groups) {
            const auto& [group, provider] = entry;
            if (provider && name != provider_name) continue;  // flat keys belong to the profile's provider
            for (const auto& option : group.options)
                if (flat_key(group, option, provider) == key) claimed = true;
        }
        if (!claimed)
            problems.push_back("unknown key \"" + key + "\": not a profile key, nor an option of " +
                               (provider_name.empty()
                                    ? std::string("any converter")
                                    : "the " + provider_name + " provider or any converter") +
                               " (plugin options go under \"plugin_options\": {\"<plugin>\": {...}})");
    }
    for (const auto& [plugin, options] : profile.plugin_options) {
        const auto it = groups.find(plugin);
        if (it == groups.end()) {
            if (skipped != nullptr) skipped->push_back(plugin);
            continue;
        }
        for (const auto& [option, value] : options) {
            const auto& declared = it->second.first.options;
            if (std::none_of(declared.begin(), declared.end(),
                             [&](const auto& o) { return o.name == option; })) {
                std::string known;
                for (const auto& o : declared) known += (known.empty() ? "" : ", ") + o.name;
                problems.push_back("\"plugin_options." + plugin + "." + option + "\": " + plugin +
                                   " declares no such option (" +
                                   (known.empty() ? "it has none" : "known: " + known) + ")");
            }
        }
    }
    return problems;
}

core::OptionResolution resolve_group(const PluginFlagGroup& group,
                                     const boost::program_options::variables_map& values,
                                     const core::ExportProfile* profile, const std::string& plugin_name,
                                     bool provider) {
    core::OptionInput input;
    read_plugin_flags(group, values, input);
    if (profile != nullptr) {
        input.profile = profile_values(*profile, group, plugin_name, provider);
        input.profile_name = profile->name;
    }
    input.flag_prefix = group.prefix;
    input.owner = group.owner;
    return core::resolve_options(group.options, input);
}

std::string resolve_converter_options(const core::PluginRegistry& registry,
                                      const std::vector<PluginFlagGroup>& groups,
                                      const boost::program_options::variables_map& values,
                                      const core::ExportProfile* profile, core::ConversionRequest& request) {
    for (const auto& group : groups) {
        core::OptionResolution resolution;
        try {
            resolution = resolve_group(group, values, profile, group.prefix, false);
        } catch (const std::invalid_argument& error) {
            return error.what();
        }
        if (!resolution.errors.empty()) return resolution.errors.front();
        // A converter missing a required option is not usable; routing says why.
        if (!resolution.missing.empty())
            request.converter_option_problems[group.plugin_id] = resolution.missing.front();
        request.converter_options[group.plugin_id] = resolution.json_members();
    }
    request.environment_unset = core::secret_environment_variables(registry);
    return {};
}

}  // namespace hypersdk::host
