// Typed, checked access to RapidJSON values. Every error names the key (as a
// dotted path such as "pipeline.convert.compress_level") and what was
// expected, so a bad document is fixed in one look.
#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace hypersdk::plugin_common {

class JsonError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Parses text with the limits every reader of untrusted JSON uses
// (hypersdk/manifest/json_limits.hpp: at most 64 MiB, 128 levels of nesting,
// no recursion, UTF-8 checked); throws JsonError("<what> is not valid JSON:
// <reason> (at byte N)") or ("<what> is nested deeper than 128 levels").
rapidjson::Document parse_json(std::string_view text, const std::string& what);

// Reads a whole regular file of at most max_bytes (a report.json the size of
// a disk, /dev/zero or a FIFO is refused, never read forever); throws
// JsonError naming the file when it cannot.
std::string read_text_file(const std::string& path, size_t max_bytes = 64u << 20);

// "a.b" from a prefix and a key; the prefix may be empty.
std::string key_path(const std::string& prefix, std::string_view key);

// The member, or nullptr when absent or JSON null.
const rapidjson::Value* find_member(const rapidjson::Value& object, const char* key);

// Each getter returns nullopt when the key is absent or null and throws
// JsonError when it has the wrong type or range.
std::optional<std::string> get_string(const rapidjson::Value& object, const char* key,
                                      const std::string& prefix);
std::optional<bool> get_bool(const rapidjson::Value& object, const char* key, const std::string& prefix);
std::optional<int64_t> get_int(const rapidjson::Value& object, const char* key, const std::string& prefix,
                               int64_t min = INT64_MIN, int64_t max = INT64_MAX);
std::optional<double> get_number(const rapidjson::Value& object, const char* key, const std::string& prefix,
                                 double min = -1e308);
// An object member; nullptr when absent or null; JsonError when not an object.
const rapidjson::Value* get_object(const rapidjson::Value& object, const char* key,
                                   const std::string& prefix);
const rapidjson::Value* get_array(const rapidjson::Value& object, const char* key, const std::string& prefix);
std::optional<std::vector<std::string>> get_string_array(const rapidjson::Value& object, const char* key,
                                                         const std::string& prefix);

// Serializes a value compactly.
std::string to_json_text(const rapidjson::Value& value);

}  // namespace hypersdk::plugin_common
