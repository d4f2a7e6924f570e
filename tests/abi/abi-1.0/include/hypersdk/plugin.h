/* hypersdk: the plugin descriptor and the one symbol every plugin exports.
 *
 * A plugin is a shared object that exports exactly one function:
 *
 *     const hypersdk_plugin_descriptor *hypersdk_plugin_entry_v1(void);
 *
 * The ABI major is part of the name, so a host built for major 1 never calls a
 * plugin built for major 2 (it finds hypersdk_plugin_entry_v2 instead and says
 * so). The function takes no lock, allocates nothing and may be called more
 * than once; it returns a pointer to static data owned by the plugin, valid
 * until the shared object is unloaded.
 *
 * Lifecycle, all on the host's main thread:
 *   entry() -> descriptor checks -> init(host) -> get_interface(id)... -> deinit()
 *
 * Size rule (as nbdkit's): the host copies min(struct_size, its own size)
 * bytes of the descriptor and zero-fills the rest, so fields appended in a
 * later minor read as NULL/0 from an older plugin, and fields a newer plugin
 * has that this host does not know are ignored. A struct_size below
 * HYPERSDK_PLUGIN_DESCRIPTOR_MIN_SIZE or above HYPERSDK_PLUGIN_DESCRIPTOR_MAX_SIZE
 * is refused.
 */
#ifndef HYPERSDK_PLUGIN_H
#define HYPERSDK_PLUGIN_H

#include "host.h"
#include "types.h"
#include "version.h"

HYPERSDK_EXTERN_C_BEGIN

/* Name of the entry symbol for this ABI major, for dlsym and friends. */
#define HYPERSDK_PLUGIN_ENTRY_SYMBOL "hypersdk_plugin_entry_v1"
/* Prefix shared by the entry symbols of every major: a host uses it to tell
 * "built for another major" from "not a hypersdk plugin". */
#define HYPERSDK_PLUGIN_ENTRY_PREFIX "hypersdk_plugin_entry_v"

/* Plugin kinds, a bitmask: one plugin may offer both. */
#define HYPERSDK_PLUGIN_KIND_PROVIDER 0x1u
#define HYPERSDK_PLUGIN_KIND_CONVERTER 0x2u

/* Thread models. The host honours the one the plugin declares.
 * SERIALIZE: the host makes at most one call into the plugin at a time.
 * PARALLEL:  the host may call interface functions from several threads at
 *            once, each with its own job (and, for providers, its own
 *            session); init, deinit and get_interface stay on the main thread. */
#define HYPERSDK_THREAD_MODEL_SERIALIZE 0u
#define HYPERSDK_THREAD_MODEL_PARALLEL 1u

typedef struct hypersdk_plugin_descriptor {
    /* sizeof(hypersdk_plugin_descriptor) as the plugin was compiled. */
    uint32_t struct_size;
    /* HYPERSDK_ABI_MAJOR and HYPERSDK_ABI_MINOR the plugin was built with. */
    uint16_t abi_major;
    uint16_t abi_minor;

    /* Reverse-DNS identifier, unique among installed plugins, e.g.
     * "org.hypersdk.converter.qemu-img"; third parties use their own domain.
     * Characters: [a-z0-9.-]. */
    const char *id;
    /* Short human name ("qemu-img"). */
    const char *name;
    /* The plugin's own version, free form ("1.2.0"). */
    const char *version;
    /* HYPERSDK_PLUGIN_KIND_* bits. */
    uint32_t kinds;
    /* HYPERSDK_THREAD_MODEL_*. */
    uint32_t thread_model;

    /* [main-thread] Called once after the descriptor was accepted. The host
     * table stays valid until deinit returns; keep the pointer. Return
     * HYPERSDK_OK, or a negative status after logging why (the plugin is
     * then not registered and deinit is not called). May be NULL. */
    int32_t (*init)(const hypersdk_host *host);

    /* [main-thread] Called once before unloading, only if init succeeded.
     * Release everything; no call into the plugin follows. May be NULL. */
    void (*deinit)(void);

    /* [main-thread] Return the interface table for an id such as
     * HYPERSDK_PROVIDER_INTERFACE_ID, or NULL when the plugin does not offer
     * it. The table is plugin-owned static data, valid until deinit. Called
     * only after init succeeded. Must not be NULL. */
    const void *(*get_interface)(const char *interface_id);

    /* ---- every field above is required; HYPERSDK_PLUGIN_DESCRIPTOR_MIN_SIZE
     * ends here. Fields below are optional: a plugin may leave them NULL, and a
     * plugin whose struct_size stops above reads as if they were NULL. ---- */

    /* One-line description for `hyperexport plugins info`. */
    const char *description;
    /* Project URL. */
    const char *homepage;
    /* SPDX licence identifier ("Apache-2.0"). */
    const char *license;

    /* New fields are appended here in later minor releases. */
} hypersdk_plugin_descriptor;

#define HYPERSDK_PLUGIN_DESCRIPTOR_MIN_SIZE ((uint32_t)offsetof(hypersdk_plugin_descriptor, description))
#define HYPERSDK_PLUGIN_DESCRIPTOR_MAX_SIZE 4096u

/* The entry function type and its declaration. Define it in exactly one
 * source file of the plugin, marked HYPERSDK_PLUGIN_EXPORT. */
typedef const hypersdk_plugin_descriptor *(*hypersdk_plugin_entry_fn)(void);

HYPERSDK_PLUGIN_EXPORT const hypersdk_plugin_descriptor *hypersdk_plugin_entry_v1(void);

HYPERSDK_EXTERN_C_END

#endif /* HYPERSDK_PLUGIN_H */
