/* A plugin exactly as an ABI 1.0 author wrote it, built against the frozen
 * 1.0 headers in tests/abi/abi-1.0 (not today's SDK). Provider "legacycloud"
 * exports one 64 KiB raw disk through the 1.0 sink slots; converter
 * "legacyconv" reads its 1.0 ConverterConfig key "binary_path". The 1.1 host
 * must load it (options read as none, the host table's newer slots unused)
 * and drive it to a manifest. */
#include <hypersdk/hypersdk.h>

#include <stdio.h>
#include <string.h>

#if HYPERSDK_ABI_MINOR != 0
#error "legacy10.c must be compiled against the frozen ABI 1.0 headers (tests/abi/abi-1.0/include)"
#endif

static const hypersdk_host* g_host;

static int32_t append(hypersdk_buffer* out, const char* text) {
    return g_host->buffer_append(out, text, strlen(text));
}

struct hypersdk_provider_session {
    int unused;
};
static struct hypersdk_provider_session g_session;

static int32_t legacy_open(const char* config_json, hypersdk_job* job, hypersdk_provider_session** out) {
    (void)config_json;
    (void)job;
    *out = &g_session;
    return HYPERSDK_OK;
}
static void legacy_close(hypersdk_provider_session* session) {
    (void)session;
}
static int32_t legacy_list_vms(hypersdk_provider_session* session, hypersdk_job* job, hypersdk_buffer* out) {
    (void)session;
    (void)job;
    return append(out, "[{\"id\":\"old-1\",\"name\":\"old-vm\",\"power_state\":\"poweredOff\"}]");
}

static const char* const kDescription =
    "\"id\":\"old-1\",\"name\":\"old-vm\",\"power_state\":\"poweredOff\",\"cpu\":1,\"memory_mb\":512,"
    "\"firmware\":\"bios\",\"disks\":[{\"id\":\"disk-0\",\"capacity_bytes\":65536,\"format\":\"raw\"}]";

static int32_t legacy_describe_vm(hypersdk_provider_session* session, const char* vm_ref, hypersdk_job* job,
                                  hypersdk_buffer* out) {
    (void)session;
    (void)vm_ref;
    (void)job;
    char text[512];
    snprintf(text, sizeof text, "{%s}", kDescription);
    return append(out, text);
}

static int32_t legacy_export_vm(hypersdk_provider_session* session, const char* vm_ref, const char* options,
                                hypersdk_job* job, hypersdk_buffer* out) {
    (void)session;
    (void)vm_ref;
    (void)options;
    hypersdk_sink* sink = NULL;
    int32_t status = g_host->sink_open(
        job, "{\"kind\":\"disk\",\"id\":\"disk-0\",\"file_name\":\"old-vm-disk0.raw\",\"format\":\"raw\"}",
        &sink);
    if (status != HYPERSDK_OK) return status;
    unsigned char block[4096];
    for (unsigned i = 0; i < 16 && status == HYPERSDK_OK; ++i) {
        memset(block, (int)(0x30 + i), sizeof block);
        status = g_host->sink_write(sink, block, sizeof block);
        g_host->job_progress(job, (uint64_t)(i + 1) * sizeof block, 16u * sizeof block);
    }
    const int32_t closed = g_host->sink_close(sink, status);
    if (status != HYPERSDK_OK) return status;
    if (closed != HYPERSDK_OK) return closed;
    char text[768];
    snprintf(text, sizeof text,
             "{%s,\"files\":[{\"kind\":\"disk\",\"id\":\"disk-0\",\"file_name\":\"old-vm-disk0.raw\","
             "\"format\":\"raw\"}],\"powered_off_by_export\":false}",
             kDescription);
    return append(out, text);
}

static const char* const export_formats[] = {"raw", NULL};
static const char* const auth_methods[] = {"none", NULL};
static const hypersdk_provider_capabilities provider_caps = {
    sizeof(hypersdk_provider_capabilities), "legacycloud", export_formats, auth_methods, false, false};
static const hypersdk_provider provider = {
    sizeof(hypersdk_provider), &provider_caps,     legacy_open,     legacy_close,
    legacy_list_vms,           legacy_describe_vm, legacy_export_vm};

static int32_t legacy_validate(const char* config_json, hypersdk_job* job) {
    /* 1.0 hosts sent the tool path as "binary_path"; a 1.1 host sends the
     * declared options instead, and this plugin declares none. */
    if (config_json != NULL && strstr(config_json, "\"binary_path\"") != NULL) {
        g_host->job_error(job, HYPERSDK_ERR_INVALID_ARGUMENT, "unexpected binary_path");
        return HYPERSDK_ERR_INVALID_ARGUMENT;
    }
    return HYPERSDK_OK;
}
static int32_t legacy_version(const char* config_json, hypersdk_job* job, hypersdk_buffer* out) {
    (void)config_json;
    (void)job;
    return append(out, "1.0.0");
}
static int32_t legacy_convert(const char* config_json, const char* manifest_path, const char* options_json,
                              hypersdk_job* job, hypersdk_buffer* out) {
    (void)config_json;
    (void)manifest_path;
    (void)options_json;
    (void)out;
    g_host->job_error(job, HYPERSDK_ERR_UNSUPPORTED, "legacyconv converts nothing");
    return HYPERSDK_ERR_UNSUPPORTED;
}
static const char* const source_formats[] = {"raw", NULL};
static const char* const target_formats[] = {"qcow2", NULL};
static const char* const any_provider[] = {HYPERSDK_ANY_PROVIDER, NULL};
static const hypersdk_converter_capabilities converter_caps = {sizeof(hypersdk_converter_capabilities),
                                                               source_formats,
                                                               target_formats,
                                                               false,
                                                               false,
                                                               true, /* validates: a manifest asks for it */
                                                               any_provider,
                                                               1,
                                                               "legacyconv",
                                                               "nothing to install"};
static const hypersdk_converter converter = {sizeof(hypersdk_converter), &converter_caps, legacy_validate,
                                             legacy_version, legacy_convert};

static int32_t legacy_init(const hypersdk_host* host) {
    g_host = host;
    return HYPERSDK_OK;
}
static void legacy_deinit(void) {
    g_host = NULL;
}
static const void* legacy_get_interface(const char* id) {
    if (strcmp(id, HYPERSDK_PROVIDER_INTERFACE_ID) == 0) return &provider;
    if (strcmp(id, HYPERSDK_CONVERTER_INTERFACE_ID) == 0) return &converter;
    return NULL;
}

static const hypersdk_plugin_descriptor descriptor = {
    sizeof(hypersdk_plugin_descriptor),
    HYPERSDK_ABI_MAJOR,
    HYPERSDK_ABI_MINOR,
    "org.hypersdk.test.legacy10",
    "legacyconv",
    "1.0.0",
    HYPERSDK_PLUGIN_KIND_PROVIDER | HYPERSDK_PLUGIN_KIND_CONVERTER,
    HYPERSDK_THREAD_MODEL_SERIALIZE,
    legacy_init,
    legacy_deinit,
    legacy_get_interface,
    "Built against the frozen ABI 1.0 headers",
    NULL,
    "Apache-2.0"};

HYPERSDK_PLUGIN_EXPORT const hypersdk_plugin_descriptor* hypersdk_plugin_entry_v1(void) {
    return &descriptor;
}
