#include "qemu_img_tool.hpp"

#include <hypersdk/cxx/plugin.hpp>

#include "hypersdk/plugin_common/binary_lookup.hpp"
#include "hypersdk/plugin_common/tool_version.hpp"

namespace hypersdk::qemu_img {

std::string find_qemu_img(const plugin_common::ConverterConfig& config) {
    const auto found = plugin_common::find_executable("qemu-img", config.binary_path);
    if (found.found()) return found.path;
    if (!found.error.empty())
        throw cxx::Error(HYPERSDK_ERR_TOOL_MISSING, "--qemu-img-binary " + found.error +
                                                        " (install with: " + kInstallHint +
                                                        ", or fix --qemu-img-binary)");
    throw cxx::Error(HYPERSDK_ERR_TOOL_MISSING, std::string("qemu-img not found (install with: ") +
                                                    kInstallHint + ", or give --qemu-img-binary PATH)");
}

std::string qemu_img_version(const std::string& binary, const plugin_common::ConverterConfig& config) {
    const auto probe = plugin_common::probe_version(binary, config);
    if (!probe.ok()) throw cxx::Error(HYPERSDK_ERR_TOOL_FAILED, "qemu-img is not usable: " + probe.problem);
    return probe.version;
}

}  // namespace hypersdk::qemu_img
