// What virt-v2v needs on the machine: the virt-v2v binary; on the PATH it
// runs with, nbdkit (with its file plugin and cow filter), nbdcopy and
// qemu-nbd; a kernel the libguestfs appliance can boot; and either KVM or TCG
// forced. validate() reports every missing piece at once, each with its fix.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "hypersdk/plugin_common/converter_params.hpp"

namespace hypersdk::virt_v2v {

inline constexpr const char* kInstallHint =
    "apt-get install --no-install-recommends virt-v2v libguestfs-tools nbdkit libnbd-bin qemu-utils "
    "linux-image-amd64";
inline constexpr const char* kForceTcg = "LIBGUESTFS_BACKEND_SETTINGS=force_tcg";

// A variable as the tool will see it: config.environment first, then ours.
std::string effective_env(const plugin_common::ConverterConfig& config, const std::string& name);

// Empty when KVM can be used; otherwise why not ("/dev/kvm: Permission denied").
std::string kvm_problem();

// True when the environment already forces TCG.
bool tcg_forced(const plugin_common::ConverterConfig& config);

// Every problem found, each a full sentence with the fix; empty = usable.
std::vector<std::string> prerequisite_problems(const plugin_common::ConverterConfig& config);

// The virt-v2v binary. Throws cxx::Error(HYPERSDK_ERR_TOOL_MISSING).
std::string find_virt_v2v(const plugin_common::ConverterConfig& config);

// "2.2.0". Throws cxx::Error(HYPERSDK_ERR_TOOL_FAILED).
std::string virt_v2v_version(const std::string& binary, const plugin_common::ConverterConfig& config);

}  // namespace hypersdk::virt_v2v
