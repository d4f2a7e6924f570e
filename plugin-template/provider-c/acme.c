/* com.example.provider.acme: a provider plugin in C.
 *
 * TEMPLATE SKELETON. It is not a working provider: "Acme Cloud" is a made-up
 * platform, open() connects to nothing and list_vms/describe_vm/export_vm
 * fail with HYPERSDK_ERR_UNSUPPORTED. Everything the ABI demands is real and
 * correct (descriptor, init/deinit, get_interface, capabilities, session
 * ownership), so the host loads and lists it. Copy it, rename the id to your
 * own reverse-DNS domain and fill in the places marked "IMPLEMENT".
 *
 * Rules (from the headers in sdk/include/hypersdk/):
 *   - ownership: a session is plugin-owned: open allocates it, close frees it.
 *     Text for the host goes into host-owned buffers (host->buffer_append);
 *     disk bytes go into host-owned sinks (host->sink_open/write/close), which
 *     name, hash and rename the files: the plugin never creates output files.
 *   - threads: init, deinit and get_interface run on the host's main thread.
 *     This plugin declares HYPERSDK_THREAD_MODEL_SERIALIZE, so the host makes
 *     one call into it at a time. Move to PARALLEL once sessions share no
 *     mutable state (each call still gets its own session and job).
 *   - errors: a negative HYPERSDK_ERR_* status after host->job_error with a
 *     message naming the input and what to do. Credentials never appear in a
 *     message or a log line.
 */
#include <hypersdk/hypersdk.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_value.h"

#define PLUGIN_ID "com.example.provider.acme"
#define SKELETON_FILE "provider-c/acme.c"
#define NOT_IMPLEMENTED(fn) \
    "Template skeleton: " PLUGIN_ID " talks to no platform yet; implement " fn "() in " SKELETON_FILE

/* The host table received by init. Host-owned; valid until deinit returns;
 * written once in init, read-only afterwards. */
static const hypersdk_host* g_host = NULL;

/* ---- capabilities of the hypothetical Acme Cloud ---------------------------
 * Static, valid until the plugin is unloaded, read from any thread. */
static const char* const k_export_formats[] = {"vmdk", "ova", NULL};
static const char* const k_auth_methods[] = {"password", "token", NULL};

/* ---- options (ABI 1.1): the settings Acme users already have -------------
 * The host turns each entry into a flag (--endpoint; a secret only as
 * --api-token-file FILE or --api-token-env VAR, never a flag value), a
 * profile key ("plugin_options": {"acme": {"endpoint": ...}}) and the
 * environment variables listed, and passes the resolved values to open() as
 * keys of config_json. Resolution order: flag, profile, environment, default.
 * IMPLEMENT: declare the settings your platform's own tools read, with their
 * variables, so your users need to learn nothing new. */
static const hypersdk_option k_endpoint = {
    .struct_size = sizeof(hypersdk_option),
    .type = HYPERSDK_OPTION_STRING,
    .name = "endpoint",
    .value_name = "URL",
    .help = "the Acme Cloud API endpoint, e.g. https://api.acme.example",
    .env = "ACME_ENDPOINT",
    .flags = HYPERSDK_OPTION_REQUIRED, /* the host refuses to call open() without it */
};
static const hypersdk_option k_api_token = {
    .struct_size = sizeof(hypersdk_option),
    .type = HYPERSDK_OPTION_SECRET, /* never in ps, a profile, a log or a child's environment */
    .name = "api-token",
    .help = "the Acme Cloud API token",
    .env = "ACME_API_TOKEN",
};
static const hypersdk_option* const k_options[] = {&k_endpoint, &k_api_token, NULL};

static const hypersdk_provider_capabilities k_capabilities = {
    .struct_size = sizeof(hypersdk_provider_capabilities),
    .provider_name = "acme", /* the manifest's source.provider value */
    .export_formats = k_export_formats,
    .auth_methods = k_auth_methods,
    .exports_powered_on = false, /* Acme needs the VM powered off to export */
    .supports_incremental = false,
    .options = k_options, /* ABI 1.1; a 1.0 host ignores it */
};

/* A connection to the platform: plugin-owned, created by open, freed by
 * close. The host uses one session from one call at a time. */
struct hypersdk_provider_session {
    /* Copy of the configuration (the host's string is only valid during the
     * call). It holds the API token: never log it. */
    char* config_json;
    char endpoint[512]; /* the "endpoint" option */
    bool has_token;     /* whether "api-token" was given (its value stays in config_json) */
};

static void acme_close_session(hypersdk_provider_session* session) {
    free(session->config_json);
    free(session);
}

/* [own job] Connect and authenticate.
 * IMPLEMENT: parse config_json (docs/provider-json.md#config): endpoint,
 * credentials, TLS settings; connect; log in; on failure return
 * HYPERSDK_ERR_AUTH / _NETWORK / _INVALID_ARGUMENT with a job error. */
static int32_t acme_open(const char* config_json, hypersdk_job* job,
                         hypersdk_provider_session** out_session) {
    if (out_session == NULL) {
        g_host->job_error(job, HYPERSDK_ERR_INVALID_ARGUMENT,
                          PLUGIN_ID ": open() needs an out_session pointer");
        return HYPERSDK_ERR_INVALID_ARGUMENT;
    }
    *out_session = NULL;
    const char* config = config_json != NULL ? config_json : "{}";
    hypersdk_provider_session* session = calloc(1, sizeof *session);
    char* copy = malloc(strlen(config) + 1);
    if (session == NULL || copy == NULL) {
        free(session);
        free(copy);
        g_host->job_error(job, HYPERSDK_ERR_GENERIC, PLUGIN_ID ": out of memory opening a session");
        return HYPERSDK_ERR_GENERIC;
    }
    memcpy(copy, config, strlen(config) + 1);
    session->config_json = copy;
    /* The declared options arrive as keys of the config. The host has already
     * refused to call open() without the required endpoint; a 1.0 host (no
     * options) sends none, hence the check. */
    if (!config_string(config, "endpoint", session->endpoint, sizeof session->endpoint)) {
        acme_close_session(session);
        g_host->job_error(job, HYPERSDK_ERR_INVALID_ARGUMENT,
                          PLUGIN_ID ": no endpoint: pass --endpoint URL or set ACME_ENDPOINT");
        return HYPERSDK_ERR_INVALID_ARGUMENT;
    }
    char token[4096];
    session->has_token = config_string(config, "api-token", token, sizeof token);
    memset(token, 0, sizeof token);
    /* The session exists but is connected to nothing: say so. */
    g_host->job_warning(job, "open", NOT_IMPLEMENTED("open"));
    *out_session = session;
    return HYPERSDK_OK;
}

/* Log out and free. Never fails; NULL is allowed. */
static void acme_close(hypersdk_provider_session* session) {
    if (session == NULL) return;
    acme_close_session(session);
}

/* [own job] IMPLEMENT: append a JSON array of VM summaries
 * (docs/provider-json.md#vm-summary) to out_json. */
static int32_t acme_list_vms(hypersdk_provider_session* session, hypersdk_job* job,
                             hypersdk_buffer* out_json) {
    (void)out_json;
    /* Says what a real list_vms would use, so a user of the skeleton sees the
     * options arrive; the token itself is never shown. */
    char message[1024];
    snprintf(message, sizeof message, "%s (it would list the VMs at %s, %s an API token)",
             NOT_IMPLEMENTED("list_vms"), session->endpoint, session->has_token ? "with" : "without");
    g_host->job_error(job, HYPERSDK_ERR_UNSUPPORTED, message);
    return HYPERSDK_ERR_UNSUPPORTED;
}

/* [own job] IMPLEMENT: append one VM description (name, id, cpu, memory,
 * firmware, guest OS, disks, NICs) to out_json; HYPERSDK_ERR_NOT_FOUND with a
 * job error naming vm_ref when there is no such VM. */
static int32_t acme_describe_vm(hypersdk_provider_session* session, const char* vm_ref, hypersdk_job* job,
                                hypersdk_buffer* out_json) {
    (void)out_json;
    char message[1024];
    snprintf(message, sizeof message, "%s (it would describe %.200s at %s)", NOT_IMPLEMENTED("describe_vm"),
             vm_ref != NULL ? vm_ref : "", session->endpoint);
    g_host->job_error(job, HYPERSDK_ERR_UNSUPPORTED, message);
    return HYPERSDK_ERR_UNSUPPORTED;
}

/* [own job] IMPLEMENT: for each disk, g_host->sink_open(job, artifact_json,
 * &sink); continue from g_host->sink_offset(sink) (resume, e.g. with an HTTP
 * Range request); g_host->sink_write(...) as bytes arrive, reporting
 * g_host->job_progress and polling g_host->job_is_cancelled at least once a
 * second; g_host->sink_close(sink, HYPERSDK_OK) only when the disk is
 * complete (any other status keeps the .part file). Then append the export
 * result (docs/provider-json.md#export-options) to out_json. */
static int32_t acme_export_vm(hypersdk_provider_session* session, const char* vm_ref,
                              const char* options_json, hypersdk_job* job, hypersdk_buffer* out_json) {
    (void)session;
    (void)vm_ref;
    (void)options_json;
    (void)out_json;
    g_host->job_error(job, HYPERSDK_ERR_UNSUPPORTED, NOT_IMPLEMENTED("export_vm"));
    return HYPERSDK_ERR_UNSUPPORTED;
}

/* The interface table: static, plugin-owned, valid until deinit. */
static const hypersdk_provider k_provider = {
    .struct_size = sizeof(hypersdk_provider),
    .capabilities = &k_capabilities,
    .open = acme_open,
    .close = acme_close,
    .list_vms = acme_list_vms,
    .describe_vm = acme_describe_vm,
    .export_vm = acme_export_vm,
};

/* [main thread] Keep the host table. Every slot used here exists since ABI
 * 1.0; check a slot of a later minor with HYPERSDK_HOST_HAS(host, slot)
 * (export_vm would write holes with sink_write_zeros, new in 1.1, and fall
 * back to writing zeros with sink_write on a 1.0 host). */
static int32_t acme_init(const hypersdk_host* host) {
    g_host = host;
    host->log(host, HYPERSDK_LOG_DEBUG, "template skeleton " PLUGIN_ID " initialised");
    return HYPERSDK_OK;
}

/* [main thread] No call into the plugin follows. This skeleton keeps no
 * global state besides the host pointer; a real provider frees its caches or
 * connection pools here. */
static void acme_deinit(void) {
    g_host = NULL;
}

/* [main thread] The table for interface_id, or NULL. */
static const void* acme_get_interface(const char* interface_id) {
    if (interface_id != NULL && strcmp(interface_id, HYPERSDK_PROVIDER_INTERFACE_ID) == 0) return &k_provider;
    return NULL;
}

static const hypersdk_plugin_descriptor k_descriptor = {
    .struct_size = sizeof(hypersdk_plugin_descriptor),
    .abi_major = HYPERSDK_ABI_MAJOR,
    .abi_minor = HYPERSDK_ABI_MINOR,
    .id = PLUGIN_ID, /* your reverse-DNS domain; [a-z0-9.-] */
    .name = "acme",
    .version = "0.1.0",
    .kinds = HYPERSDK_PLUGIN_KIND_PROVIDER,
    .thread_model = HYPERSDK_THREAD_MODEL_SERIALIZE,
    .init = acme_init,
    .deinit = acme_deinit,
    .get_interface = acme_get_interface,
    .description = "Template skeleton: provider for the hypothetical Acme Cloud; exports nothing",
    .homepage = "https://example.com/hypersdk-plugins",
    .license = NULL, /* your SPDX licence id, e.g. "Apache-2.0" */
};

/* The one exported symbol. Static data, no allocation, callable many times. */
HYPERSDK_PLUGIN_EXPORT const hypersdk_plugin_descriptor* hypersdk_plugin_entry_v1(void) {
    return &k_descriptor;
}
