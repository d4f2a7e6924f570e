// Resolving a plugin's declared options (plugin_options.hpp) into the typed
// values its config JSON carries. Order: command line, then profile, then
// environment, then the declared default. Every value is checked against its
// type before the plugin sees it; every problem is one line naming the flag
// (and the variables) to use. Secrets come only from a file (--NAME-file) or
// the declared environment variables, and are shown only as "(set)".
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "hypersdk/core/plugin_options.hpp"

namespace hypersdk::core {

enum class OptionSource { command_line, profile, environment, default_value };

struct OptionInput {
    // Option name -> the values given on the command line, in order (a list
    // option may be repeated; anything else uses the last). For a secret:
    // the FILE of --NAME-file.
    std::map<std::string, std::vector<std::string>> command_line;
    // Secret option name -> the variable --NAME-env named (read at resolution).
    std::map<std::string, std::string> secret_variables;
    // Option name -> the values of the plugin's profile section, written as
    // on a command line (bool "true"/"false", integer digits, list items).
    std::map<std::string, std::vector<std::string>> profile;
    std::string profile_name;  // for messages
    // The environment; unset = the process environment.
    std::function<std::optional<std::string>(const std::string&)> environment;
    // The flag prefix ("" for providers, the converter's name for converters).
    std::string flag_prefix;
    // Who the options belong to, for messages: "the vsphere provider".
    std::string owner;
};

using OptionValue = std::variant<std::string, bool, int64_t, std::vector<std::string>>;

struct ResolvedOption {
    std::string name;
    OptionType type = OptionType::string;
    OptionValue value;
    OptionSource source = OptionSource::default_value;
    std::string origin;  // "--url", "GOVC_URL", "profile p", "default"
    bool secret() const { return type == OptionType::secret; }
};

struct OptionResolution {
    std::vector<ResolvedOption> values;  // options that have a value, in table order
    std::vector<std::string> errors;     // bad values given: one line each
    std::vector<std::string> missing;    // required options nothing gave: one line each

    // Nothing wrong: the plugin may be called with these values.
    bool ok() const { return errors.empty() && missing.empty(); }
    const ResolvedOption* find(const std::string& name) const;
    // The values as a JSON object's members ("name": typed value, ...),
    // without the braces, so callers can add their own keys. Holds secrets:
    // never log or print it.
    std::string json_members() const;
    // name -> value as text for --dry-run and plugins info; secrets "(set)".
    std::vector<std::pair<std::string, std::string>> display() const;
};

OptionResolution resolve_options(const std::vector<PluginOption>& options, const OptionInput& input);

// The first line of a secret file, without its line ending. Throws
// std::runtime_error naming the file (never its content) when it cannot be
// read or is empty.
std::string read_secret_file(const std::filesystem::path& file);

}  // namespace hypersdk::core
