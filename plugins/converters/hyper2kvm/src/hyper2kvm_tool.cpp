#include "hyper2kvm_tool.hpp"

#include <hypersdk/cxx/plugin.hpp>

#include "hypersdk/plugin_common/binary_lookup.hpp"
#include "hypersdk/plugin_common/tool_version.hpp"

namespace hypersdk::hyper2kvm {

std::string find_hyper2kvm(const plugin_common::ConverterConfig& config) {
    const auto found = plugin_common::find_executable("hyper2kvm", config.binary_path);
    if (found.found()) return found.path;
    if (!found.error.empty())
        throw cxx::Error(HYPERSDK_ERR_TOOL_MISSING, "hyper2kvm binary " + found.error + " (install with: " +
                                                        kInstallHint + ", or pass --hyper2kvm-binary)");
    throw cxx::Error(HYPERSDK_ERR_TOOL_MISSING, kNotFoundMessage);
}

std::string hyper2kvm_version(const std::string& binary, const plugin_common::ConverterConfig& config) {
    const auto probe = plugin_common::probe_version(binary, config);
    if (!probe.ok())
        throw cxx::Error(HYPERSDK_ERR_TOOL_FAILED,
                         "hyper2kvm at " + binary + " is not usable: " + probe.problem);
    return probe.version;
}

}  // namespace hypersdk::hyper2kvm
