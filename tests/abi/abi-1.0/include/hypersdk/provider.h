/* hypersdk: the provider interface, "hypersdk.provider/1".
 *
 * A provider talks to one virtualization platform (vSphere, AWS, Azure, GCP)
 * and streams a VM's disks into sinks the host opens for it. The host owns
 * every output file, the checksums, the manifest and the progress display.
 *
 * Rich data crosses as UTF-8 JSON so the ABI need not change when a field is
 * added; the schemas are in docs/provider-json.md. Unknown keys in any JSON
 * the host sends must be ignored by the plugin, and vice versa.
 *
 * Errors: every function returns HYPERSDK_OK or a negative status and, when
 * negative, has called host->job_error with a message naming the input that
 * was wrong and what to do. Credentials never appear in a message or a log.
 */
#ifndef HYPERSDK_PROVIDER_H
#define HYPERSDK_PROVIDER_H

#include "types.h"

HYPERSDK_EXTERN_C_BEGIN

#define HYPERSDK_PROVIDER_INTERFACE_ID "hypersdk.provider/1"

/* Static, plugin-owned, valid until deinit; cheap and thread-safe to read.
 * String lists are NULL-terminated arrays of static strings. */
typedef struct hypersdk_provider_capabilities {
    uint32_t struct_size;
    /* The manifest's source.provider value: "vsphere", "aws", "azure", "gcp". */
    const char *provider_name;
    /* Formats an export can produce: "ovf", "ova", "vmdk", "vhd", ... */
    const char *const *export_formats;
    /* Authentication methods the configuration may use: "password",
     * "shared-key", "sas", "sigv4", "oauth2-service-account", ... */
    const char *const *auth_methods;
    /* True when a running VM can be exported without powering it off. */
    bool exports_powered_on;
    /* True when the provider can export only changed blocks. */
    bool supports_incremental;
} hypersdk_provider_capabilities;

/* A connection to the platform. Plugin-owned: created by open, destroyed by
 * close. Under HYPERSDK_THREAD_MODEL_PARALLEL one session is still used by
 * one call at a time; the host opens more sessions to work in parallel. */
typedef struct hypersdk_provider_session hypersdk_provider_session;

typedef struct hypersdk_provider {
    uint32_t struct_size;

    /* Never NULL. */
    const hypersdk_provider_capabilities *capabilities;

    /* Connect and authenticate. config_json: endpoint, credentials and TLS
     * settings (docs/provider-json.md#config); the plugin copies what it
     * keeps. On success sets *out_session. */
    int32_t (*open)(const char *config_json, hypersdk_job *job,
                    hypersdk_provider_session **out_session);

    /* Log out and free the session. Never fails; NULL is allowed. */
    void (*close)(hypersdk_provider_session *session);

    /* Append a JSON array of VM summaries to out_json
     * (docs/provider-json.md#vm-summary). */
    int32_t (*list_vms)(hypersdk_provider_session *session, hypersdk_job *job,
                        hypersdk_buffer *out_json);

    /* Append a JSON object describing one VM (name, id, cpu, memory,
     * firmware, guest OS, disks with sizes and formats, NICs) to out_json.
     * vm_ref is a name, an inventory path or a platform id. */
    int32_t (*describe_vm)(hypersdk_provider_session *session, const char *vm_ref,
                           hypersdk_job *job, hypersdk_buffer *out_json);

    /* Export the VM's disks (and descriptor, if the format has one) through
     * host->sink_open / sink_write / sink_close, one sink per file, polling
     * host->job_is_cancelled. options_json: format, power_off, parallel
     * (docs/provider-json.md#export-options). Appends the export result
     * (the VM description plus what was written) to out_json. */
    int32_t (*export_vm)(hypersdk_provider_session *session, const char *vm_ref,
                         const char *options_json, hypersdk_job *job, hypersdk_buffer *out_json);
} hypersdk_provider;

HYPERSDK_EXTERN_C_END

#endif /* HYPERSDK_PROVIDER_H */
