#include "hypersdk/core/plugin_options.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <set>

namespace hypersdk::core {
namespace {

// Bounds on plugin-owned strings, so a table missing a terminator cannot run away.
constexpr size_t kMaxHelpBytes = 1024;
constexpr size_t kMaxValueNameBytes = 32;
constexpr size_t kMaxDefaultBytes = 4096;
constexpr size_t kMaxEnvBytes = 1024;
constexpr uint32_t kMaxOptionStructSize = 4096;

bool is_lower_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool valid_option_name(std::string_view name) {
    if (name.empty() || name.size() > kMaxOptionNameBytes) return false;
    if (name.front() < 'a' || name.front() > 'z') return false;
    if (name.back() == '-') return false;
    return std::all_of(name.begin(), name.end(), [](char c) { return is_lower_alnum(c) || c == '-'; });
}

bool valid_env_name(std::string_view name) {
    if (name.empty()) return false;
    const auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
    if (std::isdigit(static_cast<unsigned char>(name.front()))) return false;
    return std::all_of(name.begin(), name.end(), word);
}

// A plugin-owned C string of at most `limit` bytes, or nullopt when longer.
std::optional<std::string> bounded(const char* text, size_t limit) {
    if (text == nullptr) return std::string();
    const size_t length = strnlen(text, limit + 1);
    if (length > limit) return std::nullopt;
    return std::string(text, length);
}

bool has_control(std::string_view text) {
    return std::any_of(text.begin(), text.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7f;
    });
}

std::vector<std::string> split_env(std::string_view list) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= list.size()) {
        const size_t comma = list.find(',', start);
        const size_t end = comma == std::string_view::npos ? list.size() : comma;
        out.emplace_back(list.substr(start, end - start));
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return out;
}

std::string default_value_name(OptionType type) {
    switch (type) {
        case OptionType::boolean:
            return "BOOL";
        case OptionType::integer:
            return "N";
        case OptionType::path:
            return "PATH";
        case OptionType::list:
            return "A,B";
        case OptionType::secret:
            return "FILE";
        case OptionType::string:
            break;
    }
    return "VALUE";
}

std::optional<OptionType> option_type(uint32_t type) {
    switch (type) {
        case HYPERSDK_OPTION_STRING:
            return OptionType::string;
        case HYPERSDK_OPTION_BOOL:
            return OptionType::boolean;
        case HYPERSDK_OPTION_INTEGER:
            return OptionType::integer;
        case HYPERSDK_OPTION_PATH:
            return OptionType::path;
        case HYPERSDK_OPTION_LIST:
            return OptionType::list;
        case HYPERSDK_OPTION_SECRET:
            return OptionType::secret;
        default:
            return std::nullopt;
    }
}

}  // namespace

std::string_view option_type_name(OptionType type) {
    switch (type) {
        case OptionType::string:
            return "string";
        case OptionType::boolean:
            return "bool";
        case OptionType::integer:
            return "integer";
        case OptionType::path:
            return "path";
        case OptionType::list:
            return "list";
        case OptionType::secret:
            return "secret";
    }
    return "string";
}

std::vector<std::string> option_flag_names(const PluginOption& option, std::string_view prefix) {
    const std::string base = prefix.empty() ? option.name : std::string(prefix) + "-" + option.name;
    if (option.secret()) return {base + "-file", base + "-env", base};
    return {base};
}

std::optional<bool> parse_bool_word(std::string_view text) {
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "1" || lower == "true" || lower == "yes" || lower == "on") return true;
    if (lower == "0" || lower == "false" || lower == "no" || lower == "off") return false;
    return std::nullopt;
}

std::string check_option_value(const PluginOption& option, std::string_view text) {
    switch (option.type) {
        case OptionType::boolean:
            if (!parse_bool_word(text)) return "expected true or false (also 1/0, yes/no, on/off)";
            return {};
        case OptionType::integer: {
            int64_t value = 0;
            const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
            if (ec != std::errc() || end != text.data() + text.size() || text.empty())
                return "expected an integer";
            if ((option.min_value && value < *option.min_value) ||
                (option.max_value && value > *option.max_value))
                return "expected an integer from " + std::to_string(*option.min_value) + " to " +
                       std::to_string(*option.max_value);
            return {};
        }
        case OptionType::path:
            if (text.empty()) return "expected a path";
            if (text.find('\0') != std::string_view::npos) return "must not contain a NUL byte";
            return {};
        case OptionType::string:
        case OptionType::list:
        case OptionType::secret:
            if (text.find('\0') != std::string_view::npos) return "must not contain a NUL byte";
            return {};
    }
    return {};
}

std::optional<std::vector<PluginOption>> read_option_table(const hypersdk_option* const* table,
                                                           std::string& error) {
    std::vector<PluginOption> options;
    if (table == nullptr) return options;
    std::set<std::string> names;
    for (size_t i = 0;; ++i) {
        if (i > HYPERSDK_OPTIONS_MAX) {
            error = "the option table has more than " + std::to_string(HYPERSDK_OPTIONS_MAX) +
                    " entries or misses its NULL terminator";
            return std::nullopt;
        }
        const hypersdk_option* raw = table[i];
        if (raw == nullptr) break;
        const std::string where = "option " + std::to_string(i + 1);
        uint32_t size = 0;
        std::memcpy(&size, raw, sizeof size);
        if (size < HYPERSDK_OPTION_MIN_SIZE || size > kMaxOptionStructSize) {
            error = where + ": struct_size " + std::to_string(size) + " is outside " +
                    std::to_string(HYPERSDK_OPTION_MIN_SIZE) + ".." + std::to_string(kMaxOptionStructSize) +
                    ": build the plugin with the hypersdk headers";
            return std::nullopt;
        }
        hypersdk_option entry{};
        std::memcpy(&entry, raw, std::min<size_t>(size, sizeof entry));

        PluginOption option;
        const auto name = bounded(entry.name, kMaxOptionNameBytes);
        if (entry.name == nullptr || !name || !valid_option_name(*name)) {
            const auto shown = bounded(entry.name, 64);
            error = where + (entry.name == nullptr ? " has no name" : " name '" + shown.value_or("?") + "'") +
                    ": names are [a-z][a-z0-9-]*, at most " + std::to_string(kMaxOptionNameBytes) +
                    " bytes, not ending in '-'";
            return std::nullopt;
        }
        option.name = *name;
        const std::string named = "option '" + option.name + "'";
        if (!names.insert(option.name).second) {
            error = named + " is declared twice";
            return std::nullopt;
        }
        const auto type = option_type(entry.type);
        if (!type) {
            error = named + " has an unknown type " + std::to_string(entry.type) +
                    " (use a HYPERSDK_OPTION_* type)";
            return std::nullopt;
        }
        option.type = *type;
        const auto help = bounded(entry.help, kMaxHelpBytes);
        if (!help || help->empty() || has_control(*help)) {
            error = named + " needs a one-line help text (at most " + std::to_string(kMaxHelpBytes) +
                    " bytes, no control characters)";
            return std::nullopt;
        }
        option.help = *help;
        const auto value_name = bounded(entry.value_name, kMaxValueNameBytes);
        if (!value_name || has_control(*value_name) || value_name->find(' ') != std::string::npos) {
            error = named + " value_name must be one word of at most " + std::to_string(kMaxValueNameBytes) +
                    " bytes";
            return std::nullopt;
        }
        option.value_name = value_name->empty() ? default_value_name(option.type) : *value_name;
        option.required = (entry.flags & HYPERSDK_OPTION_REQUIRED) != 0;
        if (entry.flags & HYPERSDK_OPTION_RANGE) {
            if (option.type != OptionType::integer) {
                error = named + " has HYPERSDK_OPTION_RANGE but is not an integer";
                return std::nullopt;
            }
            if (entry.min_value > entry.max_value) {
                error = named + " range " + std::to_string(entry.min_value) + ".." +
                        std::to_string(entry.max_value) + " is empty";
                return std::nullopt;
            }
            option.min_value = entry.min_value;
            option.max_value = entry.max_value;
        }
        if (entry.env != nullptr) {
            const auto env = bounded(entry.env, kMaxEnvBytes);
            if (!env) {
                error = named + " env list is longer than " + std::to_string(kMaxEnvBytes) + " bytes";
                return std::nullopt;
            }
            for (const std::string& variable : split_env(*env)) {
                if (!valid_env_name(variable)) {
                    error = named + " env list \"" + *env +
                            "\" is not comma-separated variable names ([A-Za-z_][A-Za-z0-9_]*, no spaces)";
                    return std::nullopt;
                }
                option.env.push_back(variable);
            }
        }
        if (entry.default_value != nullptr) {
            if (option.secret()) {
                error = named + " is a secret and cannot have a default value";
                return std::nullopt;
            }
            const auto value = bounded(entry.default_value, kMaxDefaultBytes);
            if (!value) {
                error =
                    named + " default value is longer than " + std::to_string(kMaxDefaultBytes) + " bytes";
                return std::nullopt;
            }
            if (const std::string problem = check_option_value(option, *value); !problem.empty()) {
                error = named + " default value \"" + *value + "\": " + problem;
                return std::nullopt;
            }
            option.default_value = *value;
        }
        options.push_back(std::move(option));
    }
    return options;
}

}  // namespace hypersdk::core
