/* Shared bits of the ABI test plugins (C99). */
#ifndef HYPERSDK_TEST_COMMON_H
#define HYPERSDK_TEST_COMMON_H

#include <hypersdk/hypersdk.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Appends "<tag>\n" to the file named by HYPERSDK_TEST_DEINIT_LOG, so tests
 * can see which plugins were deinitialised and in what order. */
static inline void test_record_deinit(const char* tag) {
    const char* log_path = getenv("HYPERSDK_TEST_DEINIT_LOG");
    if (log_path == NULL || log_path[0] == '\0') return;
    FILE* file = fopen(log_path, "a");
    if (file == NULL) return;
    fprintf(file, "%s\n", tag);
    fclose(file);
}

static inline int32_t test_append(const hypersdk_host* host, hypersdk_buffer* buffer, const char* text) {
    return host->buffer_append(buffer, text, strlen(text));
}

/* Minimal provider and converter functions for plugins that only need to
 * exist; each fails with HYPERSDK_ERR_UNSUPPORTED. */
static inline int32_t stub_open(const char* config_json, hypersdk_job* job, hypersdk_provider_session** out) {
    (void)config_json;
    (void)job;
    *out = NULL;
    return HYPERSDK_ERR_UNSUPPORTED;
}
static inline void stub_close(hypersdk_provider_session* session) {
    (void)session;
}
static inline int32_t stub_list_vms(hypersdk_provider_session* session, hypersdk_job* job,
                                    hypersdk_buffer* out) {
    (void)session;
    (void)job;
    (void)out;
    return HYPERSDK_ERR_UNSUPPORTED;
}
static inline int32_t stub_describe_vm(hypersdk_provider_session* session, const char* vm_ref,
                                       hypersdk_job* job, hypersdk_buffer* out) {
    (void)session;
    (void)vm_ref;
    (void)job;
    (void)out;
    return HYPERSDK_ERR_UNSUPPORTED;
}
static inline int32_t stub_export_vm(hypersdk_provider_session* session, const char* vm_ref,
                                     const char* options, hypersdk_job* job, hypersdk_buffer* out) {
    (void)session;
    (void)vm_ref;
    (void)options;
    (void)job;
    (void)out;
    return HYPERSDK_ERR_UNSUPPORTED;
}
static inline int32_t stub_validate(const char* config_json, hypersdk_job* job) {
    (void)config_json;
    (void)job;
    return HYPERSDK_OK;
}
static inline int32_t stub_version(const char* config_json, hypersdk_job* job, hypersdk_buffer* out) {
    (void)config_json;
    (void)job;
    (void)out;
    return HYPERSDK_ERR_UNSUPPORTED;
}
static inline int32_t stub_convert(const char* config_json, const char* manifest_path,
                                   const char* options_json, hypersdk_job* job, hypersdk_buffer* out) {
    (void)config_json;
    (void)manifest_path;
    (void)options_json;
    (void)job;
    (void)out;
    return HYPERSDK_ERR_UNSUPPORTED;
}

#endif
