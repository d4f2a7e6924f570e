/* hypersdk: the converter interface, "hypersdk.converter/1".
 *
 * A converter turns the disks named by an Artifact Manifest v1.0 into
 * KVM-ready images, usually by running an external tool (hyper2kvm,
 * qemu-img, virt-v2v). The host's ConversionManager picks the converter by
 * the capabilities declared here, never by name.
 *
 * Three JSON documents cross this interface (schemas in
 * docs/converter-json.md); plugins ignore keys they do not know:
 *   config  (ConverterConfig):  binary_path, timeout_seconds, environment
 *                               (string map), working_directory
 *   options (ConvertOptions):   stream_output, verbose (0-3), dry_run,
 *                               target_format, compression_level (0 = none,
 *                               1-9), preserve_mac, custom_args (strings)
 *   result  (ConversionResult): success, converted_files, report_path,
 *                               duration_seconds, error, warnings, metadata
 *
 * Errors: negative status plus host->job_error, as everywhere.
 */
#ifndef HYPERSDK_CONVERTER_H
#define HYPERSDK_CONVERTER_H

#include "types.h"

HYPERSDK_EXTERN_C_BEGIN

#define HYPERSDK_CONVERTER_INTERFACE_ID "hypersdk.converter/1"

/* The provider wildcard in supported_providers: any provider, including a
 * manifest that names none. */
#define HYPERSDK_ANY_PROVIDER "*"

/* ConverterCapabilities. Static, plugin-owned, valid until deinit; cheap and
 * thread-safe to read. String lists are NULL-terminated arrays. */
typedef struct hypersdk_converter_capabilities {
    uint32_t struct_size;
    /* SupportedSourceFormats: manifest source_format values it reads
     * ("vmdk", "vhd", "vhdx", "raw", "qcow2", "vdi"). */
    const char *const *supported_source_formats;
    /* SupportedTargetFormats: output.format values it writes ("qcow2", ...). */
    const char *const *supported_target_formats;
    /* SupportsDriverInjection: can run the FIX stage (virtio drivers,
     * initramfs, fstab, grub). */
    bool supports_driver_injection;
    /* SupportsOSDetection: can run the INSPECT stage. */
    bool supports_os_detection;
    /* SupportsValidation: can run the VALIDATE stage (image integrity). */
    bool supports_validation;
    /* SupportedProviders: source.provider values, or HYPERSDK_ANY_PROVIDER. */
    const char *const *supported_providers;
    /* Among converters that satisfy a job, the highest priority is chosen. */
    int32_t priority;
    /* The external tool it runs ("qemu-img"), NULL if none, and how to get it
     * ("apt-get install qemu-utils"). Shown when validate fails. */
    const char *tool_name;
    const char *install_hint;
} hypersdk_converter_capabilities;

typedef struct hypersdk_converter {
    uint32_t struct_size;

    /* Never NULL. */
    const hypersdk_converter_capabilities *capabilities;

    /* Is the tool present and working with this config? HYPERSDK_OK, or
     * HYPERSDK_ERR_TOOL_MISSING / _TOOL_FAILED with a job error that says
     * exactly what is missing and how to install it. Must be quick (a
     * `--version` run at most): the host calls it while routing. */
    int32_t (*validate)(const char *config_json, hypersdk_job *job);

    /* Append the tool's bare version ("7.2.0") to out_version. */
    int32_t (*version)(const char *config_json, hypersdk_job *job, hypersdk_buffer *out_version);

    /* Convert the disks of the manifest at manifest_path (absolute). Stream
     * the tool's output with host->job_output when options say
     * stream_output, report progress, stop promptly when the job is
     * cancelled (killing any child processes) and write outputs as ".part"
     * files renamed on success. Appends a ConversionResult JSON object to
     * out_result_json in every case it can, success or not; returns
     * HYPERSDK_OK only when the conversion succeeded. Never modifies the
     * manifest or the source disks. */
    int32_t (*convert)(const char *config_json, const char *manifest_path,
                       const char *options_json, hypersdk_job *job,
                       hypersdk_buffer *out_result_json);
} hypersdk_converter;

HYPERSDK_EXTERN_C_END

#endif /* HYPERSDK_CONVERTER_H */
