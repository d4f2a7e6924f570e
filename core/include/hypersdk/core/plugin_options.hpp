// The options a plugin declares (sdk/include/hypersdk/options.h), as value
// types the host can keep after the plugin's tables are copied, and the
// checks a table must pass before the plugin is registered.
#pragma once

#include <hypersdk/options.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hypersdk::core {

enum class OptionType { string, boolean, integer, path, list, secret };

struct PluginOption {
    std::string name;  // [a-z][a-z0-9-]*
    OptionType type = OptionType::string;
    std::string value_name;  // never empty (derived from the type when the plugin gave none)
    std::string help;
    std::optional<std::string> default_value;  // as written on a command line
    std::vector<std::string> env;              // consulted in order
    bool required = false;
    std::optional<int64_t> min_value, max_value;  // integers with HYPERSDK_OPTION_RANGE

    bool secret() const { return type == OptionType::secret; }
};

// "string", "bool", "integer", "path", "list", "secret".
std::string_view option_type_name(OptionType type);

inline constexpr size_t kMaxOptionNameBytes = 48;

// Reads a NULL-terminated option table (nullptr: no options). Every entry is
// copied (min(struct_size, ours), the rest zeroed) and checked: name syntax
// and uniqueness, type, help, default (parsable as the type; none for a
// secret), environment variable names, range. On the first problem returns
// nullopt with `error` naming the option and what to fix.
std::optional<std::vector<PluginOption>> read_option_table(const hypersdk_option* const* table,
                                                           std::string& error);

// Parses `text` as a value of `option` (a bool word, an integer in range, ...).
// Returns the problem, or "" when it is fine.
std::string check_option_value(const PluginOption& option, std::string_view text);

// The command-line flags (without "--") an option occupies, first the one
// --help shows: "region"; for a secret "password-file", "password-env" (the
// name of a variable holding it) and "password" (only so the host can refuse
// a value there with the right advice). Converter options take the
// converter's name as a prefix: "hyper2kvm-binary".
std::vector<std::string> option_flag_names(const PluginOption& option, std::string_view prefix = {});

// true/false for the words a user types: 1/0, true/false, yes/no, on/off
// (any case). nullopt for anything else.
std::optional<bool> parse_bool_word(std::string_view text);

}  // namespace hypersdk::core
