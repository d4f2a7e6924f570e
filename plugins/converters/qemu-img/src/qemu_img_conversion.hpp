// One conversion job of the qemu-img converter: every disk of the manifest
// through `qemu-img convert`, optionally `qemu-img check`, and a report.json
// in hyper2kvm's shape.
#pragma once

#include <hypersdk/cxx/plugin.hpp>

#include <string>

#include "hypersdk/plugin_common/conversion_result.hpp"
#include "hypersdk/plugin_common/converter_params.hpp"

namespace hypersdk::qemu_img {

inline constexpr const char* kPluginId = "org.hypersdk.converter.qemu-img";

// Fills result; throws cxx::Error on failure (after writing the report).
void convert_manifest(const cxx::Job& job, const plugin_common::ConverterConfig& config,
                      const std::string& manifest_path, const plugin_common::ConvertOptions& options,
                      plugin_common::ConversionResult& result);

}  // namespace hypersdk::qemu_img
