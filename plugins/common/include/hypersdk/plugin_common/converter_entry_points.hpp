// The C entry points every converter plugin needs (validate, version,
// convert, get_interface), generated from three C++ functions of the plugin.
// Every entry runs inside guard()/run_convert_entry(), so no exception
// crosses the ABI and the host always gets a ConversionResult document.
#pragma once

#include <hypersdk/converter.h>
#include <hypersdk/cxx/plugin.hpp>

#include <cstring>
#include <string>

#include "hypersdk/plugin_common/conversion_result.hpp"
#include "hypersdk/plugin_common/convert_entry.hpp"
#include "hypersdk/plugin_common/converter_params.hpp"

namespace hypersdk::plugin_common {

struct ConverterFunctions {
    // Throws cxx::Error (TOOL_MISSING / TOOL_FAILED, saying how to fix it)
    // when the tool cannot be used with this config.
    void (*check_tool)(const ConverterConfig& config);
    // The tool's bare version ("7.2.0").
    std::string (*tool_version)(const ConverterConfig& config);
    // Fills result; throws cxx::Error on failure.
    void (*convert)(const cxx::Job& job, const ConverterConfig& config, const std::string& manifest_path,
                    const ConvertOptions& options, ConversionResult& result);
};

template <const ConverterFunctions& Functions>
int32_t validate_entry(const char* config_json, hypersdk_job* job) {
    return cxx::guard(job, [&] { Functions.check_tool(parse_converter_config(config_json)); });
}

template <const ConverterFunctions& Functions>
int32_t version_entry(const char* config_json, hypersdk_job* job, hypersdk_buffer* out_version) {
    return cxx::guard(job, [&] {
        cxx::Buffer(out_version).append(Functions.tool_version(parse_converter_config(config_json)));
    });
}

template <const ConverterFunctions& Functions>
int32_t convert_entry(const char* config_json, const char* manifest_path, const char* options_json,
                      hypersdk_job* job, hypersdk_buffer* out_result_json) {
    return run_convert_entry(job, out_result_json, [&](ConversionResult& result) {
        const auto config = parse_converter_config(config_json);
        const auto options = parse_convert_options(options_json);
        if (manifest_path == nullptr || *manifest_path == '\0')
            throw cxx::Error(HYPERSDK_ERR_INVALID_ARGUMENT, "no manifest path given");
        Functions.convert(cxx::Job(job), config, manifest_path, options, result);
    });
}

// The interface table: static, plugin-owned, valid while the plugin is loaded.
template <const ConverterFunctions& Functions, const hypersdk_converter_capabilities& Capabilities>
inline constexpr hypersdk_converter converter_table = {
    sizeof(hypersdk_converter), &Capabilities, validate_entry<Functions>, version_entry<Functions>,
    convert_entry<Functions>,
};

// The descriptor's get_interface for a plugin that offers only this converter.
template <const hypersdk_converter& Table>
const void* converter_get_interface(const char* interface_id) {
    if (interface_id != nullptr && std::strcmp(interface_id, HYPERSDK_CONVERTER_INTERFACE_ID) == 0)
        return &Table;
    return nullptr;
}

}  // namespace hypersdk::plugin_common
