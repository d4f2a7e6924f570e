#include "hypersdk/core/option_resolution.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <system_error>

namespace hypersdk::core {
namespace {

namespace fs = std::filesystem;

std::optional<std::string> process_environment(const std::string& name) {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
}

std::vector<std::string> split_list(const std::string& text) {
    std::vector<std::string> items;
    size_t start = 0;
    while (start <= text.size()) {
        const size_t comma = text.find(',', start);
        const size_t end = comma == std::string::npos ? text.size() : comma;
        if (end > start) items.push_back(text.substr(start, end - start));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return items;
}

std::string flag_of(const PluginOption& option, const OptionInput& input) {
    return "--" + option_flag_names(option, input.flag_prefix).front();
}

// "--url or GOVC_URL", "--password-file or GOVC_PASSWORD".
std::string ways_to_set(const PluginOption& option, const OptionInput& input) {
    std::string ways = flag_of(option, input);
    for (const auto& variable : option.env) ways += " or " + variable;
    return ways;
}

// Text -> typed value; nullopt with `problem` when it does not parse.
std::optional<OptionValue> typed_value(const PluginOption& option, const std::vector<std::string>& texts,
                                       std::string& problem) {
    if (option.type == OptionType::list) {
        std::vector<std::string> items;
        for (const auto& text : texts)
            for (auto& item : split_list(text)) items.push_back(std::move(item));
        return items;
    }
    const std::string& text = texts.back();
    problem = check_option_value(option, text);
    if (!problem.empty()) return std::nullopt;
    switch (option.type) {
        case OptionType::boolean:
            return *parse_bool_word(text);
        case OptionType::integer:
            return static_cast<int64_t>(std::stoll(text));
        case OptionType::path: {
            std::error_code ec;
            const fs::path absolute = fs::absolute(text, ec);
            return ec ? text : absolute.lexically_normal().string();
        }
        default:
            return text;
    }
}

std::string value_text(const ResolvedOption& resolved) {
    if (resolved.secret()) return "(set)";
    return std::visit(
        [](const auto& value) -> std::string {
            using T = std::decay_t<decltype(value)>;
            if constexpr (std::is_same_v<T, bool>) {
                return value ? "true" : "false";
            } else if constexpr (std::is_same_v<T, int64_t>) {
                return std::to_string(value);
            } else if constexpr (std::is_same_v<T, std::string>) {
                return value;
            } else {
                std::string joined;
                for (const auto& item : value) joined += (joined.empty() ? "" : ",") + item;
                return joined;
            }
        },
        resolved.value);
}

}  // namespace

std::string read_secret_file(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + file.string());
    std::string line;
    std::getline(in, line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) throw std::runtime_error(file.string() + " is empty (the secret is its first line)");
    return line;
}

const ResolvedOption* OptionResolution::find(const std::string& name) const {
    for (const auto& value : values)
        if (value.name == name) return &value;
    return nullptr;
}

std::string OptionResolution::json_members() const {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartObject();
    for (const auto& resolved : values) {
        writer.Key(resolved.name.c_str(), static_cast<rapidjson::SizeType>(resolved.name.size()));
        std::visit(
            [&writer](const auto& value) {
                using T = std::decay_t<decltype(value)>;
                if constexpr (std::is_same_v<T, bool>) {
                    writer.Bool(value);
                } else if constexpr (std::is_same_v<T, int64_t>) {
                    writer.Int64(value);
                } else if constexpr (std::is_same_v<T, std::string>) {
                    writer.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
                } else {
                    writer.StartArray();
                    for (const auto& item : value)
                        writer.String(item.c_str(), static_cast<rapidjson::SizeType>(item.size()));
                    writer.EndArray();
                }
            },
            resolved.value);
    }
    writer.EndObject();
    std::string text = buffer.GetString();
    return text.substr(1, text.size() - 2);  // without the braces
}

std::vector<std::pair<std::string, std::string>> OptionResolution::display() const {
    std::vector<std::pair<std::string, std::string>> rows;
    for (const auto& resolved : values) rows.emplace_back(resolved.name, value_text(resolved));
    return rows;
}

OptionResolution resolve_options(const std::vector<PluginOption>& options, const OptionInput& input) {
    OptionResolution resolution;
    const auto environment = input.environment ? input.environment : process_environment;
    for (const PluginOption& option : options) {
        ResolvedOption resolved;
        resolved.name = option.name;
        resolved.type = option.type;
        std::vector<std::string> texts;
        const std::string flag = flag_of(option, input);

        if (const auto it = input.secret_variables.find(option.name);
            option.secret() && it != input.secret_variables.end()) {
            resolved.source = OptionSource::command_line;
            resolved.origin = "--" + option_flag_names(option, input.flag_prefix)[1] + " " + it->second;
            auto value = environment(it->second);
            if (!value || value->empty()) {
                resolution.errors.push_back(resolved.origin + ": the variable is not set");
                continue;
            }
            texts.push_back(std::move(*value));
        } else if (const auto it = input.command_line.find(option.name);
                   it != input.command_line.end() && !it->second.empty()) {
            resolved.source = OptionSource::command_line;
            resolved.origin = flag;
            if (option.secret()) {
                try {
                    texts.push_back(read_secret_file(it->second.back()));
                } catch (const std::exception& error) {
                    resolution.errors.push_back(flag + ": " + error.what());
                    continue;
                }
            } else {
                texts = it->second;
            }
        } else if (const auto entry = input.profile.find(option.name);
                   entry != input.profile.end() && !entry->second.empty()) {
            if (option.secret()) {
                resolution.errors.push_back("profile " + input.profile_name + ": \"" + option.name +
                                            "\" is a secret and is never kept in a profile: use " +
                                            ways_to_set(option, input));
                continue;
            }
            resolved.source = OptionSource::profile;
            resolved.origin = "profile " + input.profile_name;
            texts = entry->second;
        } else {
            for (const auto& variable : option.env) {
                if (auto value = environment(variable); value && !value->empty()) {
                    resolved.source = OptionSource::environment;
                    resolved.origin = variable;
                    texts.push_back(std::move(*value));
                    break;
                }
            }
            if (texts.empty() && option.default_value) {
                resolved.source = OptionSource::default_value;
                resolved.origin = "default";
                texts.push_back(*option.default_value);
            }
        }
        if (texts.empty()) {
            if (option.required)
                resolution.missing.push_back(
                    input.owner + " needs " + flag + (option.secret() ? " FILE" : "") +
                    (option.env.empty()
                         ? ""
                         : " (or " + option.env.front() + (option.env.size() > 1 ? ", ..." : "") + ")") +
                    ": " + option.help);
            continue;
        }
        std::string problem;
        auto value = typed_value(option, texts, problem);
        if (!value) {
            // Never echo a secret's text.
            const std::string shown = option.secret() ? std::string() : " '" + texts.back() + "'";
            resolution.errors.push_back("invalid value" + shown + " for " + flag + " (from " +
                                        resolved.origin + "): " + problem);
            continue;
        }
        resolved.value = std::move(*value);
        resolution.values.push_back(std::move(resolved));
    }
    return resolution;
}

}  // namespace hypersdk::core
