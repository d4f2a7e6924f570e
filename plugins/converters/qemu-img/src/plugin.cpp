// org.hypersdk.converter.qemu-img: the descriptor, the declared capabilities
// and the C entry points. Every entry runs inside guard()/run_convert_entry()
// so no exception crosses the ABI.
#include <hypersdk/converter.h>
#include <hypersdk/cxx/plugin.hpp>

#include <cstring>

#include "hypersdk/plugin_common/convert_entry.hpp"
#include "hypersdk/plugin_common/converter_params.hpp"
#include "qemu_img_conversion.hpp"
#include "qemu_img_tool.hpp"

namespace {

namespace pc = hypersdk::plugin_common;
namespace cxx = hypersdk::cxx;
using namespace hypersdk::qemu_img;

const char* const kSourceFormats[] = {"vmdk", "vhd", "vhdx", "raw", "qcow2", "vdi", nullptr};
const char* const kTargetFormats[] = {"qcow2", "raw", "vdi", nullptr};
const char* const kProviders[] = {HYPERSDK_ANY_PROVIDER, nullptr};

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
};

int32_t validate(const char* config_json, hypersdk_job* job) {
    return cxx::guard(job, [&] {
        const auto config = pc::parse_converter_config(config_json);
        qemu_img_version(find_qemu_img(config), config);
    });
}

int32_t version(const char* config_json, hypersdk_job* job, hypersdk_buffer* out_version) {
    return cxx::guard(job, [&] {
        const auto config = pc::parse_converter_config(config_json);
        cxx::Buffer(out_version).append(qemu_img_version(find_qemu_img(config), config));
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
    "qemu-img",
    "0.1.0",
    HYPERSDK_PLUGIN_KIND_CONVERTER,
    HYPERSDK_THREAD_MODEL_PARALLEL,
    init,
    deinit,
    get_interface,
    "Disk format conversion with qemu-img (no guest changes)",
    "https://www.qemu.org/docs/master/tools/qemu-img.html",
    "Apache-2.0",
};

}  // namespace

HYPERSDK_CXX_ENTRY(kDescriptor)
