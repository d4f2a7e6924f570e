#include "plugin_flags.hpp"

#include <stdexcept>

namespace hypersdk::host {

namespace po = boost::program_options;

namespace {

std::string describe(const core::PluginOption& option) {
    std::string help = option.help;
    if (option.type == core::OptionType::list) help += " (repeatable, or comma-separated)";
    if (option.secret()) help += " (read from the first line of FILE; never a flag value)";
    if (option.default_value) help += " (default: " + *option.default_value + ")";
    if (!option.env.empty()) {
        std::string variables;
        for (const auto& variable : option.env) variables += (variables.empty() ? "" : ", ") + variable;
        help += " [env: " + variables + "]";
    }
    if (option.required) help += " (required)";
    return help;
}

}  // namespace

PluginFlagDescriptions describe_plugin_flags(const PluginFlagGroup& group, const std::string& title) {
    PluginFlagDescriptions out{po::options_description(title, 100), po::options_description()};
    for (const auto& option : group.options) {
        const auto names = core::option_flag_names(option, group.prefix);
        const std::string& flag = names.front();
        switch (option.type) {
            case core::OptionType::boolean:
                // --insecure alone means true; --insecure=false overrides the environment.
                out.visible.add_options()(
                    flag.c_str(), po::value<std::string>()->value_name("BOOL")->implicit_value("true"),
                    describe(option).c_str());
                break;
            case core::OptionType::list:
                out.visible.add_options()(
                    flag.c_str(),
                    po::value<std::vector<std::string>>()->value_name(option.value_name)->composing(),
                    describe(option).c_str());
                break;
            case core::OptionType::secret:
                out.visible.add_options()(flag.c_str(), po::value<std::string>()->value_name("FILE"),
                                          describe(option).c_str());
                out.visible.add_options()(
                    names[1].c_str(), po::value<std::string>()->value_name("VAR"),
                    ("read " + option.name + " from the environment variable VAR").c_str());
                out.hidden.add_options()(names[2].c_str(), po::value<std::string>()->implicit_value(""), "");
                break;
            default:
                out.visible.add_options()(flag.c_str(),
                                          po::value<std::string>()->value_name(option.value_name),
                                          describe(option).c_str());
                break;
        }
    }
    return out;
}

void read_plugin_flags(const PluginFlagGroup& group, const po::variables_map& values,
                       core::OptionInput& input) {
    for (const auto& option : group.options) {
        const auto names = core::option_flag_names(option, group.prefix);
        if (option.secret()) {
            if (values.count(names[2])) {
                std::string ways = "--" + names[0] + " FILE, --" + names[1] + " VAR";
                for (const auto& variable : option.env) ways += " or " + variable;
                throw std::invalid_argument("--" + names[2] +
                                            " takes no value on the command line (it would show " +
                                            "in ps and the shell history): use " + ways);
            }
            if (values.count(names[1]))
                input.secret_variables[option.name] = values[names[1]].as<std::string>();
        }
        if (!values.count(names[0])) continue;
        if (option.type == core::OptionType::list)
            input.command_line[option.name] = values[names[0]].as<std::vector<std::string>>();
        else
            input.command_line[option.name] = {values[names[0]].as<std::string>()};
    }
}

}  // namespace hypersdk::host
