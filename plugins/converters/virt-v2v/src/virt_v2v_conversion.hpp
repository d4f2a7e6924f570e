// One conversion job of the virt-v2v converter: the boot disk (or the OVF/OVA
// beside it) through `virt-v2v -o local`, then the <name>-sdX files it wrote.
#pragma once

#include <hypersdk/cxx/plugin.hpp>

#include <string>

#include "hypersdk/plugin_common/conversion_result.hpp"
#include "hypersdk/plugin_common/converter_params.hpp"

namespace hypersdk::virt_v2v {

inline constexpr const char* kPluginId = "org.hypersdk.converter.virt-v2v";

// Fills result; throws cxx::Error on failure.
void convert_manifest(const cxx::Job& job, const plugin_common::ConverterConfig& config,
                      const std::string& manifest_path, const plugin_common::ConvertOptions& options,
                      plugin_common::ConversionResult& result);

}  // namespace hypersdk::virt_v2v
