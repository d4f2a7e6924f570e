/* Layout facts of ABI major 1 that no 1.x release may change.
 *
 * Compiled (never run) as C11 and as C++17 by tests/sdk/CMakeLists.txt; a
 * failing assertion is a compile error naming the broken fact. A minor release
 * may append fields, slots, status codes and interface ids, so sizes are only
 * checked from below; every offset and value that exists in 1.0 is checked
 * exactly. Changing any of these needs a new major (docs/abi-policy.md), and
 * then a new copy of this file.
 */
#include <hypersdk/hypersdk.h>

#include <stddef.h>

#ifdef __cplusplus
#define LAYOUT_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define LAYOUT_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif

#define OFFSET_IS(type, field, value) \
    LAYOUT_ASSERT(offsetof(type, field) == (value), #type "." #field " must stay at offset " #value)

/* ---- on every platform ---- */

LAYOUT_ASSERT(HYPERSDK_ABI_MAJOR == 1, "this file describes ABI major 1");
LAYOUT_ASSERT(HYPERSDK_ABI_MINOR >= 0, "ABI minor is never negative");

/* The descriptor prefix the host reads before it knows anything else. */
OFFSET_IS(hypersdk_plugin_descriptor, struct_size, 0);
OFFSET_IS(hypersdk_plugin_descriptor, abi_major, 4);
OFFSET_IS(hypersdk_plugin_descriptor, abi_minor, 6);
OFFSET_IS(hypersdk_plugin_descriptor, id, 8);
LAYOUT_ASSERT(sizeof(((hypersdk_plugin_descriptor*)0)->struct_size) == 4, "descriptor.struct_size is 32-bit");
LAYOUT_ASSERT(sizeof(((hypersdk_plugin_descriptor*)0)->abi_major) == 2, "descriptor.abi_major is 16-bit");
LAYOUT_ASSERT(sizeof(((hypersdk_plugin_descriptor*)0)->abi_minor) == 2, "descriptor.abi_minor is 16-bit");
LAYOUT_ASSERT(HYPERSDK_PLUGIN_DESCRIPTOR_MIN_SIZE == offsetof(hypersdk_plugin_descriptor, description),
              "the required part of the descriptor ends where description starts");
LAYOUT_ASSERT(HYPERSDK_PLUGIN_DESCRIPTOR_MAX_SIZE == 4096u, "the size sanity bound is 4096");
LAYOUT_ASSERT(sizeof(hypersdk_plugin_descriptor) <= HYPERSDK_PLUGIN_DESCRIPTOR_MAX_SIZE,
              "the descriptor fits under its own bound");

/* The same prefix on the host table. */
OFFSET_IS(hypersdk_host, struct_size, 0);
OFFSET_IS(hypersdk_host, abi_major, 4);
OFFSET_IS(hypersdk_host, abi_minor, 6);

/* Every other size-prefixed struct starts with its size. */
OFFSET_IS(hypersdk_provider, struct_size, 0);
OFFSET_IS(hypersdk_provider_capabilities, struct_size, 0);
OFFSET_IS(hypersdk_converter, struct_size, 0);
OFFSET_IS(hypersdk_converter_capabilities, struct_size, 0);

/* Values written into compiled plugins. */
LAYOUT_ASSERT(HYPERSDK_OK == 0, "status");
LAYOUT_ASSERT(HYPERSDK_ERR_GENERIC == -1, "status");
LAYOUT_ASSERT(HYPERSDK_ERR_INVALID_ARGUMENT == -2, "status");
LAYOUT_ASSERT(HYPERSDK_ERR_NOT_FOUND == -3, "status");
LAYOUT_ASSERT(HYPERSDK_ERR_UNSUPPORTED == -4, "status");
LAYOUT_ASSERT(HYPERSDK_ERR_CANCELLED == -5, "status");
LAYOUT_ASSERT(HYPERSDK_ERR_TIMEOUT == -6, "status");
LAYOUT_ASSERT(HYPERSDK_ERR_IO == -7, "status");
LAYOUT_ASSERT(HYPERSDK_ERR_AUTH == -8, "status");
LAYOUT_ASSERT(HYPERSDK_ERR_NETWORK == -9, "status");
LAYOUT_ASSERT(HYPERSDK_ERR_TOOL_MISSING == -10, "status");
LAYOUT_ASSERT(HYPERSDK_ERR_TOOL_FAILED == -11, "status");
LAYOUT_ASSERT(HYPERSDK_ERR_INTERNAL == -12, "status");
LAYOUT_ASSERT(HYPERSDK_ERR_STATE == -13, "status");
LAYOUT_ASSERT(HYPERSDK_LOG_TRACE == 0 && HYPERSDK_LOG_DEBUG == 1 && HYPERSDK_LOG_INFO == 2 &&
                  HYPERSDK_LOG_WARN == 3 && HYPERSDK_LOG_ERROR == 4,
              "log levels");
LAYOUT_ASSERT(HYPERSDK_PLUGIN_KIND_PROVIDER == 0x1u && HYPERSDK_PLUGIN_KIND_CONVERTER == 0x2u,
              "plugin kinds");
LAYOUT_ASSERT(HYPERSDK_THREAD_MODEL_SERIALIZE == 0u && HYPERSDK_THREAD_MODEL_PARALLEL == 1u, "thread models");
LAYOUT_ASSERT(sizeof(HYPERSDK_PLUGIN_ENTRY_SYMBOL) == sizeof("hypersdk_plugin_entry_v1"), "entry symbol");
LAYOUT_ASSERT(sizeof(HYPERSDK_PROVIDER_INTERFACE_ID) == sizeof("hypersdk.provider/1"), "provider id");
LAYOUT_ASSERT(sizeof(HYPERSDK_CONVERTER_INTERFACE_ID) == sizeof("hypersdk.converter/1"), "converter id");

/* ABI 1.1: option types and flags, written into compiled plugins. */
LAYOUT_ASSERT(HYPERSDK_ABI_MINOR >= 1, "this file describes ABI 1.1 additions");
LAYOUT_ASSERT(HYPERSDK_OPTION_STRING == 1u && HYPERSDK_OPTION_BOOL == 2u && HYPERSDK_OPTION_INTEGER == 3u &&
                  HYPERSDK_OPTION_PATH == 4u && HYPERSDK_OPTION_LIST == 5u && HYPERSDK_OPTION_SECRET == 6u,
              "option types");
LAYOUT_ASSERT(HYPERSDK_OPTION_REQUIRED == 0x1u && HYPERSDK_OPTION_RANGE == 0x2u, "option flags");
LAYOUT_ASSERT(HYPERSDK_OPTIONS_MAX == 128u, "option table bound");
OFFSET_IS(hypersdk_option, struct_size, 0);

#ifdef __cplusplus
/* C++ can compare the strings themselves at compile time. */
constexpr bool same_text(const char* a, const char* b) {
    return *a == *b && (*a == '\0' || same_text(a + 1, b + 1));
}
static_assert(same_text(HYPERSDK_PLUGIN_ENTRY_SYMBOL, "hypersdk_plugin_entry_v1"), "entry symbol name");
static_assert(same_text(HYPERSDK_PLUGIN_ENTRY_PREFIX, "hypersdk_plugin_entry_v"), "entry symbol prefix");
static_assert(same_text(HYPERSDK_PROVIDER_INTERFACE_ID, "hypersdk.provider/1"), "provider interface id");
static_assert(same_text(HYPERSDK_CONVERTER_INTERFACE_ID, "hypersdk.converter/1"), "converter interface id");
static_assert(same_text(HYPERSDK_ANY_PROVIDER, "*"), "provider wildcard");
#endif

/* The entry function has the type hosts look up, and HYPERSDK_HOST_HAS
 * compiles as an expression. Compiled only; never linked or called. */
hypersdk_plugin_entry_fn hypersdk_layout_test_entry(void);
hypersdk_plugin_entry_fn hypersdk_layout_test_entry(void) {
    return &hypersdk_plugin_entry_v1;
}
bool hypersdk_layout_test_host_has(const hypersdk_host* host);
bool hypersdk_layout_test_host_has(const hypersdk_host* host) {
    return HYPERSDK_HOST_HAS(host, log) && HYPERSDK_HOST_HAS(host, sink_close) &&
           HYPERSDK_HOST_HAS(host, sink_write_zeros);
}

/* ---- x86_64 (LP64): every 1.0 offset, exactly ---- */
#if defined(__x86_64__) && defined(__LP64__)
OFFSET_IS(hypersdk_plugin_descriptor, name, 16);
OFFSET_IS(hypersdk_plugin_descriptor, version, 24);
OFFSET_IS(hypersdk_plugin_descriptor, kinds, 32);
OFFSET_IS(hypersdk_plugin_descriptor, thread_model, 36);
OFFSET_IS(hypersdk_plugin_descriptor, init, 40);
OFFSET_IS(hypersdk_plugin_descriptor, deinit, 48);
OFFSET_IS(hypersdk_plugin_descriptor, get_interface, 56);
OFFSET_IS(hypersdk_plugin_descriptor, description, 64);
OFFSET_IS(hypersdk_plugin_descriptor, homepage, 72);
OFFSET_IS(hypersdk_plugin_descriptor, license, 80);
LAYOUT_ASSERT(HYPERSDK_PLUGIN_DESCRIPTOR_MIN_SIZE == 64u, "descriptor minimum size on x86_64 is 64");
LAYOUT_ASSERT(sizeof(hypersdk_plugin_descriptor) >= 88u, "descriptor of 1.0 is 88 bytes; it only grows");

OFFSET_IS(hypersdk_host, host_name, 8);
OFFSET_IS(hypersdk_host, host_version, 16);
OFFSET_IS(hypersdk_host, plugin_path, 24);
OFFSET_IS(hypersdk_host, host_data, 32);
OFFSET_IS(hypersdk_host, log, 40);
OFFSET_IS(hypersdk_host, buffer_append, 48);
OFFSET_IS(hypersdk_host, job_progress, 56);
OFFSET_IS(hypersdk_host, job_is_cancelled, 64);
OFFSET_IS(hypersdk_host, job_error, 72);
OFFSET_IS(hypersdk_host, job_warning, 80);
OFFSET_IS(hypersdk_host, job_output, 88);
OFFSET_IS(hypersdk_host, sink_open, 96);
OFFSET_IS(hypersdk_host, sink_offset, 104);
OFFSET_IS(hypersdk_host, sink_write, 112);
OFFSET_IS(hypersdk_host, sink_rewind, 120);
OFFSET_IS(hypersdk_host, sink_close, 128);
LAYOUT_ASSERT(sizeof(hypersdk_host) >= 136u, "host table of 1.0 is 136 bytes; it only grows");

OFFSET_IS(hypersdk_provider_capabilities, provider_name, 8);
OFFSET_IS(hypersdk_provider_capabilities, export_formats, 16);
OFFSET_IS(hypersdk_provider_capabilities, auth_methods, 24);
OFFSET_IS(hypersdk_provider_capabilities, exports_powered_on, 32);
OFFSET_IS(hypersdk_provider_capabilities, supports_incremental, 33);
LAYOUT_ASSERT(sizeof(hypersdk_provider_capabilities) >= 40u, "provider capabilities of 1.0: 40 bytes");

OFFSET_IS(hypersdk_provider, capabilities, 8);
OFFSET_IS(hypersdk_provider, open, 16);
OFFSET_IS(hypersdk_provider, close, 24);
OFFSET_IS(hypersdk_provider, list_vms, 32);
OFFSET_IS(hypersdk_provider, describe_vm, 40);
OFFSET_IS(hypersdk_provider, export_vm, 48);
LAYOUT_ASSERT(sizeof(hypersdk_provider) >= 56u, "provider table of 1.0: 56 bytes");

OFFSET_IS(hypersdk_converter_capabilities, supported_source_formats, 8);
OFFSET_IS(hypersdk_converter_capabilities, supported_target_formats, 16);
OFFSET_IS(hypersdk_converter_capabilities, supports_driver_injection, 24);
OFFSET_IS(hypersdk_converter_capabilities, supports_os_detection, 25);
OFFSET_IS(hypersdk_converter_capabilities, supports_validation, 26);
OFFSET_IS(hypersdk_converter_capabilities, supported_providers, 32);
OFFSET_IS(hypersdk_converter_capabilities, priority, 40);
OFFSET_IS(hypersdk_converter_capabilities, tool_name, 48);
OFFSET_IS(hypersdk_converter_capabilities, install_hint, 56);
LAYOUT_ASSERT(sizeof(hypersdk_converter_capabilities) >= 64u, "converter capabilities of 1.0: 64 bytes");

OFFSET_IS(hypersdk_converter, capabilities, 8);
OFFSET_IS(hypersdk_converter, validate, 16);
OFFSET_IS(hypersdk_converter, version, 24);
OFFSET_IS(hypersdk_converter, convert, 32);
LAYOUT_ASSERT(sizeof(hypersdk_converter) >= 40u, "converter table of 1.0: 40 bytes");
LAYOUT_ASSERT(sizeof(bool) == 1u, "bool fields are one byte");

/* ---- ABI 1.1 additions, appended ---- */
OFFSET_IS(hypersdk_provider_capabilities, options, 40);
OFFSET_IS(hypersdk_converter_capabilities, options, 64);
OFFSET_IS(hypersdk_host, sink_write_zeros, 136);
OFFSET_IS(hypersdk_option, struct_size, 0);
OFFSET_IS(hypersdk_option, type, 4);
OFFSET_IS(hypersdk_option, name, 8);
OFFSET_IS(hypersdk_option, value_name, 16);
OFFSET_IS(hypersdk_option, help, 24);
OFFSET_IS(hypersdk_option, default_value, 32);
OFFSET_IS(hypersdk_option, env, 40);
OFFSET_IS(hypersdk_option, flags, 48);
OFFSET_IS(hypersdk_option, min_value, 56);
OFFSET_IS(hypersdk_option, max_value, 64);
LAYOUT_ASSERT(HYPERSDK_OPTION_MIN_SIZE == 72u, "an option entry of 1.1 is 72 bytes");
#endif
