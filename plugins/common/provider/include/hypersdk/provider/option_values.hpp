// The JSON objects a provider is given (docs/provider-json.md): the config of
// open (its declared options, resolved by the host) and the export-options of
// export_vm. Parsed once with the bounded reader; every getter returns nullopt
// for an absent key and throws Error(config) naming the key for a wrong type,
// so a provider never touches RapidJSON for its inputs.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hypersdk::provider {

class OptionValues {
public:
    // `text` may be NULL or empty (no keys). `what` names the document in
    // errors ("the aws configuration"). Throws Error(config) if it is not a
    // JSON object.
    OptionValues(const char* text, std::string what);

    bool has(const char* key) const;
    std::optional<std::string> string(const char* key) const;
    // A non-empty string, or Error(config) with `how_to_set` ("pass --region
    // or set AWS_REGION"): for options the provider cannot work without.
    std::string required_string(const char* key, const std::string& how_to_set) const;
    std::optional<bool> boolean(const char* key) const;
    std::optional<int64_t> integer(const char* key, int64_t min = INT64_MIN, int64_t max = INT64_MAX) const;
    std::optional<double> number(const char* key, double min = -1e308) const;
    std::optional<std::vector<std::string>> strings(const char* key) const;

    const rapidjson::Document& document() const { return document_; }

private:
    std::string what_;
    rapidjson::Document document_;
};

// The export-options every provider takes (docs/provider-json.md#export-options).
struct CommonExportOptions {
    std::string format;  // empty: the provider's first export format
    bool power_off = false;
    int parallel = 4;  // 1..64
};

CommonExportOptions common_export_options(const OptionValues& options);

}  // namespace hypersdk::provider
