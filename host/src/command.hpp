// Subcommands register themselves here, so each lives in its own file
// (cmd_plugins.cpp, cmd_manifest.cpp, ...) and main.cpp never lists them.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <vector>

namespace hypersdk::host {

// Options that apply to every subcommand, parsed by main.cpp before dispatch.
struct GlobalOptions {
    std::vector<std::string> plugin_dirs;  // --plugin-dir, in order given
    std::string log_level = "warn";        // --log-level
    bool quiet = false;                    // --quiet
    // false with --no-default-plugin-dirs: search only --plugin-dir and
    // HYPERSDK_PLUGIN_PATH (hermetic tests, scripts).
    bool default_plugin_dirs = true;
};

// Exit codes shared by every command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

struct Command {
    std::string name;     // "plugins"
    std::string summary;  // one line for `hyperexport --help`
    // args: everything after the command name. Returns an exit code. Usage
    // errors print one line to stderr and return kExitUsage.
    std::function<int(const GlobalOptions&, const std::vector<std::string>& args)> run;
    // The long names of the command's own flags (without "--"), so the
    // registry can refuse a plugin option that would shadow one. May be empty.
    std::function<std::vector<std::string>()> flag_names;
};

// Every host flag of every command, plus the global ones: the names plugin
// options must not take.
std::set<std::string> host_flag_names();

// Registers a command at static-initialization time. Returns true so it can
// initialise a namespace-scope bool.
bool register_command(Command command);

// All registered commands, sorted by name.
std::vector<const Command*> registered_commands();
const Command* find_command(const std::string& name);

}  // namespace hypersdk::host
