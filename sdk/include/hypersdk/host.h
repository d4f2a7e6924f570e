/* hypersdk: the services the host offers a plugin.
 *
 * The host hands each plugin its own hypersdk_host table at init. The table,
 * every string in it and every function in it stay valid until the plugin's
 * deinit returns. The table is size-prefixed: slots are only ever appended in
 * a minor release, so a plugin that wants a slot newer than the oldest host it
 * supports checks HYPERSDK_HOST_HAS(host, slot) first.
 *
 * Thread rules, written on each slot:
 *   [thread-safe]  may be called from any thread, concurrently.
 *   [job-thread]   may be called from any thread, but only while the plugin
 *                  function that received the job is still running.
 */
#ifndef HYPERSDK_HOST_H
#define HYPERSDK_HOST_H

#include "types.h"

HYPERSDK_EXTERN_C_BEGIN

typedef struct hypersdk_host hypersdk_host;

struct hypersdk_host {
    /* sizeof(hypersdk_host) as the host was compiled. */
    uint32_t struct_size;
    /* The ABI the host speaks. abi_major always equals the plugin's. */
    uint16_t abi_major;
    uint16_t abi_minor;

    /* Host program name and version, e.g. "hyperexport", "0.1.0". */
    const char *host_name;
    const char *host_version;

    /* Absolute path of the shared object this table was made for. Lets a
     * plugin find data files installed beside it. */
    const char *plugin_path;

    /* The host's own pointer; the plugin passes the table back, never this. */
    void *host_data;

    /* [thread-safe] Log one message at a HYPERSDK_LOG_* level. The host
     * copies the message before returning and tags it with the plugin id.
     * Credentials must never be passed here. */
    void (*log)(const hypersdk_host *host, int32_t level, const char *message);

    /* [thread-safe] Append length bytes of UTF-8 text to a host-owned buffer.
     * The host copies the bytes. Returns HYPERSDK_OK or HYPERSDK_ERR_GENERIC
     * when the host cannot grow the buffer. */
    int32_t (*buffer_append)(hypersdk_buffer *buffer, const char *data, size_t length);

    /* [job-thread] Report overall progress of the job: done out of total
     * units (bytes where it makes sense). total 0 means unknown. Cheap: call
     * it as often as convenient, the host rate-limits the display. */
    void (*job_progress)(hypersdk_job *job, uint64_t done, uint64_t total);

    /* [job-thread] Has the user or a timeout cancelled the job? Plugins poll
     * this at least once a second during long work and, when it answers
     * true, stop, clean up and return HYPERSDK_ERR_CANCELLED. */
    bool (*job_is_cancelled)(hypersdk_job *job);

    /* [job-thread] Set the error of the job: which input was wrong and what
     * to do about it. The host copies the message. The last call wins.
     * Call it before returning a negative status; a plugin that returns a
     * negative status without calling it gets a generic message. */
    void (*job_error)(hypersdk_job *job, int32_t status, const char *message);

    /* [job-thread] Record a non-fatal warning from a named stage ("export",
     * "convert", ...). The host copies both strings. */
    void (*job_warning)(hypersdk_job *job, const char *stage, const char *message);

    /* [job-thread] Pass one line of an external tool's output (without the
     * trailing newline) to the host, which shows it with the plugin's prefix
     * when the user asked for streamed output. The host copies the line. */
    void (*job_output)(hypersdk_job *job, const char *line);

    /* [job-thread] Open a file for the job's output. artifact_json is a JSON
     * object describing it:
     *   {"kind": "disk" | "descriptor",
     *    "id": "disk-0",               (disks: manifest id, ^[A-Za-z0-9_-]+$)
     *    "file_name": "vm-disk1.vmdk", (a bare name: no '/', not "." or "..",
     *                                   valid UTF-8 without control characters,
     *                                   at most 243 bytes; not the host's own
     *                                   names: artifact-manifest.json,
     *                                   .hyperexport-outputs.json, *.part,
     *                                   *.resume.json)
     *    "format": "vmdk",             (disks: source format)
     *    "expected_bytes": 123,        (optional: size for progress)
     *    "exact_bytes": 123,           (optional, 1.1: the size the source
     *                                   announced for certain; a sink closed
     *                                   with another byte count is refused)
     *    "source_key": "snap-0a1/etag"} (optional, 1.1: what identifies these
     *                                   exact source bytes: a snapshot id, an
     *                                   ETag, a lease's file size; see below)
     * The host checks the name, opens "<output dir>/<file_name>.part" (never
     * through a symlink) and, when a partial file of an earlier run is there,
     * resuming is allowed and the resume record kept beside it says it came
     * from the same source (provider, VM, id, file name, format,
     * expected_bytes, exact_bytes and source_key all equal), keeps it: sink_offset then
     * says where to continue. Otherwise the partial file is started over. On
     * success *out_sink is set and stays valid until sink_close. Errors name
     * the bad field. */
    int32_t (*sink_open)(hypersdk_job *job, const char *artifact_json, hypersdk_sink **out_sink);

    /* [job-thread] Bytes already in the sink (non-zero when resuming). The
     * plugin continues from here, e.g. with an HTTP Range request. */
    uint64_t (*sink_offset)(hypersdk_sink *sink);

    /* [job-thread] Append bytes at the current offset. The host hashes them
     * as they pass. Calls on one sink must not overlap; different sinks may
     * be written from different threads at once. The host may write behind
     * the call (data is copied before it returns): an I/O error can surface
     * on a later sink_write, sink_rewind or sink_close, as HYPERSDK_ERR_IO
     * with the job's error set, so a plugin must check sink_close too. */
    int32_t (*sink_write)(hypersdk_sink *sink, const void *data, size_t length);

    /* [job-thread] Truncate the sink to zero bytes and start over (for
     * example when a server ignored a Range request and sent everything). */
    int32_t (*sink_rewind)(hypersdk_sink *sink);

    /* [job-thread] Close the sink. status HYPERSDK_OK: the host flushes,
     * renames "<name>.part" to "<name>" and records size and SHA-256; it
     * refuses (HYPERSDK_ERR_IO, the .part kept) when exact_bytes was given
     * and another number of bytes arrived: a truncated download is not a
     * disk. Any
     * other status: the .part file stays for a later resume and is never
     * renamed. The sink is invalid after this call, whatever it returns. */
    int32_t (*sink_close)(hypersdk_sink *sink, int32_t status);

    /* ---- ABI 1.1: check HYPERSDK_HOST_HAS(host, slot) before calling. ---- */

    /* [job-thread] Append `length` zero bytes at the current offset without
     * the plugin writing them, as nbdkit's .zero: for the holes that block
     * sources report (unallocated EBS blocks, Azure page ranges, NBD zero
     * extents). The host leaves a hole where the file system can (the file
     * stays sparse), hashes the zeros so the manifest's SHA-256 is of the
     * whole disk, and counts them in progress. Same rules as sink_write: calls
     * on one sink never overlap, errors may surface on a later call. A host
     * without this slot (1.0): write the zeros with sink_write instead. */
    int32_t (*sink_write_zeros)(hypersdk_sink *sink, uint64_t length);

    /* New slots are appended here in later minor releases. */
};

/* True when the host table is large enough to contain slot `field`. */
#define HYPERSDK_HOST_HAS(host, field)                                                             \
    ((host)->struct_size >= offsetof(hypersdk_host, field) + sizeof((host)->field) &&            \
     (host)->field != NULL)

HYPERSDK_EXTERN_C_END

#endif /* HYPERSDK_HOST_H */
