#include "cli_support.hpp"

#include <hypersdk/plugin.h>

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <iostream>

#include "terminal_text.hpp"

namespace hypersdk::host {

namespace po = boost::program_options;

// Messages quote input (a VM name, a server's fault string, an option the
// user typed): never let their control characters reach the terminal.
int usage_error(std::string_view message, std::string_view command) {
    std::cerr << "hyperexport: " << terminal_safe(message) << " (see hyperexport"
              << (command.empty() ? "" : " ") << command << " --help)" << std::endl;
    return kExitUsage;
}

int failure(std::string_view message) {
    std::cerr << "hyperexport: " << terminal_safe(message) << std::endl;
    return kExitFailure;
}

std::string describe_option_error(const po::error& error) {
    if (const auto* unknown = dynamic_cast<const po::unknown_option*>(&error))
        return "unknown option '" + unknown->get_option_name() + "'";
    if (const auto* too_many = dynamic_cast<const po::too_many_positional_options_error*>(&error))
        return std::string("unexpected extra argument: ") + too_many->what();
    return error.what();
}

void discover_plugins(const GlobalOptions& options, core::PluginRegistry& registry) {
    core::PluginSearchOptions search;
    search.explicit_dirs = options.plugin_dirs;
    search.include_default_dirs = options.default_plugin_dirs;
    registry.reserve_flags(host_flag_names());
    registry.discover(search);
}

std::vector<std::string> long_option_names(const po::options_description& options) {
    std::vector<std::string> names;
    for (const auto& option : options.options())
        if (!option->long_name().empty()) names.push_back(option->long_name());
    return names;
}

std::vector<std::string> kind_names(uint32_t kinds) {
    std::vector<std::string> names;
    if (kinds & HYPERSDK_PLUGIN_KIND_PROVIDER) names.emplace_back("provider");
    if (kinds & HYPERSDK_PLUGIN_KIND_CONVERTER) names.emplace_back("converter");
    return names;
}

std::string thread_model_name(uint32_t thread_model) {
    switch (thread_model) {
        case HYPERSDK_THREAD_MODEL_SERIALIZE:
            return "serialize";
        case HYPERSDK_THREAD_MODEL_PARALLEL:
            return "parallel";
        default:
            return "unknown (" + std::to_string(thread_model) + ", treated as serialize)";
    }
}

std::string to_pretty_json(const rapidjson::Value& value) {
    rapidjson::StringBuffer buffer;
    rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(buffer);
    writer.SetIndent(' ', 2);
    value.Accept(writer);
    return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

int parse_subcommand(const std::vector<std::string>& args,
                     const boost::program_options::options_description& options,
                     const SubcommandOperand* operand, boost::program_options::variables_map& values,
                     const std::string& command, const std::string& usage) {
    namespace po = boost::program_options;
    po::options_description all;
    all.add(options);
    po::positional_options_description positional;
    if (operand != nullptr) {
        all.add_options()(operand->key, po::value<std::string>());
        positional.add(operand->key, 1);
    }
    try {
        po::store(po::command_line_parser(args).options(all).positional(positional).run(), values);
        if (values.count("help")) {
            std::cout << usage << "\n" << options << std::endl;
            return kExitOk;
        }
        po::notify(values);
    } catch (const po::error& error) {
        return usage_error(describe_option_error(error), command);
    }
    if (operand != nullptr && values.count(operand->key) == 0)
        return usage_error(operand->missing_message, command);
    return -1;
}

}  // namespace hypersdk::host
