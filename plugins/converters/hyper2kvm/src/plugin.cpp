// org.hypersdk.converter.hyper2kvm: the descriptor, the declared capabilities
// and the C entry points. Every entry runs inside guard()/run_convert_entry()
// so no exception crosses the ABI.
#include <hypersdk/converter.h>
#include <hypersdk/cxx/plugin.hpp>

#include <cstring>

#include "hyper2kvm_conversion.hpp"
#include "hyper2kvm_tool.hpp"
#include "hypersdk/plugin_common/convert_entry.hpp"
#include "hypersdk/plugin_common/converter_params.hpp"

namespace {

namespace pc = hypersdk::plugin_common;
namespace cxx = hypersdk::cxx;
using namespace hypersdk::hyper2kvm;

const char* const kSourceFormats[] = {"vmdk", "vhd", "vhdx", "raw", "qcow2", "vdi", nullptr};
const char* const kTargetFormats[] = {"qcow2", "raw", "vdi", nullptr};
const char* const kProviders[] = {HYPERSDK_ANY_PROVIDER, nullptr};

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
};

int32_t validate(const char* config_json, hypersdk_job* job) {
    return cxx::guard(job, [&] {
        const auto config = pc::parse_converter_config(config_json);
        hyper2kvm_version(find_hyper2kvm(config), config);
    });
}

int32_t version(const char* config_json, hypersdk_job* job, hypersdk_buffer* out_version) {
    return cxx::guard(job, [&] {
        const auto config = pc::parse_converter_config(config_json);
        cxx::Buffer(out_version).append(hyper2kvm_version(find_hyper2kvm(config), config));
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
    "hyper2kvm",
    "0.1.0",
    HYPERSDK_PLUGIN_KIND_CONVERTER,
    HYPERSDK_THREAD_MODEL_PARALLEL,
    init,
    deinit,
    get_interface,
    "Full KVM migration (inspect, fix, convert, validate) with hyper2kvm",
    "https://github.com/ssahani/hyper2kvm",
    "Apache-2.0",
};

}  // namespace

HYPERSDK_CXX_ENTRY(kDescriptor)
