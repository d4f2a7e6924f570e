// The hyperexport command line: parses the global options, configures
// logging and hands the rest to the registered subcommand (command.hpp).
// main.cpp only calls run_cli; tests link this library and call it too.
#include <hypersdk/version.h>
#include <hypersdk/core/logging.hpp>

#include <boost/program_options.hpp>

#include <exception>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "cli.hpp"
#include "cli_support.hpp"
#include "command.hpp"

namespace hypersdk::host {
namespace {

namespace po = boost::program_options;

constexpr const char* kDefaultCommand = "export";

po::options_description global_options_description(GlobalOptions& options) {
    po::options_description description("Global options (before the command)");
    // clang-format off
    description.add_options()
        ("help,h", "show this help and exit")
        ("version", "print the version and the plugin ABI version, then exit")
        ("log-level", po::value<std::string>(&options.log_level)->value_name("LEVEL"),
         "trace|debug|info|warn|error|off (default: warn; messages go to stderr)")
        ("plugin-dir", po::value<std::vector<std::string>>(&options.plugin_dirs)->value_name("DIR")->composing(),
         "also look for plugins in DIR, before every other directory (repeatable)")
        ("no-default-plugin-dirs",
         "search only --plugin-dir and HYPERSDK_PLUGIN_PATH, not the build/install plugin directories")
        ("quiet,q", "print errors only (same as --log-level error unless --log-level is given)");
    // clang-format on
    return description;
}

// Number of leading tokens that are global options (with their values). The
// first token after them is the command, or, when it looks like an option,
// the start of the default command's arguments.
size_t global_prefix_length(const std::vector<std::string>& args) {
    size_t i = 0;
    while (i < args.size()) {
        const std::string& token = args[i];
        if (token == "--help" || token == "-h" || token == "--version" || token == "--quiet" ||
            token == "-q" || token == "--no-default-plugin-dirs") {
            i += 1;
        } else if (token == "--log-level" || token == "--plugin-dir") {
            i += 2;  // a missing value is reported by the parser
        } else if (token.rfind("--log-level=", 0) == 0 || token.rfind("--plugin-dir=", 0) == 0) {
            i += 1;
        } else {
            break;
        }
    }
    return std::min(i, args.size());
}

void print_help(const po::options_description& description) {
    std::ostringstream out;
    out << "Usage: hyperexport [GLOBAL OPTIONS] COMMAND [ARGS...]\n\n"
        << "Migrate VMs from vSphere, AWS, Azure and GCP to KVM.\n\n"
        << description << "\nCommands:\n";
    size_t width = 0;
    for (const auto* command : registered_commands()) width = std::max(width, command->name.size());
    for (const auto* command : registered_commands()) {
        out << "  " << command->name << std::string(width - command->name.size() + 3, ' ') << command->summary
            << "\n";
    }
    if (find_command(kDefaultCommand) != nullptr) {
        out << "\nArguments that start with '--' and are not global options run the '" << kDefaultCommand
            << "' command.\n";
    }
    out << "\nRun 'hyperexport COMMAND --help' for the options of a command.\n"
        << "Plugins are searched in: --plugin-dir, HYPERSDK_PLUGIN_PATH, <exe dir>/../lib/hypersdk/plugins,\n"
        << "the installed plugin directory (see docs/plugin-loading.md).\n";
    std::cout << out.str();
}

int run_command_line(const std::vector<std::string>& args) {
    GlobalOptions options;
    const po::options_description description = global_options_description(options);
    const size_t prefix = global_prefix_length(args);

    po::variables_map values;
    try {
        const std::vector<std::string> global_args(args.begin(), args.begin() + static_cast<long>(prefix));
        po::store(po::command_line_parser(global_args).options(description).run(), values);
        po::notify(values);
    } catch (const po::error& error) {
        return usage_error(describe_option_error(error), "");
    }
    options.quiet = values.count("quiet") > 0;
    options.default_plugin_dirs = values.count("no-default-plugin-dirs") == 0;
    if (options.quiet && values.count("log-level") == 0) options.log_level = "error";
    if (!hypersdk::core::configure_logging(options.log_level)) {
        return usage_error("invalid --log-level '" + options.log_level + "': use " +
                               std::string(hypersdk::core::kLogLevelNames),
                           "");
    }

    if (values.count("help")) {
        print_help(description);
        return kExitOk;
    }
    if (values.count("version")) {
        std::cout << "hyperexport " << HYPERSDK_VERSION_STRING << " (hypersdk ABI " << HYPERSDK_ABI_MAJOR
                  << "." << HYPERSDK_ABI_MINOR << ")" << std::endl;
        return kExitOk;
    }
    if (prefix == args.size()) return usage_error("no command given", "");

    const std::string& token = args[prefix];
    if (!token.empty() && token[0] == '-') {
        // "hyperexport --provider vsphere --vm X" is short for "hyperexport export --provider ...".
        const Command* fallback = find_command(kDefaultCommand);
        if (token.rfind("--", 0) == 0 && fallback != nullptr)
            return fallback->run(
                options, std::vector<std::string>(args.begin() + static_cast<long>(prefix), args.end()));
        return usage_error("unknown option '" + token + "'", "");
    }
    const Command* command = find_command(token);
    if (command == nullptr) return usage_error("unknown command '" + token + "'", "");
    return command->run(options,
                        std::vector<std::string>(args.begin() + static_cast<long>(prefix) + 1, args.end()));
}

}  // namespace

std::set<std::string> global_flag_names() {
    GlobalOptions options;
    const auto names = long_option_names(global_options_description(options));
    return {names.begin(), names.end()};
}

int run_cli(const std::vector<std::string>& args) {
    try {
        return run_command_line(args);
    } catch (const std::exception& error) {
        return failure(error.what());
    } catch (...) {
        return failure("internal error (unknown exception)");
    }
}

}  // namespace hypersdk::host
