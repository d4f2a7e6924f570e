#include "hypersdk/plugin_common/json_access.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <hypersdk/manifest/json_limits.hpp>
#include <hypersdk/manifest/regular_file.hpp>

#include <cmath>
#include <sstream>
#include <system_error>

namespace hypersdk::plugin_common {
namespace {

const char* type_name(const rapidjson::Value& v) {
    if (v.IsNull()) return "null";
    if (v.IsBool()) return "a boolean";
    if (v.IsString()) return "a string";
    if (v.IsNumber()) return "a number";
    if (v.IsArray()) return "an array";
    return "an object";
}

[[noreturn]] void wrong_type(const std::string& path, const char* expected, const rapidjson::Value& got) {
    throw JsonError("key '" + path + "' must be " + expected + ", not " + type_name(got));
}

}  // namespace

rapidjson::Document parse_json(std::string_view text, const std::string& what) {
    rapidjson::Document doc;
    if (const std::string reason = manifest::parse_json_into(doc, text); !reason.empty())
        throw JsonError(what + " is " + reason);
    return doc;
}

std::string read_text_file(const std::string& path, size_t max_bytes) {
    try {
        return manifest::read_regular_file(path, max_bytes);
    } catch (const manifest::UnreadableFileError& error) {
        throw JsonError(error.what());
    } catch (const std::system_error& error) {
        throw JsonError("cannot read " + path + ": " + error.code().message());
    }
}

std::string key_path(const std::string& prefix, std::string_view key) {
    return prefix.empty() ? std::string(key) : prefix + "." + std::string(key);
}

const rapidjson::Value* find_member(const rapidjson::Value& object, const char* key) {
    if (!object.IsObject()) return nullptr;
    const auto it = object.FindMember(key);
    if (it == object.MemberEnd() || it->value.IsNull()) return nullptr;
    return &it->value;
}

std::optional<std::string> get_string(const rapidjson::Value& object, const char* key,
                                      const std::string& prefix) {
    const rapidjson::Value* v = find_member(object, key);
    if (v == nullptr) return std::nullopt;
    if (!v->IsString()) wrong_type(key_path(prefix, key), "a string", *v);
    return std::string(v->GetString(), v->GetStringLength());
}

std::optional<bool> get_bool(const rapidjson::Value& object, const char* key, const std::string& prefix) {
    const rapidjson::Value* v = find_member(object, key);
    if (v == nullptr) return std::nullopt;
    if (!v->IsBool()) wrong_type(key_path(prefix, key), "true or false", *v);
    return v->GetBool();
}

std::optional<int64_t> get_int(const rapidjson::Value& object, const char* key, const std::string& prefix,
                               int64_t min, int64_t max) {
    const rapidjson::Value* v = find_member(object, key);
    if (v == nullptr) return std::nullopt;
    int64_t value = 0;
    if (v->IsInt64()) {
        value = v->GetInt64();
    } else if (v->IsDouble() && std::floor(v->GetDouble()) == v->GetDouble() &&
               std::abs(v->GetDouble()) < 9e18) {
        value = static_cast<int64_t>(v->GetDouble());
    } else {
        wrong_type(key_path(prefix, key), "an integer", *v);
    }
    if (value < min || value > max) {
        std::string range = "an integer";
        if (min != INT64_MIN) range += " >= " + std::to_string(min);
        if (max != INT64_MAX) range += (min != INT64_MIN ? " and <= " : " <= ") + std::to_string(max);
        throw JsonError("key '" + key_path(prefix, key) + "' must be " + range + ", not " +
                        std::to_string(value));
    }
    return value;
}

std::optional<double> get_number(const rapidjson::Value& object, const char* key, const std::string& prefix,
                                 double min) {
    const rapidjson::Value* v = find_member(object, key);
    if (v == nullptr) return std::nullopt;
    if (!v->IsNumber()) wrong_type(key_path(prefix, key), "a number", *v);
    const double value = v->GetDouble();
    if (value < min) {
        std::ostringstream msg;
        msg << "key '" << key_path(prefix, key) << "' must be a number >= " << min << ", not " << value;
        throw JsonError(msg.str());
    }
    return value;
}

const rapidjson::Value* get_object(const rapidjson::Value& object, const char* key,
                                   const std::string& prefix) {
    const rapidjson::Value* v = find_member(object, key);
    if (v != nullptr && !v->IsObject()) wrong_type(key_path(prefix, key), "an object", *v);
    return v;
}

const rapidjson::Value* get_array(const rapidjson::Value& object, const char* key,
                                  const std::string& prefix) {
    const rapidjson::Value* v = find_member(object, key);
    if (v != nullptr && !v->IsArray()) wrong_type(key_path(prefix, key), "an array", *v);
    return v;
}

std::optional<std::vector<std::string>> get_string_array(const rapidjson::Value& object, const char* key,
                                                         const std::string& prefix) {
    const rapidjson::Value* v = get_array(object, key, prefix);
    if (v == nullptr) return std::nullopt;
    std::vector<std::string> out;
    for (rapidjson::SizeType i = 0; i < v->Size(); ++i) {
        const auto& item = (*v)[i];
        if (!item.IsString())
            wrong_type(key_path(prefix, key) + "[" + std::to_string(i) + "]", "a string", item);
        out.emplace_back(item.GetString(), item.GetStringLength());
    }
    return out;
}

std::string to_json_text(const rapidjson::Value& value) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    value.Accept(writer);
    return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace hypersdk::plugin_common
