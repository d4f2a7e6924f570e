#include "hypersdk/plugin_common/converter_params.hpp"

#include <hypersdk/cxx/plugin.hpp>

#include <cstring>

#include "hypersdk/plugin_common/json_access.hpp"

namespace hypersdk::plugin_common {
namespace {

rapidjson::Document parse_object(const char* json, const std::string& what) {
    rapidjson::Document doc;
    if (json == nullptr || std::strspn(json, " \t\r\n") == std::strlen(json)) {
        doc.SetObject();
        return doc;
    }
    doc = parse_json(json, what);
    if (!doc.IsObject()) throw JsonError(what + " must be a JSON object");
    return doc;
}

// An environment entry's name: not empty, and no '=' (which would end it).
bool valid_variable_name(const std::string& name) {
    return !name.empty() && name.find('=') == std::string::npos;
}

}  // namespace

ConverterConfig parse_converter_config(const char* json) {
    try {
        const rapidjson::Document doc = parse_object(json, "converter config");
        ConverterConfig config;
        // "binary" is the option the converters declare (--<name>-binary);
        // "binary_path" is the key of ABI 1.0 hosts.
        config.binary_path = get_string(doc, "binary", "").value_or(get_string(doc, "binary_path", "").value_or(""));
        config.timeout_seconds = get_number(doc, "timeout_seconds", "", 0).value_or(0);
        config.working_directory = get_string(doc, "working_directory", "").value_or("");
        if (const rapidjson::Value* env = get_object(doc, "environment", "")) {
            for (auto it = env->MemberBegin(); it != env->MemberEnd(); ++it) {
                const std::string name(it->name.GetString(), it->name.GetStringLength());
                if (!valid_variable_name(name))
                    throw JsonError("key 'environment' holds an invalid variable name '" + name + "'");
                if (!it->value.IsString()) throw JsonError("key 'environment." + name + "' must be a string");
                config.environment[name] = std::string(it->value.GetString(), it->value.GetStringLength());
            }
        }
        config.environment_unset =
            get_string_array(doc, "environment_unset", "").value_or(std::vector<std::string>{});
        for (const std::string& name : config.environment_unset)
            if (!valid_variable_name(name))
                throw JsonError("key 'environment_unset' holds an invalid variable name '" + name + "'");
        return config;
    } catch (const JsonError& e) {
        throw cxx::Error(HYPERSDK_ERR_INVALID_ARGUMENT, std::string("converter config: ") + e.what());
    }
}

ConvertOptions parse_convert_options(const char* json) {
    try {
        const rapidjson::Document doc = parse_object(json, "convert options");
        ConvertOptions options;
        options.stream_output = get_bool(doc, "stream_output", "").value_or(false);
        options.verbose = static_cast<int>(get_int(doc, "verbose", "", 0, 3).value_or(0));
        options.dry_run = get_bool(doc, "dry_run", "").value_or(false);
        options.target_format = get_string(doc, "target_format", "").value_or("");
        options.compression_level = static_cast<int>(get_int(doc, "compression_level", "", 0, 9).value_or(0));
        options.preserve_mac = get_bool(doc, "preserve_mac", "").value_or(false);
        options.custom_args = get_string_array(doc, "custom_args", "").value_or(std::vector<std::string>{});
        options.group_readable = get_bool(doc, "group_readable", "").value_or(false);
        options.overwrite = get_bool(doc, "overwrite", "").value_or(false);
        options.replaceable = get_string_array(doc, "replaceable", "").value_or(std::vector<std::string>{});
        return options;
    } catch (const JsonError& e) {
        throw cxx::Error(HYPERSDK_ERR_INVALID_ARGUMENT, std::string("convert options: ") + e.what());
    }
}

}  // namespace hypersdk::plugin_common
