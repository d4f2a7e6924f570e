// org.hypersdk.converter.virt-v2v: the descriptor, the declared capabilities
// and the tool functions the shared C entry points call
// (plugin_common/converter_entry_points.hpp).
#include <hypersdk/converter.h>
#include <hypersdk/cxx/plugin.hpp>

#include "hypersdk/plugin_common/converter_entry_points.hpp"
#include "virt_v2v_conversion.hpp"
#include "virt_v2v_tool.hpp"

namespace {

namespace pc = hypersdk::plugin_common;
namespace cxx = hypersdk::cxx;
using namespace hypersdk::virt_v2v;

// What virt-v2v -i disk reads through qemu.
const char* const kSourceFormats[] = {"vmdk", "vhd", "vhdx", "raw", "qcow2", "vdi", nullptr};
const char* const kTargetFormats[] = {"qcow2", "raw", nullptr};
const char* const kProviders[] = {HYPERSDK_ANY_PROVIDER, nullptr};

// --virt-v2v-binary: which virt-v2v to run.
const hypersdk_option kBinary =
    cxx::option("binary", HYPERSDK_OPTION_PATH, "PATH",
                "the virt-v2v executable (default: search PATH, /usr/local/bin, /usr/bin, ~/.local/bin)");
const hypersdk_option* const kOptions[] = {&kBinary, nullptr};

const hypersdk_converter_capabilities kCapabilities = {
    sizeof(hypersdk_converter_capabilities),
    kSourceFormats,
    kTargetFormats,
    true,   // driver injection: virtio drivers, initramfs, bootloader
    true,   // OS detection: libguestfs inspection
    false,  // no separate VALIDATE stage
    kProviders,
    50,
    "virt-v2v",
    kInstallHint,
    kOptions,
};

void check_tool(const pc::ConverterConfig& config) {
    const auto problems = prerequisite_problems(config);
    if (!problems.empty()) {
        std::string message = "virt-v2v converter is not usable: ";
        for (size_t i = 0; i < problems.size(); ++i) message += (i == 0 ? "" : "; ") + problems[i];
        const bool binary_missing = problems.front().rfind("virt-v2v ", 0) == 0;
        throw cxx::Error(binary_missing ? HYPERSDK_ERR_TOOL_MISSING : HYPERSDK_ERR_TOOL_FAILED, message);
    }
    virt_v2v_version(find_virt_v2v(config), config);
}

std::string tool_version(const pc::ConverterConfig& config) {
    return virt_v2v_version(find_virt_v2v(config), config);
}

const pc::ConverterFunctions kFunctions = {check_tool, tool_version, convert_manifest};
const hypersdk_converter& kConverter = pc::converter_table<kFunctions, kCapabilities>;

const hypersdk_plugin_descriptor kDescriptor = {
    sizeof(hypersdk_plugin_descriptor),
    HYPERSDK_ABI_MAJOR,
    HYPERSDK_ABI_MINOR,
    kPluginId,
    "virt-v2v",
    "0.1.0",
    HYPERSDK_PLUGIN_KIND_CONVERTER,
    HYPERSDK_THREAD_MODEL_PARALLEL,
    cxx::init_keep_host,
    cxx::deinit_forget_host,
    pc::converter_get_interface<kConverter>,
    "Guest conversion to KVM with libguestfs virt-v2v",
    "https://libguestfs.org/virt-v2v.1.html",
    "Apache-2.0",
};

}  // namespace

HYPERSDK_CXX_ENTRY(kDescriptor)
