/* A plugin built against a future minor (1.5): its descriptor, provider table
 * and capabilities carry extra trailing fields this host does not know. It
 * must load, with every known field read correctly. */
#include "test_common.h"

typedef struct {
    hypersdk_plugin_descriptor base;
    const char* future_string;
    uint64_t future_flags;
    void (*future_function)(void);
} future_descriptor;

typedef struct {
    hypersdk_provider_capabilities base;
    bool future_capability;
    const char* const* future_list;
} future_provider_capabilities;

typedef struct {
    hypersdk_provider base;
    int32_t (*future_slot)(hypersdk_provider_session* session);
} future_provider;

static void future_function(void) {}
static int32_t future_slot(hypersdk_provider_session* session) {
    (void)session;
    return HYPERSDK_OK;
}

static const char* const formats[] = {"ova", NULL};
static const char* const auth[] = {"sigv4", NULL};
static const future_provider_capabilities caps = {
    .base =
        {
            .struct_size = sizeof(future_provider_capabilities),
            .provider_name = "futurecloud",
            .export_formats = formats,
            .auth_methods = auth,
            .exports_powered_on = false,
            .supports_incremental = true,
        },
    .future_capability = true,
    .future_list = formats,
};

static const future_provider provider = {
    .base =
        {
            .struct_size = sizeof(future_provider),
            .capabilities = &caps.base,
            .open = stub_open,
            .close = stub_close,
            .list_vms = stub_list_vms,
            .describe_vm = stub_describe_vm,
            .export_vm = stub_export_vm,
        },
    .future_slot = future_slot,
};

static const void* newer_get_interface(const char* interface_id) {
    return strcmp(interface_id, HYPERSDK_PROVIDER_INTERFACE_ID) == 0 ? &provider.base : NULL;
}

static const future_descriptor descriptor = {
    .base =
        {
            .struct_size = sizeof(future_descriptor),
            .abi_major = 1,
            .abi_minor = 5,
            .id = "org.hypersdk.test.newer",
            .name = "newer-test",
            .version = "2.0.0",
            .kinds = HYPERSDK_PLUGIN_KIND_PROVIDER,
            .thread_model = HYPERSDK_THREAD_MODEL_PARALLEL,
            .get_interface = newer_get_interface,
            .description = "built against hypersdk 1.5",
            .homepage = "https://example.invalid/newer",
            .license = "MIT",
        },
    .future_string = "a field this host does not know",
    .future_flags = 0xffffffffffffffffull,
    .future_function = future_function,
};

HYPERSDK_PLUGIN_EXPORT const hypersdk_plugin_descriptor* hypersdk_plugin_entry_v1(void) {
    return &descriptor.base;
}
