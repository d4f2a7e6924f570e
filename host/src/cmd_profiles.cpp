// `hyperexport profiles list|show|save|delete`: manage the export profiles in
// profiles_dir() (see docs/profiles.md). The rules for what a profile may
// hold live in core (export_profile.cpp); this file only maps the command
// line onto them.
#include <hypersdk/core/export_profile.hpp>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <boost/program_options.hpp>

#include <cctype>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "cli_support.hpp"
#include "command.hpp"
#include "plugin_options_cli.hpp"

namespace hypersdk::host {
namespace {

namespace po = boost::program_options;
namespace fs = std::filesystem;

constexpr const char* kProfilesHelp =
    "Usage: hyperexport [GLOBAL OPTIONS] profiles SUBCOMMAND [OPTIONS]\n\n"
    "Export profiles are named sets of export and conversion options, stored as\n"
    "NAME.json in $HYPEREXPORT_PROFILE_DIR, else ~/.hyperexport/profiles (see\n"
    "docs/profiles.md). Options given on the command line override a profile.\n"
    "Profiles never hold credentials.\n\n"
    "Subcommands:\n"
    "  list                                  print the profile names, one per line\n"
    "  show NAME|PATH                        print a profile as JSON\n"
    "  save NAME --from FILE [--force]       save FILE (a profile JSON) as NAME\n"
    "  save NAME --set KEY=VALUE... [--force]\n"
    "                                        save a profile with these keys\n"
    "  delete NAME                           remove a profile\n\n"
    "Keys: name, description, provider, format (an export format of the provider), compress,\n"
    "output, parallel (1-64), power_off, generate_manifest, verify_manifest,\n"
    "manifest_checksum, manifest_target_format (qcow2|raw|vdi), auto_convert, converter,\n"
    "conversion_timeout (2h, 90m, 4h30m, 3600), stream_conversion; and the plugins'\n"
    "options under \"plugin_options\": {\"<plugin name>\": {\"<option>\": value}}\n"
    "(--set PLUGIN.OPTION=VALUE; see 'hyperexport plugins info ID'). Secrets are refused.\n\n"
    "Exit status: 0 on success, 1 when a profile is missing or invalid, 2 on a usage error.\n"
    "Run 'hyperexport profiles SUBCOMMAND --help' for the options of each.\n";

constexpr const char* kListUsage =
    "Usage: hyperexport profiles list\n\n"
    "Prints the names of the profiles in the profile directory, sorted, one per line.\n";
constexpr const char* kShowUsage =
    "Usage: hyperexport profiles show NAME|PATH\n\n"
    "Prints the profile NAME (from the profile directory) or the file PATH (any value\n"
    "containing '/') as JSON, after checking every key. Exit 1 when it is missing or invalid.\n";
constexpr const char* kSaveUsage =
    "Usage: hyperexport profiles save NAME (--from FILE | --set KEY=VALUE...) [--force]\n\n"
    "Writes the profile directory's NAME.json (atomically; the directory is created\n"
    "private, 0700). With --from, the keys come from FILE (its \"name\" is replaced by\n"
    "NAME); with --set, from the command line: true/false for switches, a number for\n"
    "parallel, text for the rest. Every value is checked before anything is written.\n";
constexpr const char* kDeleteUsage =
    "Usage: hyperexport profiles delete NAME\n\n"
    "Removes the profile NAME. Exit 1 when there is no such profile.\n";

const SubcommandOperand kProfileOperand{"name", "missing NAME (the profile)"};

po::options_description help_only() {
    po::options_description options("Options");
    options.add_options()("help,h", "show this help and exit");
    return options;
}

// A ProfileError about the name itself is the user's typing, not a file.
bool is_name_error(const core::ProfileError& error) {
    return std::string_view(error.what()).starts_with("invalid profile name");
}

int run_list(const GlobalOptions& global, const std::vector<std::string>& args) {
    po::variables_map values;
    if (int code = parse_subcommand(args, help_only(), nullptr, values, "profiles list", kListUsage);
        code >= 0)
        return code;
    try {
        const auto names = core::list_profiles();
        for (const auto& name : names) std::cout << name << "\n";
        std::cout.flush();
        if (names.empty() && !global.quiet)
            std::cerr << "hyperexport: no profiles in " << core::profiles_dir().string() << std::endl;
    } catch (const core::ProfileError& error) {
        return failure(error.what());
    }
    return kExitOk;
}

// Refuses plugin keys no installed plugin declares, and secrets.
std::optional<std::string> check_plugin_keys(const core::ExportProfile& profile,
                                             const core::PluginRegistry& registry) {
    const auto problems = unclaimed_profile_keys(profile, registry, profile.provider.value_or(""));
    if (!problems.empty()) return "profile " + profile.name + ": " + problems.front();
    // A secret may not be kept, whether in its section or in the flat spelling.
    std::vector<std::pair<PluginFlagGroup, bool>> groups;
    if (profile.provider)
        if (auto group = provider_flag_group(registry, *profile.provider))
            groups.emplace_back(std::move(*group), true);
    for (auto& group : converter_flag_groups(registry)) groups.emplace_back(std::move(group), false);
    for (const auto& [group, provider] : groups) {
        const std::string plugin_name = provider ? *profile.provider : group.prefix;
        const auto values = profile_values(profile, group, plugin_name, provider);
        for (const auto& option : group.options)
            if (option.secret() && values.count(option.name))
                return "profile " + profile.name + ": \"" + option.name + "\" of " + group.owner +
                       " is a secret and is never kept in a profile";
    }
    return std::nullopt;
}

int run_show(const GlobalOptions& global, const std::vector<std::string>& args) {
    po::variables_map values;
    if (int code = parse_subcommand(args, help_only(), &kProfileOperand, values, "profiles show", kShowUsage);
        code >= 0)
        return code;
    core::PluginRegistry registry;
    discover_plugins(global, registry);
    try {
        const core::ExportProfile profile =
            core::load_profile(values["name"].as<std::string>(), profile_key_claim(registry));
        if (const auto problem = check_plugin_keys(profile, registry)) return failure(*problem);
        std::cout << core::profile_to_json(profile) << std::flush;
    } catch (const core::ProfileError& error) {
        if (is_name_error(error)) return usage_error(error.what(), "profiles show");
        return failure(error.what());
    }
    return kExitOk;
}

bool is_integer(const std::string& text) {
    size_t start = (!text.empty() && text[0] == '-') ? 1 : 0;
    if (text.size() == start || text.size() > start + 9) return false;
    for (size_t i = start; i < text.size(); ++i)
        if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
    return true;
}

// The JSON values one --set VALUE may stand for, most specific first: "true"
// is a switch, "4" a number, anything (also those) text. core decides which
// one the key takes, so the rules and their messages live in one place.
std::vector<rapidjson::Value> candidates(const std::string& text, rapidjson::Document::AllocatorType& alloc) {
    std::vector<rapidjson::Value> out;
    if (text == "true" || text == "false") out.emplace_back(text == "true");
    if (is_integer(text)) out.emplace_back(std::stoi(text));
    out.emplace_back(text, alloc);
    return out;
}

// Adds PLUGIN.OPTION=VALUE to the document's plugin_options section.
std::optional<std::string> apply_plugin_set(const std::string& pair, const std::string& key,
                                            const std::string& text, rapidjson::Document& document) {
    const auto dot = key.find('.');
    const std::string plugin = key.substr(0, dot);
    const std::string option = key.substr(dot + 1);
    if (plugin.empty() || option.empty() || option.find('.') != std::string::npos)
        return "--set " + pair + ": expected PLUGIN.OPTION=VALUE";
    auto& alloc = document.GetAllocator();
    if (!document.HasMember("plugin_options"))
        document.AddMember("plugin_options", rapidjson::Value(rapidjson::kObjectType), alloc);
    rapidjson::Value& sections = document["plugin_options"];
    if (!sections.HasMember(plugin.c_str()))
        sections.AddMember(rapidjson::Value(plugin, alloc), rapidjson::Value(rapidjson::kObjectType), alloc);
    rapidjson::Value& section = sections[plugin.c_str()];
    section.RemoveMember(option.c_str());  // the last --set of a key wins
    section.AddMember(rapidjson::Value(option, alloc), candidates(text, alloc).front(), alloc);
    return std::nullopt;
}

// Adds KEY=VALUE to `document`; on a bad pair returns the message.
std::optional<std::string> apply_set(const std::string& pair, rapidjson::Document& document,
                                     const core::ProfileKeyClaim& claim) {
    const auto equals = pair.find('=');
    if (equals == std::string::npos || equals == 0) return "--set expects KEY=VALUE, got '" + pair + "'";
    const std::string key = pair.substr(0, equals);
    const std::string text = pair.substr(equals + 1);
    if (key == "name") return "--set name=...: the name is the NAME argument";
    if (key.find('.') != std::string::npos) return apply_plugin_set(pair, key, text, document);
    auto& alloc = document.GetAllocator();
    std::optional<std::string> first_error;
    for (auto& candidate : candidates(text, alloc)) {
        rapidjson::Document single(rapidjson::kObjectType);
        single.AddMember(rapidjson::Value(key, single.GetAllocator()),
                         rapidjson::Value(candidate, single.GetAllocator()), single.GetAllocator());
        rapidjson::StringBuffer buffer;
        rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
        single.Accept(writer);
        try {
            core::parse_profile_json(std::string_view(buffer.GetString(), buffer.GetSize()), "--set", claim);
        } catch (const core::ProfileError& error) {
            // "profile --set: <what>" -> "--set KEY=VALUE: <what>"
            std::string message = error.what();
            const std::string prefix = "profile --set: ";
            if (message.starts_with(prefix)) message.erase(0, prefix.size());
            if (!first_error) first_error = "--set " + pair + ": " + message;
            continue;
        }
        document.RemoveMember(key.c_str());  // the last --set of a key wins
        document.AddMember(rapidjson::Value(key, alloc), candidate, alloc);
        return std::nullopt;
    }
    return first_error;
}

int run_save(const GlobalOptions& global, const std::vector<std::string>& args) {
    po::options_description options("Options");
    std::string from;
    std::vector<std::string> sets;
    // clang-format off
    options.add_options()
        ("help,h", "show this help and exit")
        ("from", po::value<std::string>(&from)->value_name("FILE"), "take the keys from this profile JSON file")
        ("set", po::value<std::vector<std::string>>(&sets)->value_name("KEY=VALUE"), "set one key (repeatable)")
        ("force", "replace an existing profile");
    // clang-format on
    po::variables_map values;
    if (int code = parse_subcommand(args, options, &kProfileOperand, values, "profiles save", kSaveUsage);
        code >= 0)
        return code;
    const std::string name = values["name"].as<std::string>();
    if (name.find('/') != std::string::npos)
        return usage_error("profiles save takes a NAME, not a path: '" + name + "'", "profiles save");
    if (!from.empty() && !sets.empty()) return usage_error("use --from or --set, not both", "profiles save");
    if (from.empty() && sets.empty())
        return usage_error("nothing to save: give --from FILE or --set KEY=VALUE", "profiles save");

    core::PluginRegistry registry;
    discover_plugins(global, registry);
    const core::ProfileKeyClaim claim = profile_key_claim(registry);
    core::ExportProfile profile;
    try {
        if (!from.empty()) {
            // load_profile reads any value with a '/' as a path.
            profile = core::load_profile(from.find('/') == std::string::npos ? "./" + from : from, claim);
        } else {
            rapidjson::Document document(rapidjson::kObjectType);
            for (const auto& pair : sets)
                if (auto error = apply_set(pair, document, claim))
                    return usage_error(*error, "profiles save");
            rapidjson::StringBuffer buffer;
            rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
            document.Accept(writer);
            profile = core::parse_profile_json(std::string_view(buffer.GetString(), buffer.GetSize()),
                                               "--set", claim);
        }
        profile.name = name;
        if (const auto problem = check_plugin_keys(profile, registry)) return failure(*problem);
        core::save_profile(profile, values.count("force") > 0);
        if (!global.quiet)
            std::cerr << "hyperexport: saved profile " << name << " ("
                      << (core::profiles_dir() / (name + ".json")).string() << ")" << std::endl;
    } catch (const core::ProfileError& error) {
        if (is_name_error(error)) return usage_error(error.what(), "profiles save");
        return failure(error.what());
    }
    return kExitOk;
}

int run_delete(const GlobalOptions& global, const std::vector<std::string>& args) {
    po::variables_map values;
    if (int code =
            parse_subcommand(args, help_only(), &kProfileOperand, values, "profiles delete", kDeleteUsage);
        code >= 0)
        return code;
    const std::string name = values["name"].as<std::string>();
    if (name.find('/') != std::string::npos)
        return usage_error("profiles delete takes a NAME, not a path: '" + name + "'", "profiles delete");
    try {
        const fs::path path = core::profiles_dir() / (name + ".json");
        if (!core::delete_profile(name)) return failure("profile " + path.string() + ": does not exist");
        if (!global.quiet) std::cerr << "hyperexport: deleted profile " << name << std::endl;
    } catch (const core::ProfileError& error) {
        if (is_name_error(error)) return usage_error(error.what(), "profiles delete");
        return failure(error.what());
    }
    return kExitOk;
}

int run_profiles(const GlobalOptions& global, const std::vector<std::string>& args) {
    if (args.empty())
        return usage_error("profiles: missing subcommand (list, show, save or delete)", "profiles");
    const std::string& subcommand = args.front();
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (subcommand == "--help" || subcommand == "-h" || subcommand == "help") {
        std::cout << kProfilesHelp;
        return kExitOk;
    }
    if (subcommand == "list") return run_list(global, rest);
    if (subcommand == "show") return run_show(global, rest);
    if (subcommand == "save") return run_save(global, rest);
    if (subcommand == "delete") return run_delete(global, rest);
    return usage_error("profiles: unknown subcommand '" + subcommand + "'", "profiles");
}

}  // namespace

const bool profiles_registered = register_command(
    {"profiles", "list, show, save or delete export profiles (~/.hyperexport/profiles)", run_profiles, {}});

}  // namespace hypersdk::host
