/* hypersdk: the base types every other SDK header uses.
 *
 * Plain C99. Only fixed-width integers, bool, size_t, const char * (UTF-8,
 * NUL-terminated) and pointers to opaque or size-prefixed structs cross the
 * boundary between the host and a plugin. No C++ type, exception or allocator
 * ever does.
 */
#ifndef HYPERSDK_TYPES_H
#define HYPERSDK_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
#define HYPERSDK_EXTERN_C_BEGIN extern "C" {
#define HYPERSDK_EXTERN_C_END }
#else
#define HYPERSDK_EXTERN_C_BEGIN
#define HYPERSDK_EXTERN_C_END
#endif

/* Marks the one symbol a plugin exports. Build plugins with
 * -fvisibility=hidden (hypersdk_add_plugin() in the CMake package does) so
 * that nothing else leaks out of the shared object. */
#if defined(_WIN32)
#define HYPERSDK_PLUGIN_EXPORT __declspec(dllexport)
#elif defined(__GNUC__)
#define HYPERSDK_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define HYPERSDK_PLUGIN_EXPORT
#endif

HYPERSDK_EXTERN_C_BEGIN

/* Status codes. Every fallible function returns an int32_t: 0 is success,
 * negative is failure. A host or plugin that receives a negative code it does
 * not know must treat it as HYPERSDK_ERR_GENERIC; new codes may be added in a
 * minor release. Positive values are never returned. */
#define HYPERSDK_OK 0
#define HYPERSDK_ERR_GENERIC (-1)          /* any failure not listed below */
#define HYPERSDK_ERR_INVALID_ARGUMENT (-2) /* bad configuration, option or input */
#define HYPERSDK_ERR_NOT_FOUND (-3)        /* VM, disk, file or object missing */
#define HYPERSDK_ERR_UNSUPPORTED (-4)      /* operation or format not supported */
#define HYPERSDK_ERR_CANCELLED (-5)        /* the job was cancelled */
#define HYPERSDK_ERR_TIMEOUT (-6)          /* a deadline passed */
#define HYPERSDK_ERR_IO (-7)               /* local file system failure */
#define HYPERSDK_ERR_AUTH (-8)             /* credentials rejected */
#define HYPERSDK_ERR_NETWORK (-9)          /* connection, TLS or protocol failure */
#define HYPERSDK_ERR_TOOL_MISSING (-10)    /* an external tool is not installed */
#define HYPERSDK_ERR_TOOL_FAILED (-11)     /* an external tool ran and failed */
#define HYPERSDK_ERR_INTERNAL (-12)        /* a bug: e.g. an exception caught at the boundary */
#define HYPERSDK_ERR_STATE (-13)           /* the object is in the wrong state (VM powered on) */

/* Log levels for hypersdk_host.log. Unknown levels are logged as INFO. */
#define HYPERSDK_LOG_TRACE 0
#define HYPERSDK_LOG_DEBUG 1
#define HYPERSDK_LOG_INFO 2
#define HYPERSDK_LOG_WARN 3
#define HYPERSDK_LOG_ERROR 4

/* Opaque, host-owned handles. A plugin never allocates, frees or looks inside
 * them; it only passes them back to the functions of hypersdk_host. */

/* One unit of work the host asked for (opening a session, listing VMs, an
 * export, a conversion). It carries progress, cancellation, warnings and the
 * error message of that call. Valid from the moment it is passed to a plugin
 * function until that function returns; the plugin must not keep it. */
typedef struct hypersdk_job hypersdk_job;

/* A growable text buffer the host owns, used for every variable-size output
 * (JSON documents, version strings). The plugin appends with
 * hypersdk_host.buffer_append; the host reads it after the call returns. */
typedef struct hypersdk_buffer hypersdk_buffer;

/* A file the host writes for the plugin (a disk image, an OVF descriptor). The
 * host chooses the path, writes "<name>.part", hashes bytes as they pass and
 * renames on success. Opened with hypersdk_host.sink_open, valid until
 * hypersdk_host.sink_close. */
typedef struct hypersdk_sink hypersdk_sink;

HYPERSDK_EXTERN_C_END

#endif /* HYPERSDK_TYPES_H */
