// Command-line flags built from the options plugins declare (options.h): a
// provider's as --NAME, a converter's as --<converter>-NAME. The host knows
// none of them by name; it turns each table into Boost.Program_options
// entries, reads back what the user gave, and leaves typing, environment,
// profile and defaults to core's resolve_options.
#pragma once

#include <hypersdk/core/option_resolution.hpp>
#include <hypersdk/core/plugin_options.hpp>

#include <boost/program_options.hpp>

#include <map>
#include <string>
#include <vector>

namespace hypersdk::host {

// One plugin's options and how they are spelled on the command line.
struct PluginFlagGroup {
    std::string plugin_id;
    std::string owner;   // "the vsphere provider", "the hyper2kvm converter"
    std::string prefix;  // "" for a provider, the converter's name for a converter
    std::vector<core::PluginOption> options;
};

// The visible entries (--help) and the hidden ones: a secret's bare --NAME,
// accepted only to refuse it with the right advice.
struct PluginFlagDescriptions {
    boost::program_options::options_description visible;
    boost::program_options::options_description hidden;
};

// Adds the group's flags. The help of each says its type, environment
// variables, default and whether it is required.
PluginFlagDescriptions describe_plugin_flags(const PluginFlagGroup& group, const std::string& title);

// What the user gave for the group's options, in core's OptionInput form
// (option name -> values, a secret's --NAME-file FILE as its value and its
// --NAME-env VAR in secret_variables). Throws std::invalid_argument naming the
// flag when a secret was given as a flag value.
void read_plugin_flags(const PluginFlagGroup& group, const boost::program_options::variables_map& values,
                       core::OptionInput& input);

}  // namespace hypersdk::host
