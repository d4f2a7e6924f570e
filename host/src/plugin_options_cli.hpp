// Everything a command needs to offer and resolve plugin options: the flag
// groups of the selected provider and of every converter, their values from
// the command line, the profile and the environment (core's
// resolve_options), and the checks that every profile key belongs to
// somebody. Shared by export, vms and convert, so the rules are written once.
#pragma once

#include <hypersdk/core/conversion_manager.hpp>
#include <hypersdk/core/export_profile.hpp>
#include <hypersdk/core/option_resolution.hpp>
#include <hypersdk/core/plugin_registry.hpp>

#include <boost/program_options.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "plugin_flags.hpp"

namespace hypersdk::host {

// The value of `--NAME VALUE` / `--NAME=VALUE` in raw arguments, before the
// full parse (which needs the flags this value selects). Last one wins.
std::optional<std::string> prescan_flag(const std::vector<std::string>& args, const std::string& name);

// The provider's flag group, or nullopt when no loaded provider has that name.
std::optional<PluginFlagGroup> provider_flag_group(const core::PluginRegistry& registry,
                                                   const std::string& provider_name);
// One group per loaded converter that declares options.
std::vector<PluginFlagGroup> converter_flag_groups(const core::PluginRegistry& registry);

// A group's values from a profile: its "plugin_options" section and the flat
// keys that spell one of its options. `plugin_name` is the section name.
std::map<std::string, std::vector<std::string>> profile_values(const core::ExportProfile& profile,
                                                               const PluginFlagGroup& group,
                                                               const std::string& plugin_name, bool provider);

// Claims the flat profile keys that spell an option of a loaded plugin
// ("insecure" of a provider, "hyper2kvm_binary" of a converter), so core's
// profile reader keeps them instead of refusing them as unknown.
core::ProfileKeyClaim profile_key_claim(const core::PluginRegistry& registry);

// Problems with a profile's plugin keys: a flat key or a section option no
// loaded plugin declares. Sections of plugins that are not installed are
// skipped (returned in `skipped`) so a profile can be shared between hosts.
std::vector<std::string> unclaimed_profile_keys(const core::ExportProfile& profile,
                                                const core::PluginRegistry& registry,
                                                const std::string& provider_name,
                                                std::vector<std::string>* skipped = nullptr);

// Resolves one group: command line (from `values`), profile, environment,
// default. Throws std::invalid_argument for a secret given as a flag value.
core::OptionResolution resolve_group(const PluginFlagGroup& group,
                                     const boost::program_options::variables_map& values,
                                     const core::ExportProfile* profile, const std::string& plugin_name,
                                     bool provider);

// Resolves every converter group into request.converter_options and
// request.converter_option_problems, and fills request.environment_unset with
// the variables of every secret option of every loaded plugin. Returns a
// usage error ("" when none): a bad value, or a secret given as a flag value.
std::string resolve_converter_options(const core::PluginRegistry& registry,
                                      const std::vector<PluginFlagGroup>& groups,
                                      const boost::program_options::variables_map& values,
                                      const core::ExportProfile* profile, core::ConversionRequest& request);

}  // namespace hypersdk::host
