// A C++ converter written with hypersdk/cxx/plugin.hpp whose convert throws:
// a std::runtime_error, or (when options_json contains "non-std") an int.
// guard() must turn both into HYPERSDK_ERR_INTERNAL plus a job error.
#include <hypersdk/cxx/plugin.hpp>

#include <cstring>
#include <stdexcept>
#include <string>

namespace {

const char* const kFormats[] = {"vmdk", nullptr};
const char* const kTargets[] = {"qcow2", nullptr};
const char* const kProviders[] = {HYPERSDK_ANY_PROVIDER, nullptr};

const hypersdk_converter_capabilities kCapabilities = [] {
    hypersdk_converter_capabilities caps{};
    caps.struct_size = sizeof caps;
    caps.supported_source_formats = kFormats;
    caps.supported_target_formats = kTargets;
    caps.supported_providers = kProviders;
    caps.priority = 1;
    caps.tool_name = "throw-tool";
    caps.install_hint = "nothing to install";
    return caps;
}();

int32_t validate(const char*, hypersdk_job* job) {
    return hypersdk::cxx::guard(job, []() -> int32_t {
        throw hypersdk::cxx::Error(HYPERSDK_ERR_TOOL_MISSING, "throw-tool is not installed");
    });
}

int32_t version(const char*, hypersdk_job* job, hypersdk_buffer* out) {
    return hypersdk::cxx::guard(job, [&] { hypersdk::cxx::Buffer(out).append("1.0.0"); });
}

int32_t convert(const char*, const char*, const char* options_json, hypersdk_job* job, hypersdk_buffer*) {
    return hypersdk::cxx::guard(job, [&]() -> int32_t {
        if (options_json != nullptr && std::strstr(options_json, "non-std") != nullptr) throw 42;
        throw std::runtime_error("convert exploded on purpose");
    });
}

const hypersdk_converter kConverter = [] {
    hypersdk_converter converter{};
    converter.struct_size = sizeof converter;
    converter.capabilities = &kCapabilities;
    converter.validate = validate;
    converter.version = version;
    converter.convert = convert;
    return converter;
}();

int32_t init(const hypersdk_host* host) {
    hypersdk::cxx::set_host(host);
    return HYPERSDK_OK;
}

const void* get_interface(const char* interface_id) {
    return std::strcmp(interface_id, HYPERSDK_CONVERTER_INTERFACE_ID) == 0 ? &kConverter : nullptr;
}

const hypersdk_plugin_descriptor kDescriptor = [] {
    hypersdk_plugin_descriptor d{};
    d.struct_size = sizeof d;
    d.abi_major = HYPERSDK_ABI_MAJOR;
    d.abi_minor = HYPERSDK_ABI_MINOR;
    d.id = "org.hypersdk.test.cxx-throw";
    d.name = "cxx-throw-test";
    d.version = "0.3.0";
    d.kinds = HYPERSDK_PLUGIN_KIND_CONVERTER;
    d.thread_model = HYPERSDK_THREAD_MODEL_SERIALIZE;
    d.init = init;
    d.get_interface = get_interface;
    return d;
}();

}  // namespace

HYPERSDK_CXX_ENTRY(kDescriptor)
