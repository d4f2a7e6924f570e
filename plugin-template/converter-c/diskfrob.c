/* com.example.converter.diskfrob: a converter plugin in C.
 *
 * TEMPLATE SKELETON. It is not a working converter: "diskfrob" is a made-up
 * tool, and convert() converts nothing. Everything the ABI demands is real and
 * correct (descriptor, init/deinit, get_interface, capabilities, validate), so
 * the host loads it, lists it and routes to it by its capabilities. Copy it,
 * rename the id to your own reverse-DNS domain and fill in the places marked
 * "IMPLEMENT".
 *
 * The rules it follows are the SDK headers' (the headers in sdk/include/hypersdk/):
 *   - ownership: whoever allocates frees. Strings and tables handed to the host
 *     are static and live until the plugin is unloaded; text the plugin
 *     produces goes into host-owned buffers through host->buffer_append.
 *   - threads: init, deinit and get_interface run on the host's main thread;
 *     with HYPERSDK_THREAD_MODEL_PARALLEL, validate/version/convert may run on
 *     several threads at once, each with its own job.
 *   - errors: a negative HYPERSDK_ERR_* status, after host->job_error with a
 *     message that names the input and says what to do. Nothing is printed to
 *     stdout or stderr: the host owns the terminal.
 */
#define _POSIX_C_SOURCE 200809L /* access() and X_OK under -std=c99 */

#include <hypersdk/hypersdk.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config_value.h"

#define PLUGIN_ID "com.example.converter.diskfrob"
#define TOOL_NAME "diskfrob"
#define INSTALL_HINT \
    "install diskfrob (hypothetical; name the real package of your tool, e.g. apt-get install ...)"
#define SKELETON_FILE "converter-c/diskfrob.c"

/* The host table received by init. Host-owned; valid until deinit returns.
 * Written once on the main thread before any other call and only read after
 * that, so every thread may read it without a lock. */
static const hypersdk_host* g_host = NULL;

static void log_message(int32_t level, const char* message) {
    if (g_host != NULL && g_host->log != NULL) g_host->log(g_host, level, message);
}

/* ---- capabilities: what the hypothetical diskfrob tool can do --------------
 * Static data, valid until the plugin is unloaded, read by the host from any
 * thread. The ConversionManager routes on these values, so they must be true
 * of the tool: never claim a format or stage the tool does not handle. */
static const char* const k_source_formats[] = {"vmdk", "vhd", "vhdx", NULL};
static const char* const k_target_formats[] = {"qcow2", "raw", NULL};
static const char* const k_providers[] = {HYPERSDK_ANY_PROVIDER, NULL};

/* ---- options (ABI 1.1) ------------------------------------------------------
 * The host offers a converter's options behind its name: this one is
 * --diskfrob-binary PATH (and "plugin_options": {"diskfrob": {"binary": ...}}
 * in a profile), resolved and made absolute by the host, and passed to
 * validate/version/convert as the key "binary" of config_json. */
static const hypersdk_option k_binary = {
    .struct_size = sizeof(hypersdk_option),
    .type = HYPERSDK_OPTION_PATH,
    .name = "binary",
    .value_name = "PATH",
    .help = "the diskfrob executable (default: search PATH)",
};
static const hypersdk_option* const k_options[] = {&k_binary, NULL};

static const hypersdk_converter_capabilities k_capabilities = {
    .struct_size = sizeof(hypersdk_converter_capabilities),
    .supported_source_formats = k_source_formats,
    .supported_target_formats = k_target_formats,
    .supports_driver_injection = false, /* diskfrob only rewrites image formats: no FIX stage */
    .supports_os_detection = false,     /* ... and no INSPECT stage */
    .supports_validation = true,        /* it can check the image it wrote */
    .supported_providers = k_providers,
    /* Among converters that satisfy a job the highest priority wins. Keep it
     * low next to the converters hypersdk ships unless yours is better. */
    .priority = 5,
    .tool_name = TOOL_NAME,
    .install_hint = INSTALL_HINT,
    .options = k_options, /* ABI 1.1; a 1.0 host ignores it */
};

/* Looks for an executable `tool` in each directory of PATH, as execvp would
 * (an empty element means the current directory). Writes the path found into
 * out. Reads the environment only; safe on any thread as long as nobody
 * calls setenv meanwhile. */
static bool find_on_path(const char* tool, char* out, size_t out_size) {
    const char* path = getenv("PATH");
    if (path == NULL) return false;
    const char* start = path;
    for (;;) {
        const char* end = strchr(start, ':');
        size_t dir_len = end != NULL ? (size_t)(end - start) : strlen(start);
        int n = dir_len == 0 ? snprintf(out, out_size, "./%s", tool)
                             : snprintf(out, out_size, "%.*s/%s", (int)dir_len, start, tool);
        if (n > 0 && (size_t)n < out_size && access(out, X_OK) == 0) return true;
        if (end == NULL) return false;
        start = end + 1;
    }
}

/* [any thread, own job] Is the tool there? Quick: the host calls it while
 * routing. The declared "binary" option (--diskfrob-binary) names the tool
 * and replaces the PATH search. */
static int32_t diskfrob_validate(const char* config_json, hypersdk_job* job) {
    char found[4096];
    if (config_string(config_json, "binary", found, sizeof found)) {
        if (access(found, X_OK) == 0) return HYPERSDK_OK;
        char message[4352];
        snprintf(message, sizeof message,
                 PLUGIN_ID ": --diskfrob-binary %s is not an executable file; " INSTALL_HINT, found);
        g_host->job_error(job, HYPERSDK_ERR_TOOL_MISSING, message);
        return HYPERSDK_ERR_TOOL_MISSING;
    }
    if (find_on_path(TOOL_NAME, found, sizeof found)) return HYPERSDK_OK;
    g_host->job_error(job, HYPERSDK_ERR_TOOL_MISSING,
                      PLUGIN_ID ": " TOOL_NAME " was not found in any directory of PATH; " INSTALL_HINT);
    return HYPERSDK_ERR_TOOL_MISSING;
}

/* [any thread, own job] Append the tool's bare version ("1.2.3") to
 * out_version, a host-owned buffer. */
static int32_t diskfrob_version(const char* config_json, hypersdk_job* job, hypersdk_buffer* out_version) {
    (void)out_version;
    const int32_t status = diskfrob_validate(config_json, job);
    if (status != HYPERSDK_OK) return status;
    /* IMPLEMENT: run "diskfrob --version", parse the number and append it with
     * g_host->buffer_append(out_version, text, strlen(text)). */
    g_host->job_error(job, HYPERSDK_ERR_UNSUPPORTED,
                      "Template skeleton: " PLUGIN_ID
                      " does not read the tool version yet; implement "
                      "version() in " SKELETON_FILE);
    return HYPERSDK_ERR_UNSUPPORTED;
}

/* [any thread, own job] Convert the disks of the manifest at manifest_path.
 * A real converter runs the tool as a child process, passes its output lines
 * to g_host->job_output when options ask for stream_output, reports progress
 * with g_host->job_progress, polls g_host->job_is_cancelled at least once a
 * second (killing the child and returning HYPERSDK_ERR_CANCELLED), writes its
 * outputs as ".part" files renamed on success, and never modifies the
 * manifest or the source disks. */
static int32_t diskfrob_convert(const char* config_json, const char* manifest_path, const char* options_json,
                                hypersdk_job* job, hypersdk_buffer* out_result_json) {
    (void)config_json;
    (void)manifest_path;
    (void)options_json;
    /* IMPLEMENT the conversion here. Until then it fails, plainly. */
#define CONVERT_MESSAGE \
    "Template skeleton: " PLUGIN_ID " converts nothing yet; implement convert() in " SKELETON_FILE
    /* A ConversionResult (docs/converter-json.md) is appended in every case
     * the plugin can, failure included. The message has no characters that
     * need JSON escaping; a real plugin escapes what it writes. */
    static const char result[] =
        "{\"success\": false, \"converted_files\": [], \"error\": \"" CONVERT_MESSAGE "\", \"warnings\": []}";
    if (out_result_json != NULL) g_host->buffer_append(out_result_json, result, sizeof result - 1);
    g_host->job_error(job, HYPERSDK_ERR_UNSUPPORTED, CONVERT_MESSAGE);
    return HYPERSDK_ERR_UNSUPPORTED;
}

/* The interface table: static, plugin-owned, valid until deinit. */
static const hypersdk_converter k_converter = {
    .struct_size = sizeof(hypersdk_converter),
    .capabilities = &k_capabilities,
    .validate = diskfrob_validate,
    .version = diskfrob_version,
    .convert = diskfrob_convert,
};

/* [main thread] Keep the host table. Every slot used here exists since ABI
 * 1.0; a slot added in a later minor would be checked first with
 * HYPERSDK_HOST_HAS(host, slot) and done without when the host is older. */
static int32_t diskfrob_init(const hypersdk_host* host) {
    g_host = host;
    log_message(HYPERSDK_LOG_DEBUG, "template skeleton " PLUGIN_ID " initialised");
    return HYPERSDK_OK;
}

/* [main thread] Nothing was allocated, so nothing to free. */
static void diskfrob_deinit(void) {
    g_host = NULL;
}

/* [main thread] The table for interface_id, or NULL for ids this plugin does
 * not offer (the host asks for ids of newer minors too). */
static const void* diskfrob_get_interface(const char* interface_id) {
    if (interface_id != NULL && strcmp(interface_id, HYPERSDK_CONVERTER_INTERFACE_ID) == 0)
        return &k_converter;
    return NULL;
}

static const hypersdk_plugin_descriptor k_descriptor = {
    .struct_size = sizeof(hypersdk_plugin_descriptor),
    .abi_major = HYPERSDK_ABI_MAJOR,
    .abi_minor = HYPERSDK_ABI_MINOR,
    .id = PLUGIN_ID, /* your reverse-DNS domain; [a-z0-9.-] */
    .name = "diskfrob",
    .version = "0.1.0",
    .kinds = HYPERSDK_PLUGIN_KIND_CONVERTER,
    /* Only g_host is shared, and it is read-only after init: PARALLEL is safe. */
    .thread_model = HYPERSDK_THREAD_MODEL_PARALLEL,
    .init = diskfrob_init,
    .deinit = diskfrob_deinit,
    .get_interface = diskfrob_get_interface,
    .description = "Template skeleton: converter for the hypothetical diskfrob tool; converts nothing",
    .homepage = "https://example.com/hypersdk-plugins",
    .license = NULL, /* your SPDX licence id, e.g. "Apache-2.0" */
};

/* The one exported symbol. Static data, no allocation, callable many times. */
HYPERSDK_PLUGIN_EXPORT const hypersdk_plugin_descriptor* hypersdk_plugin_entry_v1(void) {
    return &k_descriptor;
}
