// Small helpers every subcommand uses: one-line usage errors, plugin loading
// from the global options, and pretty JSON output.
#pragma once

#include <hypersdk/core/plugin_registry.hpp>

#include <rapidjson/document.h>
#include <boost/program_options.hpp>

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "command.hpp"

namespace hypersdk::host {

// Prints "hyperexport: <message> (see hyperexport[ <command>] --help)" to
// stderr and returns kExitUsage. command is e.g. "plugins list" or "".
int usage_error(std::string_view message, std::string_view command);

// Prints "hyperexport: <message>" to stderr and returns kExitFailure.
int failure(std::string_view message);

// A Boost.Program_options error as one line: "unknown option '--foo'",
// "missing value for option '--log-level'", ...
std::string describe_option_error(const boost::program_options::error& error);

// The single positional argument of a subcommand: its key in the
// variables_map ("file") and the usage error when it is missing.
struct SubcommandOperand {
    const char* key;
    const char* missing_message;
};

// Parses "[OPTIONS] [OPERAND]" for a subcommand; `options` is what --help
// shows after `usage`. With an operand, exactly one is required and stored as
// values[operand->key]. Returns -1 to go on, otherwise the exit code (help
// printed, or a one-line usage error).
int parse_subcommand(const std::vector<std::string>& args,
                     const boost::program_options::options_description& options,
                     const SubcommandOperand* operand, boost::program_options::variables_map& values,
                     const std::string& command, const std::string& usage);

// Runs registry.discover() over the directories the global options select
// (--plugin-dir, HYPERSDK_PLUGIN_PATH, then the default dirs unless
// --no-default-plugin-dirs), with every host flag reserved so that no
// plugin option can shadow one.
void discover_plugins(const GlobalOptions& options, core::PluginRegistry& registry);

// "provider", "converter", in bit order; unknown bits are skipped.
std::vector<std::string> kind_names(uint32_t kinds);
std::string thread_model_name(uint32_t thread_model);

// The long names (without "--") of the options in a description.
std::vector<std::string> long_option_names(const boost::program_options::options_description& options);

// The long names of the global options (main's, before the command).
std::set<std::string> global_flag_names();

// The document as pretty JSON (2-space indent) followed by a newline.
std::string to_pretty_json(const rapidjson::Value& value);

}  // namespace hypersdk::host
