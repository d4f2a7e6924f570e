// Finding the hyper2kvm executable and reading its version.
#pragma once

#include <string>

#include "hypersdk/plugin_common/converter_params.hpp"

namespace hypersdk::hyper2kvm {

inline constexpr const char* kInstallHint = "pip install hyper2kvm";
// The exact message when it is not installed (documented; tests compare it).
inline constexpr const char* kNotFoundMessage =
    "hyper2kvm not found (install with: pip install hyper2kvm, or pass --hyper2kvm-binary)";

// config.binary_path (the host's --hyper2kvm-binary), else PATH,
// /usr/local/bin, /usr/bin, ~/.local/bin. Throws cxx::Error(HYPERSDK_ERR_TOOL_MISSING).
std::string find_hyper2kvm(const plugin_common::ConverterConfig& config);

// The bare version `hyper2kvm --version` prints. Throws
// cxx::Error(HYPERSDK_ERR_TOOL_FAILED) with the tool's output.
std::string hyper2kvm_version(const std::string& binary, const plugin_common::ConverterConfig& config);

}  // namespace hypersdk::hyper2kvm
