// org.hypersdk.converter.qemu-img: the descriptor, the declared capabilities
// and the tool functions the shared C entry points call
// (plugin_common/converter_entry_points.hpp).
#include <hypersdk/converter.h>
#include <hypersdk/cxx/plugin.hpp>

#include "hypersdk/plugin_common/converter_entry_points.hpp"
#include "qemu_img_conversion.hpp"
#include "qemu_img_tool.hpp"

namespace {

namespace pc = hypersdk::plugin_common;
namespace cxx = hypersdk::cxx;
using namespace hypersdk::qemu_img;

const char* const kSourceFormats[] = {"vmdk", "vhd", "vhdx", "raw", "qcow2", "vdi", nullptr};
const char* const kTargetFormats[] = {"qcow2", "raw", "vdi", nullptr};
const char* const kProviders[] = {HYPERSDK_ANY_PROVIDER, nullptr};

// --qemu-img-binary: which qemu-img to run.
const hypersdk_option kBinary =
    cxx::option("binary", HYPERSDK_OPTION_PATH, "PATH",
                "the qemu-img executable (default: search PATH, /usr/local/bin, /usr/bin, ~/.local/bin)");
const hypersdk_option* const kOptions[] = {&kBinary, nullptr};

const hypersdk_converter_capabilities kCapabilities = {
    sizeof(hypersdk_converter_capabilities),
    kSourceFormats,
    kTargetFormats,
    false,  // no driver injection: qemu-img never touches the guest
    false,  // no OS detection
    true,   // validation: qemu-img check
    kProviders,
    10,
    "qemu-img",
    kInstallHint,
    kOptions,
};

void check_tool(const pc::ConverterConfig& config) {
    qemu_img_version(find_qemu_img(config), config);
}

std::string tool_version(const pc::ConverterConfig& config) {
    return qemu_img_version(find_qemu_img(config), config);
}

const pc::ConverterFunctions kFunctions = {check_tool, tool_version, convert_manifest};
const hypersdk_converter& kConverter = pc::converter_table<kFunctions, kCapabilities>;

const hypersdk_plugin_descriptor kDescriptor = {
    sizeof(hypersdk_plugin_descriptor),
    HYPERSDK_ABI_MAJOR,
    HYPERSDK_ABI_MINOR,
    kPluginId,
    "qemu-img",
    "0.1.0",
    HYPERSDK_PLUGIN_KIND_CONVERTER,
    HYPERSDK_THREAD_MODEL_PARALLEL,
    cxx::init_keep_host,
    cxx::deinit_forget_host,
    pc::converter_get_interface<kConverter>,
    "Disk format conversion with qemu-img (no guest changes)",
    "https://www.qemu.org/docs/master/tools/qemu-img.html",
    "Apache-2.0",
};

}  // namespace

HYPERSDK_CXX_ENTRY(kDescriptor)
