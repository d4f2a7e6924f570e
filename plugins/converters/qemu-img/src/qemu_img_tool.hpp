// Finding qemu-img and asking its version.
#pragma once

#include <string>

#include "hypersdk/plugin_common/converter_params.hpp"

namespace hypersdk::qemu_img {

inline constexpr const char* kInstallHint = "apt-get install qemu-utils";

// The qemu-img to run: config.binary_path, else PATH and the usual
// directories. Throws cxx::Error(HYPERSDK_ERR_TOOL_MISSING) saying how to get it.
std::string find_qemu_img(const plugin_common::ConverterConfig& config);

// "7.2.22". Throws cxx::Error(HYPERSDK_ERR_TOOL_FAILED) with the tool's output.
std::string qemu_img_version(const std::string& binary, const plugin_common::ConverterConfig& config);

}  // namespace hypersdk::qemu_img
