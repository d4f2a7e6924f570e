// `hyperexport plugins list|info`: what was loaded, from where, what each
// plugin declares, and why a file in a plugin directory was refused.
#include <hypersdk/hypersdk.h>
#include <hypersdk/core/plugin_registry.hpp>

#include <rapidjson/document.h>
#include <boost/program_options.hpp>

#include <algorithm>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "cli_support.hpp"
#include "command.hpp"

namespace hypersdk::host {
namespace {

namespace po = boost::program_options;
using core::LoadedPlugin;
using core::PluginRegistry;
using rapidjson::Value;

constexpr const char* kPluginsHelp =
    "Usage: hyperexport [GLOBAL OPTIONS] plugins SUBCOMMAND\n\n"
    "Subcommands:\n"
    "  list [--json]       the loaded plugins, then the refused files and why\n"
    "  info ID [--json]    every descriptor field and capability of one plugin\n";

std::string join(const std::vector<std::string>& items, const std::string& separator) {
    std::string text;
    for (const auto& item : items) text += (text.empty() ? "" : separator) + item;
    return text;
}

std::string abi_text(const LoadedPlugin& plugin) {
    return std::to_string(plugin.abi_major()) + "." + std::to_string(plugin.abi_minor());
}

std::string or_none(const char* text) {
    return text != nullptr ? text : "(none)";
}

std::string list_or_none(const std::vector<std::string>& items) {
    return items.empty() ? "(none)" : join(items, ", ");
}

const char* yes_no(bool value) {
    return value ? "yes" : "no";
}

// Parses "[ID] [--json] [--help]". Returns -1 to go on, else an exit code.
struct SubcommandArgs {
    bool json = false;
    std::string id;
};

int parse_subcommand(const std::string& name, bool wants_id, const std::vector<std::string>& args,
                     SubcommandArgs& out) {
    po::options_description description("Options");
    description.add_options()("json", "print JSON instead of text")("help,h", "show this help");
    po::options_description hidden;
    hidden.add_options()("id", po::value<std::string>(&out.id));
    po::options_description all;
    all.add(description);
    if (wants_id) all.add(hidden);
    po::positional_options_description positional;
    if (wants_id) positional.add("id", 1);

    po::variables_map values;
    try {
        po::store(po::command_line_parser(args).options(all).positional(positional).run(), values);
        po::notify(values);
    } catch (const po::error& error) {
        return usage_error(describe_option_error(error), "plugins " + name);
    }
    if (values.count("help")) {
        std::cout << "Usage: hyperexport [GLOBAL OPTIONS] plugins " << name << (wants_id ? " ID" : "")
                  << " [--json]\n\n"
                  << description;
        return kExitOk;
    }
    if (wants_id && out.id.empty()) return usage_error("missing plugin ID", "plugins " + name);
    out.json = values.count("json") > 0;
    return -1;
}

Value string_array(const std::vector<std::string>& items, rapidjson::Document::AllocatorType& allocator) {
    Value array(rapidjson::kArrayType);
    for (const auto& item : items) array.PushBack(Value(item.c_str(), allocator), allocator);
    return array;
}

Value nullable_string(const char* text, rapidjson::Document::AllocatorType& allocator) {
    return text != nullptr ? Value(text, allocator) : Value(rapidjson::kNullType);
}

void print_table(const std::vector<std::vector<std::string>>& rows) {
    std::vector<size_t> widths;
    for (const auto& row : rows) {
        widths.resize(std::max(widths.size(), row.size()));
        for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
    }
    for (const auto& row : rows) {
        std::string line;
        for (size_t i = 0; i < row.size(); ++i) {
            line += row[i];
            if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
        }
        std::cout << line << "\n";
    }
}

int list_plugins(const GlobalOptions& options, const std::vector<std::string>& args) {
    SubcommandArgs parsed;
    if (const int code = parse_subcommand("list", false, args, parsed); code >= 0) return code;

    PluginRegistry registry;
    discover_plugins(options, registry);

    if (parsed.json) {
        rapidjson::Document document(rapidjson::kObjectType);
        auto& allocator = document.GetAllocator();
        Value plugins(rapidjson::kArrayType);
        for (const LoadedPlugin* plugin : registry.plugins()) {
            const auto& d = plugin->descriptor();
            Value entry(rapidjson::kObjectType);
            entry.AddMember("id", Value(d.id, allocator), allocator);
            entry.AddMember("name", Value(d.name, allocator), allocator);
            entry.AddMember("kinds", string_array(kind_names(d.kinds), allocator), allocator);
            entry.AddMember("version", Value(d.version, allocator), allocator);
            entry.AddMember("abi", Value(abi_text(*plugin).c_str(), allocator), allocator);
            entry.AddMember("path", Value(plugin->path().string().c_str(), allocator), allocator);
            entry.AddMember("thread_model", Value(thread_model_name(d.thread_model).c_str(), allocator),
                            allocator);
            plugins.PushBack(entry, allocator);
        }
        Value refused(rapidjson::kArrayType);
        for (const auto& error : registry.load_errors()) {
            Value entry(rapidjson::kObjectType);
            entry.AddMember("path", Value(error.path.string().c_str(), allocator), allocator);
            entry.AddMember("error", Value(error.message.c_str(), allocator), allocator);
            refused.PushBack(entry, allocator);
        }
        document.AddMember("plugins", plugins, allocator);
        document.AddMember("refused", refused, allocator);
        std::cout << to_pretty_json(document);
        return kExitOk;
    }

    if (registry.plugins().empty()) {
        std::cout << "No plugins loaded. Searched: "
                  << (registry.searched_dirs().empty() ? std::string("(no existing plugin directory)") : "")
                  << "\n";
        for (const auto& dir : registry.searched_dirs()) std::cout << "  " << dir.string() << "\n";
    } else {
        std::vector<std::vector<std::string>> rows{{"ID", "KIND", "VERSION", "ABI", "PATH"}};
        for (const LoadedPlugin* plugin : registry.plugins()) {
            const auto& d = plugin->descriptor();
            rows.push_back({d.id, join(kind_names(d.kinds), ","), d.version, abi_text(*plugin),
                            plugin->path().string()});
        }
        print_table(rows);
    }
    if (!registry.load_errors().empty()) {
        std::cout << "\nNot loaded:\n";
        for (const auto& error : registry.load_errors())
            std::cout << "  " << error.path.string() << ": " << error.message << "\n";
    }
    std::cout << std::flush;
    return kExitOk;
}

Value text_value(const std::string& text, rapidjson::Document::AllocatorType& allocator) {
    return Value(text.c_str(), static_cast<rapidjson::SizeType>(text.size()), allocator);
}

Value options_json(const std::vector<core::PluginOption>& options, const std::string& prefix,
                   rapidjson::Document::AllocatorType& allocator) {
    Value array(rapidjson::kArrayType);
    for (const auto& option : options) {
        Value object(rapidjson::kObjectType);
        object.AddMember("name", text_value(option.name, allocator), allocator);
        object.AddMember(
            "flag", text_value("--" + core::option_flag_names(option, prefix).front(), allocator), allocator);
        object.AddMember("type", text_value(std::string(core::option_type_name(option.type)), allocator),
                         allocator);
        object.AddMember("value_name", text_value(option.value_name, allocator), allocator);
        object.AddMember("help", text_value(option.help, allocator), allocator);
        object.AddMember("default",
                         option.default_value ? text_value(*option.default_value, allocator) : Value(),
                         allocator);
        object.AddMember("env", string_array(option.env, allocator), allocator);
        object.AddMember("required", option.required, allocator);
        object.AddMember("secret", option.secret(), allocator);
        if (option.min_value) object.AddMember("min", *option.min_value, allocator);
        if (option.max_value) object.AddMember("max", *option.max_value, allocator);
        array.PushBack(object, allocator);
    }
    return array;
}

Value provider_json(const core::ProviderCapabilities& caps, rapidjson::Document::AllocatorType& allocator) {
    Value object(rapidjson::kObjectType);
    object.AddMember("provider_name", text_value(caps.provider_name, allocator), allocator);
    object.AddMember("export_formats", string_array(caps.export_formats, allocator), allocator);
    object.AddMember("auth_methods", string_array(caps.auth_methods, allocator), allocator);
    object.AddMember("exports_powered_on", caps.exports_powered_on, allocator);
    object.AddMember("supports_incremental", caps.supports_incremental, allocator);
    object.AddMember("options", options_json(caps.options, "", allocator), allocator);
    return object;
}

Value converter_json(const core::ConverterBackend& converter, rapidjson::Document::AllocatorType& allocator) {
    const core::ConverterCapabilities& caps = converter.capabilities();
    Value object(rapidjson::kObjectType);
    object.AddMember("supported_source_formats", string_array(caps.source_formats, allocator), allocator);
    object.AddMember("supported_target_formats", string_array(caps.target_formats, allocator), allocator);
    object.AddMember("supports_driver_injection", caps.driver_injection, allocator);
    object.AddMember("supports_os_detection", caps.os_detection, allocator);
    object.AddMember("supports_validation", caps.validation, allocator);
    object.AddMember("supported_providers", string_array(caps.providers, allocator), allocator);
    object.AddMember("priority", caps.priority, allocator);
    object.AddMember("tool_name", caps.tool_name.empty() ? Value() : text_value(caps.tool_name, allocator),
                     allocator);
    object.AddMember("install_hint",
                     caps.install_hint.empty() ? Value() : text_value(caps.install_hint, allocator),
                     allocator);
    object.AddMember("options", options_json(caps.options, converter.name(), allocator), allocator);
    return object;
}

// One line per option: flag, type, where else it comes from, help.
void print_options_text(const std::vector<core::PluginOption>& options, const std::string& prefix) {
    if (options.empty()) {
        std::cout << "  (none)\n";
        return;
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& option : options) {
        std::string flag = "  --" + core::option_flag_names(option, prefix).front() + " " + option.value_name;
        std::string where = std::string(core::option_type_name(option.type));
        if (option.required) where += ", required";
        if (option.default_value) where += ", default " + *option.default_value;
        for (const auto& variable : option.env) where += ", " + variable;
        rows.push_back({flag, "(" + where + ")", option.help});
    }
    print_table(rows);
}

void print_info_text(const LoadedPlugin& plugin) {
    const auto& d = plugin.descriptor();
    std::vector<std::vector<std::string>> rows{
        {"ID:", d.id},
        {"Name:", d.name},
        {"Version:", d.version},
        {"Description:", or_none(d.description)},
        {"Homepage:", or_none(d.homepage)},
        {"License:", or_none(d.license)},
        {"Kinds:", join(kind_names(d.kinds), ", ")},
        {"Thread model:", thread_model_name(d.thread_model)},
        {"ABI:", abi_text(plugin)},
        {"Path:", plugin.path().string()},
    };
    print_table(rows);
    if (const auto* provider = plugin.provider_backend()) {
        const auto& caps = provider->capabilities();
        std::cout << "\nProvider capabilities:\n";
        print_table({
            {"  provider_name:", caps.provider_name},
            {"  export_formats:", list_or_none(caps.export_formats)},
            {"  auth_methods:", list_or_none(caps.auth_methods)},
            {"  exports_powered_on:", yes_no(caps.exports_powered_on)},
            {"  supports_incremental:", yes_no(caps.supports_incremental)},
        });
        std::cout << "\nProvider options (hyperexport export/vms --provider " << caps.provider_name << "):\n";
        print_options_text(caps.options, "");
    }
    if (const auto* converter = plugin.converter_backend()) {
        const auto& caps = converter->capabilities();
        std::cout << "\nConverter capabilities:\n";
        print_table({
            {"  supported_source_formats:", list_or_none(caps.source_formats)},
            {"  supported_target_formats:", list_or_none(caps.target_formats)},
            {"  supports_driver_injection:", yes_no(caps.driver_injection)},
            {"  supports_os_detection:", yes_no(caps.os_detection)},
            {"  supports_validation:", yes_no(caps.validation)},
            {"  supported_providers:", list_or_none(caps.providers)},
            {"  priority:", std::to_string(caps.priority)},
            {"  tool_name:", caps.tool_name.empty() ? "(none)" : caps.tool_name},
            {"  install_hint:", caps.install_hint.empty() ? "(none)" : caps.install_hint},
        });
        std::cout << "\nConverter options (hyperexport export/convert):\n";
        print_options_text(caps.options, converter->name());
    }
    std::cout << std::flush;
}

int plugin_info(const GlobalOptions& options, const std::vector<std::string>& args) {
    SubcommandArgs parsed;
    if (const int code = parse_subcommand("info", true, args, parsed); code >= 0) return code;

    PluginRegistry registry;
    discover_plugins(options, registry);
    const LoadedPlugin* plugin = registry.find(parsed.id);
    if (plugin == nullptr) {
        std::vector<std::string> known;
        for (const LoadedPlugin* loaded : registry.plugins()) known.push_back(loaded->id());
        return failure("no plugin with id '" + parsed.id +
                       "'; loaded plugins: " + (known.empty() ? std::string("none") : join(known, ", ")) +
                       " (see hyperexport plugins list)");
    }
    if (!parsed.json) {
        print_info_text(*plugin);
        return kExitOk;
    }

    const auto& d = plugin->descriptor();
    rapidjson::Document document(rapidjson::kObjectType);
    auto& allocator = document.GetAllocator();
    document.AddMember("id", Value(d.id, allocator), allocator);
    document.AddMember("name", Value(d.name, allocator), allocator);
    document.AddMember("version", Value(d.version, allocator), allocator);
    document.AddMember("description", nullable_string(d.description, allocator), allocator);
    document.AddMember("homepage", nullable_string(d.homepage, allocator), allocator);
    document.AddMember("license", nullable_string(d.license, allocator), allocator);
    document.AddMember("kinds", string_array(kind_names(d.kinds), allocator), allocator);
    document.AddMember("thread_model", Value(thread_model_name(d.thread_model).c_str(), allocator),
                       allocator);
    document.AddMember("abi", Value(abi_text(*plugin).c_str(), allocator), allocator);
    document.AddMember("path", Value(plugin->path().string().c_str(), allocator), allocator);
    if (const auto* provider = plugin->provider_backend())
        document.AddMember("provider", provider_json(provider->capabilities(), allocator), allocator);
    if (const auto* converter = plugin->converter_backend())
        document.AddMember("converter", converter_json(*converter, allocator), allocator);
    std::cout << to_pretty_json(document);
    return kExitOk;
}

int run_plugins(const GlobalOptions& options, const std::vector<std::string>& args) {
    if (args.empty()) return usage_error("'plugins' needs a subcommand: list or info", "plugins");
    const std::string& sub = args.front();
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (sub == "--help" || sub == "-h") {
        std::cout << kPluginsHelp;
        return kExitOk;
    }
    if (sub == "list") return list_plugins(options, rest);
    if (sub == "info") return plugin_info(options, rest);
    if (!sub.empty() && sub[0] == '-') return usage_error("unknown option '" + sub + "'", "plugins");
    return usage_error("unknown subcommand 'plugins " + sub + "'", "plugins");
}

const bool registered =
    register_command({"plugins", "list and inspect the installed plugins", run_plugins, {}});

}  // namespace
}  // namespace hypersdk::host
