// One conversion job of the hyper2kvm converter: run hyper2kvm in manifest
// mode, then turn its report.json into the ConversionResult.
#pragma once

#include <hypersdk/cxx/plugin.hpp>

#include <string>

#include "hypersdk/plugin_common/conversion_result.hpp"
#include "hypersdk/plugin_common/converter_params.hpp"

namespace hypersdk::hyper2kvm {

inline constexpr const char* kPluginId = "org.hypersdk.converter.hyper2kvm";

// Fills result; throws cxx::Error on failure.
void convert_manifest(const cxx::Job& job, const plugin_common::ConverterConfig& config,
                      const std::string& manifest_path, const plugin_common::ConvertOptions& options,
                      plugin_common::ConversionResult& result);

}  // namespace hypersdk::hyper2kvm
