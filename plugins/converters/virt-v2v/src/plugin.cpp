// org.hypersdk.converter.virt-v2v: the descriptor, the declared capabilities
// and the C entry points. Every entry runs inside guard()/run_convert_entry()
// so no exception crosses the ABI.
#include <hypersdk/converter.h>
#include <hypersdk/cxx/plugin.hpp>

#include <cstring>

#include "hypersdk/plugin_common/convert_entry.hpp"
#include "hypersdk/plugin_common/converter_params.hpp"
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
};

int32_t validate(const char* config_json, hypersdk_job* job) {
    return cxx::guard(job, [&] {
        const auto config = pc::parse_converter_config(config_json);
        const auto problems = prerequisite_problems(config);
        if (!problems.empty()) {
            std::string message = "virt-v2v converter is not usable: ";
            for (size_t i = 0; i < problems.size(); ++i) message += (i == 0 ? "" : "; ") + problems[i];
            const bool binary_missing = problems.front().rfind("virt-v2v ", 0) == 0;
            throw cxx::Error(binary_missing ? HYPERSDK_ERR_TOOL_MISSING : HYPERSDK_ERR_TOOL_FAILED, message);
        }
        virt_v2v_version(find_virt_v2v(config), config);
    });
}

int32_t version(const char* config_json, hypersdk_job* job, hypersdk_buffer* out_version) {
    return cxx::guard(job, [&] {
        const auto config = pc::parse_converter_config(config_json);
        cxx::Buffer(out_version).append(virt_v2v_version(find_virt_v2v(config), config));
    });
}

int32_t convert(const char* config_json, const char* manifest_path, const char* options_json,
                hypersdk_job* job, hypersdk_buffer* out_result_json) {
    return pc::run_convert_entry(job, out_result_json, [&](pc::ConversionResult& result) {
        const auto config = pc::parse_converter_config(config_json);
        const auto options = pc::parse_convert_options(options_json);
        if (manifest_path == nullptr || *manifest_path == '\0')
            throw cxx::Error(HYPERSDK_ERR_INVALID_ARGUMENT, "no manifest path given");
        convert_manifest(cxx::Job(job), config, manifest_path, options, result);
    });
}

const hypersdk_converter kConverter = {
    sizeof(hypersdk_converter), &kCapabilities, validate, version, convert,
};

int32_t init(const hypersdk_host* host) {
    cxx::set_host(host);
    return HYPERSDK_OK;
}

void deinit() {
    cxx::set_host(nullptr);
}

const void* get_interface(const char* interface_id) {
    if (interface_id != nullptr && std::strcmp(interface_id, HYPERSDK_CONVERTER_INTERFACE_ID) == 0)
        return &kConverter;
    return nullptr;
}

const hypersdk_plugin_descriptor kDescriptor = {
    sizeof(hypersdk_plugin_descriptor),
    HYPERSDK_ABI_MAJOR,
    HYPERSDK_ABI_MINOR,
    kPluginId,
    "virt-v2v",
    "0.1.0",
    HYPERSDK_PLUGIN_KIND_CONVERTER,
    HYPERSDK_THREAD_MODEL_PARALLEL,
    init,
    deinit,
    get_interface,
    "Guest conversion to KVM with libguestfs virt-v2v",
    "https://libguestfs.org/virt-v2v.1.html",
    "Apache-2.0",
};

}  // namespace

HYPERSDK_CXX_ENTRY(kDescriptor)
