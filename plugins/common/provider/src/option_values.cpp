#include "hypersdk/provider/option_values.hpp"

#include <string_view>

#include "hypersdk/plugin_common/json_access.hpp"
#include "hypersdk/provider/error.hpp"

namespace hypersdk::provider {
namespace {

namespace pc = hypersdk::plugin_common;

// A JSON type error is the caller's bad input: Error(config) with the key.
template <typename Fn>
auto as_config_error(Fn&& fn) {
    try {
        return fn();
    } catch (const pc::JsonError& e) {
        throw Error(ErrorKind::config, e.what());
    }
}

}  // namespace

OptionValues::OptionValues(const char* text, std::string what) : what_(std::move(what)) {
    const std::string_view view = text == nullptr || *text == '\0' ? std::string_view("{}") : text;
    document_ = as_config_error([&] { return pc::parse_json(view, what_); });
    if (!document_.IsObject()) throw Error(ErrorKind::config, what_ + " must be a JSON object");
}

bool OptionValues::has(const char* key) const {
    return pc::find_member(document_, key) != nullptr;
}

std::optional<std::string> OptionValues::string(const char* key) const {
    return as_config_error([&] { return pc::get_string(document_, key, ""); });
}

std::string OptionValues::required_string(const char* key, const std::string& how_to_set) const {
    auto value = string(key);
    if (!value || value->empty())
        throw Error(ErrorKind::config, "no " + std::string(key) + " given: " + how_to_set);
    return *value;
}

std::optional<bool> OptionValues::boolean(const char* key) const {
    return as_config_error([&] { return pc::get_bool(document_, key, ""); });
}

std::optional<int64_t> OptionValues::integer(const char* key, int64_t min, int64_t max) const {
    return as_config_error([&] { return pc::get_int(document_, key, "", min, max); });
}

std::optional<double> OptionValues::number(const char* key, double min) const {
    return as_config_error([&] { return pc::get_number(document_, key, "", min); });
}

std::optional<std::vector<std::string>> OptionValues::strings(const char* key) const {
    return as_config_error([&] { return pc::get_string_array(document_, key, ""); });
}

CommonExportOptions common_export_options(const OptionValues& options) {
    CommonExportOptions o;
    o.format = options.string("format").value_or("");
    o.power_off = options.boolean("power_off").value_or(false);
    o.parallel = static_cast<int>(options.integer("parallel", 1, 64).value_or(4));
    return o;
}

}  // namespace hypersdk::provider
