/* A well-formed C plugin offering both kinds, with distinctive capability
 * data the tests look for. list_vms reports what the host table told init,
 * so a test can check the table round trip. */
#include "test_common.h"

static const hypersdk_host* g_host = NULL;

static const char* const export_formats[] = {"ovf", "vmdk-stream", NULL};
static const char* const auth_methods[] = {"password", "token-42", NULL};
static const hypersdk_provider_capabilities provider_caps = {
    .struct_size = sizeof(hypersdk_provider_capabilities),
    .provider_name = "testcloud",
    .export_formats = export_formats,
    .auth_methods = auth_methods,
    .exports_powered_on = true,
    .supports_incremental = false,
};

static int32_t good_list_vms(hypersdk_provider_session* session, hypersdk_job* job, hypersdk_buffer* out) {
    (void)session;
    char text[4200];
    snprintf(text, sizeof text, "{\"plugin_path\":\"%s\",\"host_name\":\"%s\"}", g_host->plugin_path,
             g_host->host_name);
    g_host->job_progress(job, 1, 1);
    return test_append(g_host, out, text);
}

static const hypersdk_provider provider = {
    .struct_size = sizeof(hypersdk_provider),
    .capabilities = &provider_caps,
    .open = stub_open,
    .close = stub_close,
    .list_vms = good_list_vms,
    .describe_vm = stub_describe_vm,
    .export_vm = stub_export_vm,
};

static const char* const source_formats[] = {"vmdk", "vhdx", NULL};
static const char* const target_formats[] = {"qcow2", "raw", NULL};
static const char* const providers[] = {"testcloud", "vsphere", NULL};
static const hypersdk_converter_capabilities converter_caps = {
    .struct_size = sizeof(hypersdk_converter_capabilities),
    .supported_source_formats = source_formats,
    .supported_target_formats = target_formats,
    .supports_driver_injection = true,
    .supports_os_detection = false,
    .supports_validation = true,
    .supported_providers = providers,
    .priority = 77,
    .tool_name = "good-tool",
    .install_hint = "apt-get install good-tool",
};

static int32_t good_version(const char* config_json, hypersdk_job* job, hypersdk_buffer* out) {
    (void)config_json;
    (void)job;
    return test_append(g_host, out, "9.8.7");
}

static const hypersdk_converter converter = {
    .struct_size = sizeof(hypersdk_converter),
    .capabilities = &converter_caps,
    .validate = stub_validate,
    .version = good_version,
    .convert = stub_convert,
};

static int32_t good_init(const hypersdk_host* host) {
    if (host->abi_major != HYPERSDK_ABI_MAJOR || !HYPERSDK_HOST_HAS(host, sink_close))
        return HYPERSDK_ERR_GENERIC;
    g_host = host;
    host->log(host, HYPERSDK_LOG_DEBUG, "good test plugin initialised");
    return HYPERSDK_OK;
}

static void good_deinit(void) {
    test_record_deinit("good");
    g_host = NULL;
}

static const void* good_get_interface(const char* interface_id) {
    if (strcmp(interface_id, HYPERSDK_PROVIDER_INTERFACE_ID) == 0) return &provider;
    if (strcmp(interface_id, HYPERSDK_CONVERTER_INTERFACE_ID) == 0) return &converter;
    return NULL;
}

static const hypersdk_plugin_descriptor descriptor = {
    .struct_size = sizeof(hypersdk_plugin_descriptor),
    .abi_major = HYPERSDK_ABI_MAJOR,
    .abi_minor = HYPERSDK_ABI_MINOR,
    .id = "org.hypersdk.test.good",
    .name = "good-test",
    .version = "1.2.3",
    .kinds = HYPERSDK_PLUGIN_KIND_PROVIDER | HYPERSDK_PLUGIN_KIND_CONVERTER,
    .thread_model = HYPERSDK_THREAD_MODEL_PARALLEL,
    .init = good_init,
    .deinit = good_deinit,
    .get_interface = good_get_interface,
    .description = "A well-formed test plugin with both kinds",
    .homepage = "https://example.invalid/good",
    .license = "Apache-2.0",
};

HYPERSDK_PLUGIN_EXPORT const hypersdk_plugin_descriptor* hypersdk_plugin_entry_v1(void) {
    return &descriptor;
}
