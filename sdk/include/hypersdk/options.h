/* hypersdk: options a plugin declares (ABI 1.1).
 *
 * A provider or converter lists the settings it needs in a table of
 * hypersdk_option entries. The host knows no plugin's options by name: it
 * builds command-line flags, `--help`, profile keys, environment look-ups
 * and type checks from the table, resolves each option, and hands the plugin
 * the typed values as keys of its config JSON (the provider's config passed
 * to open; the converter's ConverterConfig). nbdkit's config/config_help and
 * CLAP's parameter tables are the models.
 *
 * Where the table lives: the `options` field appended in ABI 1.1 to
 * hypersdk_provider_capabilities and hypersdk_converter_capabilities. A 1.0
 * plugin's capabilities are shorter, so the host reads `options` as NULL:
 * "no options".
 *
 * Ownership and lifetime: the table, every entry and every string in it are
 * static, plugin-owned data, valid until the plugin's deinit returns. The host
 * reads them on its main thread while loading and may read them again from
 * any thread afterwards; they must never change.
 *
 * How the host offers an option (docs/plugin-guide.md#options):
 *   flag         provider options: --NAME; converter options: --<converter
 *                name>-NAME (so converters never collide with each other or
 *                with the host). Secrets have no flag value: the host offers
 *                --NAME-file FILE (first line of FILE) instead, because a
 *                flag value shows in `ps`.
 *   profile      the plugin's section of an export profile, key NAME
 *                (never for secrets).
 *   environment  the variables in `env`, in order, when neither the command
 *                line nor the profile gives a value.
 *   default      `default_value` when nothing else does.
 * Resolution order: command line, then profile, then environment, then
 * default. The host checks every value against `type` (and the range) before
 * the plugin sees it; a missing REQUIRED option is a usage error naming the
 * flag and the variables.
 *
 * How the plugin receives it: the key NAME in its config JSON, typed:
 *   STRING, PATH, SECRET  JSON string (PATH made absolute by the host)
 *   BOOL                  JSON true/false
 *   INTEGER               JSON integer
 *   LIST                  JSON array of strings (repeatable flag; the
 *                         environment form is comma-separated)
 * An option without a value (none given, no default) is absent from the JSON.
 *
 * The host refuses to load a plugin whose table is malformed (bad name, type,
 * duplicate, range) or whose option would shadow a host flag, naming the
 * option; `hyperexport plugins list` shows it under "Not loaded".
 */
#ifndef HYPERSDK_OPTIONS_H
#define HYPERSDK_OPTIONS_H

#include "types.h"

HYPERSDK_EXTERN_C_BEGIN

/* Option types. 0 is never valid, so a zeroed entry is refused. */
#define HYPERSDK_OPTION_STRING 1u
#define HYPERSDK_OPTION_BOOL 2u
#define HYPERSDK_OPTION_INTEGER 3u
#define HYPERSDK_OPTION_PATH 4u
#define HYPERSDK_OPTION_LIST 5u
/* A credential: never a flag value, never in a profile, a log line, --json
 * output, a manifest, an error message or a child process's environment
 * (the host removes the `env` variables of every secret option from the
 * environment it gives converters). `--dry-run` shows it as "(set)". */
#define HYPERSDK_OPTION_SECRET 6u

/* Option flags, a bitmask. Unknown bits are ignored by the host. */
/* The plugin cannot work without it: the host refuses to call the plugin when
 * no value is found and says which flag and variables would give one. */
#define HYPERSDK_OPTION_REQUIRED 0x1u
/* INTEGER only: min_value and max_value bound the value (inclusive). */
#define HYPERSDK_OPTION_RANGE 0x2u

/* One option. Size-prefixed: fields are only ever appended; the host reads
 * min(struct_size, its own size) bytes and treats the rest as 0/NULL. */
typedef struct hypersdk_option {
    /* sizeof(hypersdk_option) as the plugin was compiled. */
    uint32_t struct_size;
    /* HYPERSDK_OPTION_*. */
    uint32_t type;
    /* The option's name: [a-z][a-z0-9-]*, at most 48 bytes, unique in the
     * table; it is the flag (without "--") and the config JSON key. Required. */
    const char *name;
    /* The placeholder in --help ("REGION"); NULL: derived from the type. */
    const char *value_name;
    /* One line for --help, without a trailing period. Required. */
    const char *help;
    /* The value when nothing else gives one, written as on the command line
     * ("us-east-1", "true", "4", "a,b"); NULL: none. Not allowed for SECRET. */
    const char *default_value;
    /* Environment variables consulted in order when neither the command line
     * nor the profile gives a value, comma-separated without spaces
     * ("AWS_REGION,AWS_DEFAULT_REGION"); NULL: none. Names are
     * [A-Za-z_][A-Za-z0-9_]*. */
    const char *env;
    /* HYPERSDK_OPTION_REQUIRED, HYPERSDK_OPTION_RANGE. */
    uint32_t flags;
    /* INTEGER with HYPERSDK_OPTION_RANGE: inclusive bounds. */
    int64_t min_value;
    int64_t max_value;

    /* New fields are appended here in later minor releases. */
} hypersdk_option;

/* The smallest entry the host accepts: every field of ABI 1.1. */
#define HYPERSDK_OPTION_MIN_SIZE ((uint32_t)(offsetof(hypersdk_option, max_value) + sizeof(int64_t)))

/* At most this many options per plugin, a sanity bound. */
#define HYPERSDK_OPTIONS_MAX 128u

HYPERSDK_EXTERN_C_END

#endif /* HYPERSDK_OPTIONS_H */
