/* The descriptor an older minor produced: struct_size is exactly
 * HYPERSDK_PLUGIN_DESCRIPTOR_MIN_SIZE. The memory after it (description,
 * homepage, license) holds non-NULL garbage on purpose: a host that read past
 * struct_size would print or dereference it. Its converter table and
 * capabilities are exactly their 1.0 mandatory size too. */
#include "test_common.h"

#include <stdint.h>

#define GARBAGE ((const char*)(uintptr_t)0xdeadbeefu)

static const char* const formats[] = {"vmdk", NULL};
static const char* const targets[] = {"qcow2", NULL};
static const char* const any_provider[] = {HYPERSDK_ANY_PROVIDER, NULL};
static const hypersdk_converter_capabilities caps = {
    .struct_size = sizeof(hypersdk_converter_capabilities),
    .supported_source_formats = formats,
    .supported_target_formats = targets,
    .supported_providers = any_provider,
    .priority = 5,
};

static const hypersdk_converter converter = {
    .struct_size = sizeof(hypersdk_converter),
    .capabilities = &caps,
    .validate = stub_validate,
    .version = stub_version,
    .convert = stub_convert,
};

static void older_deinit(void) {
    test_record_deinit("older");
}

static const void* older_get_interface(const char* interface_id) {
    return strcmp(interface_id, HYPERSDK_CONVERTER_INTERFACE_ID) == 0 ? &converter : NULL;
}

static const hypersdk_plugin_descriptor descriptor = {
    .struct_size = HYPERSDK_PLUGIN_DESCRIPTOR_MIN_SIZE,
    .abi_major = 1,
    .abi_minor = 0,
    .id = "org.hypersdk.test.older",
    .name = "older-test",
    .version = "0.0.1",
    .kinds = HYPERSDK_PLUGIN_KIND_CONVERTER,
    .thread_model = HYPERSDK_THREAD_MODEL_SERIALIZE,
    .init = NULL,
    .deinit = older_deinit,
    .get_interface = older_get_interface,
    /* Beyond struct_size: must read as NULL. */
    .description = GARBAGE,
    .homepage = GARBAGE,
    .license = GARBAGE,
};

HYPERSDK_PLUGIN_EXPORT const hypersdk_plugin_descriptor* hypersdk_plugin_entry_v1(void) {
    return &descriptor;
}
