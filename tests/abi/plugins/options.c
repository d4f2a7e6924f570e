/* A 1.1 plugin that declares options of every type, as a provider
 * ("optcloud") and a converter ("optconv"). It records the config JSON it
 * receives in the file named by OPTIONS_TEST_CONFIG_DUMP (tests only), so the
 * tests can check what the host resolved; it never prints it.
 * With -DOPTIONS_VARIANT_SHADOW its provider declares an option "output",
 * which would shadow a host flag; with -DOPTIONS_VARIANT_BAD_NAME one named
 * "Region" (not [a-z][a-z0-9-]*). */
#include "test_common.h"

static const hypersdk_host* g_host;

static void dump_config(const char* kind, const char* config_json) {
    const char* path = getenv("OPTIONS_TEST_CONFIG_DUMP");
    if (path == NULL || path[0] == '\0') return;
    FILE* file = fopen(path, "a");
    if (file == NULL) return;
    fprintf(file, "%s %s\n", kind, config_json != NULL ? config_json : "(null)");
    fclose(file);
}

#if defined(OPTIONS_VARIANT_SHADOW)
#define REGION_NAME "output"
#elif defined(OPTIONS_VARIANT_BAD_NAME)
#define REGION_NAME "Region"
#else
#define REGION_NAME "region"
#endif

static const hypersdk_option opt_region = {sizeof(hypersdk_option),
                                           HYPERSDK_OPTION_STRING,
                                           REGION_NAME,
                                           "REGION",
                                           "the region",
                                           "us-east-1",
                                           "OPT_REGION,OPT_DEFAULT_REGION",
                                           0,
                                           0,
                                           0};
static const hypersdk_option opt_project = {
    sizeof(hypersdk_option), HYPERSDK_OPTION_STRING,   "project", "P", "the project (required)", NULL,
    "OPT_PROJECT",           HYPERSDK_OPTION_REQUIRED, 0,         0};
static const hypersdk_option opt_workers = {
    sizeof(hypersdk_option), HYPERSDK_OPTION_INTEGER, "workers", NULL, "parallel ranges", "4",
    "OPT_WORKERS",           HYPERSDK_OPTION_RANGE,   1,         32};
static const hypersdk_option opt_keep = {sizeof(hypersdk_option),
                                         HYPERSDK_OPTION_BOOL,
                                         "keep-snapshots",
                                         NULL,
                                         "keep the snapshots",
                                         "false",
                                         NULL,
                                         0,
                                         0,
                                         0};
static const hypersdk_option opt_key_file = {sizeof(hypersdk_option),
                                             HYPERSDK_OPTION_PATH,
                                             "key-file",
                                             "PEM",
                                             "a key file",
                                             NULL,
                                             "OPT_KEY_FILE",
                                             0,
                                             0,
                                             0};
static const hypersdk_option opt_tags = {sizeof(hypersdk_option),
                                         HYPERSDK_OPTION_LIST,
                                         "tag",
                                         "K=V",
                                         "a tag for snapshots",
                                         NULL,
                                         "OPT_TAGS",
                                         0,
                                         0,
                                         0};
static const hypersdk_option opt_token = {sizeof(hypersdk_option),
                                          HYPERSDK_OPTION_SECRET,
                                          "token",
                                          NULL,
                                          "the access token",
                                          NULL,
                                          "OPT_TOKEN,OPT_LEGACY_TOKEN",
                                          0,
                                          0,
                                          0};
static const hypersdk_option* const provider_options[] = {
    &opt_region, &opt_project, &opt_workers, &opt_keep, &opt_key_file, &opt_tags, &opt_token, NULL};

static const char* const export_formats[] = {"raw", NULL};
static const char* const auth_methods[] = {"token", NULL};
static const hypersdk_provider_capabilities provider_caps = {
    .struct_size = sizeof(hypersdk_provider_capabilities),
    .provider_name = "optcloud",
    .export_formats = export_formats,
    .auth_methods = auth_methods,
    .exports_powered_on = true,
    .supports_incremental = false,
    .options = provider_options,
};

struct hypersdk_provider_session {
    int unused;
};
static struct hypersdk_provider_session g_session;

static int32_t opt_open(const char* config_json, hypersdk_job* job, hypersdk_provider_session** out) {
    (void)job;
    dump_config("provider", config_json);
    *out = &g_session;
    return HYPERSDK_OK;
}

static int32_t opt_list_vms(hypersdk_provider_session* session, hypersdk_job* job, hypersdk_buffer* out) {
    (void)session;
    (void)job;
    return test_append(
        g_host, out,
        "[{\"id\":\"i-1\",\"name\":\"web-01\",\"power_state\":\"poweredOn\","
        "\"platform_state\":\"running\",\"cpu\":2,\"memory_mb\":4096,\"disk_bytes\":1048576}]");
}

/* vm_ref as a JSON string body: quotes, backslashes and control characters escaped. */
static void json_escape(const char* in, char* out, size_t out_size) {
    size_t n = 0;
    for (; *in != '\0' && n + 7 < out_size; ++in) {
        const unsigned char c = (unsigned char)*in;
        if (c < 0x20 || c == '"' || c == '\\')
            n += (size_t)snprintf(out + n, out_size - n, "\\u%04x", c);
        else
            out[n++] = (char)c;
    }
    out[n] = '\0';
}

static int32_t opt_describe_vm(hypersdk_provider_session* session, const char* vm_ref, hypersdk_job* job,
                               hypersdk_buffer* out) {
    (void)session;
    (void)job;
    char name[128];
    json_escape(vm_ref, name, sizeof name);
    char text[512];
    snprintf(text, sizeof text,
             "{\"id\":\"i-1\",\"name\":\"%.100s\",\"power_state\":\"poweredOn\",\"cpu\":2,\"memory_mb\":4096,"
             "\"firmware\":\"uefi\",\"disks\":[{\"id\":\"disk-0\",\"capacity_bytes\":1048576,\"format\":"
             "\"raw\"}]}",
             name);
    return test_append(g_host, out, text);
}

static const hypersdk_provider provider = {
    .struct_size = sizeof(hypersdk_provider),
    .capabilities = &provider_caps,
    .open = opt_open,
    .close = stub_close,
    .list_vms = opt_list_vms,
    .describe_vm = opt_describe_vm,
    .export_vm = stub_export_vm,
};

static const hypersdk_option opt_level = {sizeof(hypersdk_option),
                                          HYPERSDK_OPTION_INTEGER,
                                          "level",
                                          NULL,
                                          "how hard to try",
                                          "2",
                                          NULL,
                                          HYPERSDK_OPTION_RANGE,
                                          0,
                                          9};
static const hypersdk_option opt_api_key = {sizeof(hypersdk_option),
                                            HYPERSDK_OPTION_SECRET,
                                            "api-key",
                                            NULL,
                                            "the service key",
                                            NULL,
                                            "OPTCONV_KEY",
                                            0,
                                            0,
                                            0};
static const hypersdk_option* const converter_options[] = {&opt_level, &opt_api_key, NULL};

static const char* const source_formats[] = {"raw", NULL};
static const char* const target_formats[] = {"qcow2", NULL};
static const char* const any_provider[] = {HYPERSDK_ANY_PROVIDER, NULL};
static const hypersdk_converter_capabilities converter_caps = {
    .struct_size = sizeof(hypersdk_converter_capabilities),
    .supported_source_formats = source_formats,
    .supported_target_formats = target_formats,
    .supports_validation = true,
    .supported_providers = any_provider,
    .priority = 1,
    .tool_name = "optconv",
    .options = converter_options,
};

static int32_t opt_validate(const char* config_json, hypersdk_job* job) {
    (void)job;
    dump_config("converter", config_json);
    return HYPERSDK_OK;
}

static const hypersdk_converter converter = {
    .struct_size = sizeof(hypersdk_converter),
    .capabilities = &converter_caps,
    .validate = opt_validate,
    .version = stub_version,
    .convert = stub_convert,
};

static int32_t opt_init(const hypersdk_host* host) {
    g_host = host;
    return HYPERSDK_OK;
}

static const void* opt_get_interface(const char* id) {
    if (strcmp(id, HYPERSDK_PROVIDER_INTERFACE_ID) == 0) return &provider;
    if (strcmp(id, HYPERSDK_CONVERTER_INTERFACE_ID) == 0) return &converter;
    return NULL;
}

#ifndef OPTIONS_PLUGIN_ID
#define OPTIONS_PLUGIN_ID "org.hypersdk.test.options"
#endif

static const hypersdk_plugin_descriptor descriptor = {
    .struct_size = sizeof(hypersdk_plugin_descriptor),
    .abi_major = HYPERSDK_ABI_MAJOR,
    .abi_minor = HYPERSDK_ABI_MINOR,
    .id = OPTIONS_PLUGIN_ID,
    .name = "optconv",
    .version = "1.0.0",
    .kinds = HYPERSDK_PLUGIN_KIND_PROVIDER | HYPERSDK_PLUGIN_KIND_CONVERTER,
    .thread_model = HYPERSDK_THREAD_MODEL_PARALLEL,
    .init = opt_init,
    .get_interface = opt_get_interface,
    .description = "Declares options of every type (tests)",
};

HYPERSDK_PLUGIN_EXPORT const hypersdk_plugin_descriptor* hypersdk_plugin_entry_v1(void) {
    return &descriptor;
}
