/* One source, many broken plugins: each VARIANT_* definition (set by
 * tests/abi/CMakeLists.txt) breaks one rule the loader checks, the way the
 * Vulkan loader's tests build one driver into many ABI variants. Without any
 * definition it is a valid provider. */
#include "test_common.h"

#ifndef VARIANT_ID
#define VARIANT_ID "org.hypersdk.test.variant"
#endif
#ifndef VARIANT_NAME
#define VARIANT_NAME "variant-test"
#endif
#ifndef VARIANT_STRUCT_SIZE
#define VARIANT_STRUCT_SIZE sizeof(hypersdk_plugin_descriptor)
#endif
#ifndef VARIANT_ABI_MAJOR
#define VARIANT_ABI_MAJOR HYPERSDK_ABI_MAJOR
#endif
#ifndef VARIANT_KINDS
#define VARIANT_KINDS HYPERSDK_PLUGIN_KIND_PROVIDER
#endif
#ifndef VARIANT_INIT_STATUS
#define VARIANT_INIT_STATUS HYPERSDK_OK
#endif
#ifndef VARIANT_PROVIDER_SIZE
#define VARIANT_PROVIDER_SIZE sizeof(hypersdk_provider)
#endif
#ifndef VARIANT_DEINIT_TAG
#define VARIANT_DEINIT_TAG VARIANT_NAME
#endif

static const char* const formats[] = {"raw", NULL};
static const hypersdk_provider_capabilities caps = {
    .struct_size = sizeof(hypersdk_provider_capabilities),
    .provider_name = "variantcloud",
    .export_formats = formats,
    .auth_methods = formats,
};

static const hypersdk_provider provider = {
    .struct_size = VARIANT_PROVIDER_SIZE,
    .capabilities = &caps,
    .open = stub_open,
    .close = stub_close,
    .list_vms = stub_list_vms,
    .describe_vm = stub_describe_vm,
    .export_vm = stub_export_vm,
};

static int32_t variant_init(const hypersdk_host* host) {
    if (VARIANT_INIT_STATUS != HYPERSDK_OK)
        host->log(host, HYPERSDK_LOG_ERROR, "variant init refuses to start");
    return VARIANT_INIT_STATUS;
}

static void variant_deinit(void) {
    test_record_deinit(VARIANT_DEINIT_TAG);
}

static const void* variant_get_interface(const char* interface_id) {
    /* Never offers the converter interface, whatever kinds says. */
    return strcmp(interface_id, HYPERSDK_PROVIDER_INTERFACE_ID) == 0 ? &provider : NULL;
}

static const hypersdk_plugin_descriptor descriptor = {
    .struct_size = (uint32_t)(VARIANT_STRUCT_SIZE),
    .abi_major = VARIANT_ABI_MAJOR,
    .abi_minor = 0,
    .id = VARIANT_ID,
#ifdef VARIANT_NO_NAME
    .name = NULL,
#else
    .name = VARIANT_NAME,
#endif
    .version = "0.1.0",
    .kinds = VARIANT_KINDS,
    .thread_model = HYPERSDK_THREAD_MODEL_SERIALIZE,
    .init = variant_init,
    .deinit = variant_deinit,
    .get_interface = variant_get_interface,
    .description = "variant test plugin",
};

HYPERSDK_PLUGIN_EXPORT const hypersdk_plugin_descriptor* hypersdk_plugin_entry_v1(void) {
#ifdef VARIANT_NULL_ENTRY
    (void)descriptor;
    return NULL;
#else
    return &descriptor;
#endif
}
