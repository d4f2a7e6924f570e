// com.example.converter.guestfix: a converter plugin in C++17, written with
// the SDK's header-only wrapper <hypersdk/cxx/plugin.hpp>.
//
// TEMPLATE SKELETON. It is not a working converter: "guestfix" is a made-up
// tool, and convert() converts nothing. Everything the ABI demands is real
// and correct (descriptor, init/deinit, get_interface, capabilities,
// validate), so the host loads it, lists it and routes to it by its
// capabilities. Copy it, rename the id to your own reverse-DNS domain and
// fill in the places marked "IMPLEMENT".
//
// What C++ changes, and what it does not:
//   - The ABI is still C: the same exported entry symbol, the same static C
//     tables. No C++ type, exception or allocation crosses into the host.
//   - Every function the host calls is noexcept and wraps its body in
//     hypersdk::cxx::guard(job, ...): an exception becomes a negative status
//     plus a job error (hypersdk::cxx::Error carries its own status; anything
//     else becomes HYPERSDK_ERR_INTERNAL), never a crash in the host.
//   - Ownership and threads are as in C: tables and strings handed out are
//     static; init, deinit and get_interface run on the main thread; under
//     HYPERSDK_THREAD_MODEL_PARALLEL, validate/version/convert may run on
//     several threads at once, each with its own job.
#include <hypersdk/cxx/plugin.hpp>

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "config_value.h"

namespace {

using hypersdk::cxx::Error;

constexpr const char* kPluginId = "com.example.converter.guestfix";
constexpr const char* kToolName = "guestfix";
constexpr const char* kInstallHint =
    "install guestfix (hypothetical; name the real package of your tool, e.g. apt-get install ...)";
constexpr const char* kSkeletonFile = "converter-cxx/guestfix.cpp";

// ---- capabilities of the hypothetical guestfix tool -------------------------
// Static, valid until the plugin is unloaded, read by the host from any
// thread. The ConversionManager routes on them: claim only what the tool does.
const char* const kSourceFormats[] = {"vmdk", "vhdx", nullptr};
const char* const kTargetFormats[] = {"qcow2", nullptr};
const char* const kProviders[] = {"vsphere", "azure", nullptr};

// ---- options (ABI 1.1): offered as --guestfix-binary PATH --------------------
const hypersdk_option kBinary = hypersdk::cxx::option("binary", HYPERSDK_OPTION_PATH, "PATH",
                                                      "the guestfix executable (default: search PATH)");
const hypersdk_option* const kOptions[] = {&kBinary, nullptr};

const hypersdk_converter_capabilities kCapabilities = {
    sizeof(hypersdk_converter_capabilities),  // struct_size
    kSourceFormats,                           // supported_source_formats
    kTargetFormats,                           // supported_target_formats
    true,                                     // supports_driver_injection: it installs virtio drivers (FIX)
    true,                                     // supports_os_detection: it inspects the guest (INSPECT)
    false,                                    // supports_validation: it cannot check images
    kProviders,                               // supported_providers
    6,                                        // priority: keep low beside hypersdk's own converters
    kToolName,                                // tool_name
    kInstallHint,                             // install_hint
    kOptions,                                 // options (ABI 1.1)
};

// The executable `tool` in a directory of PATH (an empty element is the
// current directory), as execvp would find it.
std::optional<std::string> find_on_path(std::string_view tool) {
    const char* path = std::getenv("PATH");
    if (path == nullptr) return std::nullopt;
    std::string_view rest(path);
    for (;;) {
        const size_t colon = rest.find(':');
        const std::string_view dir = rest.substr(0, colon);
        std::string candidate = dir.empty() ? std::string(".") : std::string(dir);
        candidate.append("/").append(tool);
        if (access(candidate.c_str(), X_OK) == 0) return candidate;
        if (colon == std::string_view::npos) return std::nullopt;
        rest.remove_prefix(colon + 1);
    }
}

// The declared "binary" option (--guestfix-binary) names the tool and
// replaces the PATH search. IMPLEMENT: parse config_json with your JSON
// library (the skeleton uses the template's tiny reader).
std::string require_tool(const char* config_json) {
    char binary[4096];
    if (config_string(config_json, "binary", binary, sizeof binary)) {
        if (access(binary, X_OK) == 0) return binary;
        throw Error(HYPERSDK_ERR_TOOL_MISSING, std::string(kPluginId) + ": --guestfix-binary " + binary +
                                                   " is not an executable file; " + kInstallHint);
    }
    if (auto found = find_on_path(kToolName)) return *found;
    throw Error(HYPERSDK_ERR_TOOL_MISSING, std::string(kPluginId) + ": " + kToolName +
                                               " was not found in any directory of PATH; " + kInstallHint);
}

// [any thread, own job] Is the tool there? Quick: called while routing.
int32_t guestfix_validate(const char* config_json, hypersdk_job* job) noexcept {
    return hypersdk::cxx::guard(job, [&] { require_tool(config_json); });
}

// [any thread, own job] Append the tool's bare version to out_version.
int32_t guestfix_version(const char* config_json, hypersdk_job* job, hypersdk_buffer* out_version) noexcept {
    return hypersdk::cxx::guard(job, [&] {
        require_tool(config_json);
        // IMPLEMENT: run "guestfix --version" and
        // hypersdk::cxx::Buffer(out_version).append(the bare version).
        (void)out_version;
        throw Error(HYPERSDK_ERR_UNSUPPORTED,
                    std::string("Template skeleton: ") + kPluginId +
                        " does not read the tool version yet; implement version() in " + kSkeletonFile);
    });
}

// [any thread, own job] Convert the disks of the manifest at manifest_path.
// A real converter runs the tool, streams its lines with Job::output when the
// options ask for stream_output, reports Job::progress, calls
// Job::throw_if_cancelled at least once a second (after killing the child),
// writes ".part" files renamed on success, and never touches the manifest or
// the source disks.
int32_t guestfix_convert(const char* config_json, const char* manifest_path, const char* options_json,
                         hypersdk_job* job, hypersdk_buffer* out_result_json) noexcept {
    return hypersdk::cxx::guard(job, [&] {
        (void)config_json;
        (void)manifest_path;
        (void)options_json;
        // IMPLEMENT the conversion here. Until then it fails, plainly.
        const std::string message = std::string("Template skeleton: ") + kPluginId +
                                    " converts nothing yet; implement convert() in " + kSkeletonFile;
        // A ConversionResult is appended in every case the plugin can. The
        // message needs no JSON escaping; a real plugin escapes what it writes.
        if (out_result_json != nullptr) {
            hypersdk::cxx::Buffer(out_result_json)
                .append(R"({"success": false, "converted_files": [], "error": ")" + message +
                        R"(", "warnings": []})");
        }
        throw Error(HYPERSDK_ERR_UNSUPPORTED, message);
    });
}

// The interface table: static, plugin-owned, valid until deinit.
const hypersdk_converter kConverter = {
    sizeof(hypersdk_converter),  // struct_size
    &kCapabilities,              // capabilities
    &guestfix_validate,          // validate
    &guestfix_version,           // version
    &guestfix_convert,           // convert
};

// [main thread] Keep the host table for the wrapper (hypersdk::cxx::host()).
// Every slot used here exists since ABI 1.0; a slot of a later minor would be
// checked first with HYPERSDK_HOST_HAS(host, slot).
int32_t guestfix_init(const hypersdk_host* host) noexcept {
    hypersdk::cxx::set_host(host);
    hypersdk::cxx::log(HYPERSDK_LOG_DEBUG, std::string("template skeleton ") + kPluginId + " initialised");
    return HYPERSDK_OK;
}

// [main thread] No call into the plugin follows.
void guestfix_deinit() noexcept {
    hypersdk::cxx::set_host(nullptr);
}

// [main thread] The table for interface_id, or nullptr.
const void* guestfix_get_interface(const char* interface_id) noexcept {
    if (interface_id != nullptr && std::strcmp(interface_id, HYPERSDK_CONVERTER_INTERFACE_ID) == 0)
        return &kConverter;
    return nullptr;
}

const hypersdk_plugin_descriptor kDescriptor = {
    sizeof(hypersdk_plugin_descriptor),  // struct_size
    HYPERSDK_ABI_MAJOR,                  // abi_major
    HYPERSDK_ABI_MINOR,                  // abi_minor
    kPluginId,                           // id: your reverse-DNS domain; [a-z0-9.-]
    "guestfix",                          // name
    "0.1.0",                             // version
    HYPERSDK_PLUGIN_KIND_CONVERTER,      // kinds
    // Only the host pointer is shared, read-only after init: PARALLEL is safe.
    HYPERSDK_THREAD_MODEL_PARALLEL,                                                           // thread_model
    &guestfix_init,                                                                           // init
    &guestfix_deinit,                                                                         // deinit
    &guestfix_get_interface,                                                                  // get_interface
    "Template skeleton: C++ converter for the hypothetical guestfix tool; converts nothing",  // description
    "https://example.com/hypersdk-plugins",                                                   // homepage
    nullptr,  // license: your SPDX licence id, e.g. "Apache-2.0"
};

}  // namespace

// Defines the exported extern "C" hypersdk_plugin_entry_v1().
HYPERSDK_CXX_ENTRY(kDescriptor)
