// org.hypersdk.converter.hyper2kvm: the descriptor, the declared capabilities
// and the tool functions the shared C entry points call
// (plugin_common/converter_entry_points.hpp).
#include <hypersdk/converter.h>
#include <hypersdk/cxx/plugin.hpp>

#include "hyper2kvm_conversion.hpp"
#include "hyper2kvm_tool.hpp"
#include "hypersdk/plugin_common/converter_entry_points.hpp"

namespace {

namespace pc = hypersdk::plugin_common;
namespace cxx = hypersdk::cxx;
using namespace hypersdk::hyper2kvm;

const char* const kSourceFormats[] = {"vmdk", "vhd", "vhdx", "raw", "qcow2", "vdi", nullptr};
const char* const kTargetFormats[] = {"qcow2", "raw", "vdi", nullptr};
const char* const kProviders[] = {HYPERSDK_ANY_PROVIDER, nullptr};

// --hyper2kvm-binary: which hyper2kvm to run.
const hypersdk_option kBinary =
    cxx::option("binary", HYPERSDK_OPTION_PATH, "PATH",
                "the hyper2kvm executable (default: search PATH, /usr/local/bin, /usr/bin, ~/.local/bin)");
const hypersdk_option* const kOptions[] = {&kBinary, nullptr};

const hypersdk_converter_capabilities kCapabilities = {
    sizeof(hypersdk_converter_capabilities),
    kSourceFormats,
    kTargetFormats,
    true,  // driver injection: the FIX stage
    true,  // OS detection: the INSPECT stage
    true,  // validation: the VALIDATE stage (qemu-img check)
    kProviders,
    100,
    "hyper2kvm",
    kInstallHint,
    kOptions,
};

void check_tool(const pc::ConverterConfig& config) {
    hyper2kvm_version(find_hyper2kvm(config), config);
}

std::string tool_version(const pc::ConverterConfig& config) {
    return hyper2kvm_version(find_hyper2kvm(config), config);
}

const pc::ConverterFunctions kFunctions = {check_tool, tool_version, convert_manifest};
const hypersdk_converter& kConverter = pc::converter_table<kFunctions, kCapabilities>;

const hypersdk_plugin_descriptor kDescriptor = {
    sizeof(hypersdk_plugin_descriptor),
    HYPERSDK_ABI_MAJOR,
    HYPERSDK_ABI_MINOR,
    kPluginId,
    "hyper2kvm",
    "0.1.0",
    HYPERSDK_PLUGIN_KIND_CONVERTER,
    HYPERSDK_THREAD_MODEL_PARALLEL,
    cxx::init_keep_host,
    cxx::deinit_forget_host,
    pc::converter_get_interface<kConverter>,
    "Full KVM migration (inspect, fix, convert, validate) with hyper2kvm",
    "https://github.com/ssahani/hyper2kvm",
    "Apache-2.0",
};

}  // namespace

HYPERSDK_CXX_ENTRY(kDescriptor)
