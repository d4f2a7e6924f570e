/* Reading one string from the config JSON the host gives a plugin.
 *
 * TEMPLATE HELPER. The host writes the config as one compact JSON object
 * whose top-level keys are the plugin's declared option names (options.h),
 * with string values escaped as JSON requires. This reads exactly that shape
 * and nothing more (no nesting, no \uXXXX): enough for a skeleton, and small
 * enough to read in one sitting. A real plugin parses the config with a JSON
 * library (jansson, json-c, cJSON; RapidJSON or nlohmann in C++).
 */
#ifndef EXAMPLE_CONFIG_VALUE_H
#define EXAMPLE_CONFIG_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* Copies the string value of top-level `key` into out (NUL-terminated) and
 * returns true; false when the key is absent, not a string, or longer than
 * out_size - 1. Only \" and \\ escapes are decoded. */
static inline bool config_string(const char* config_json, const char* key, char* out, size_t out_size) {
    if (config_json == NULL || out_size == 0) return false;
    const size_t key_length = strlen(key);
    for (const char* p = config_json; (p = strchr(p, '"')) != NULL; ++p) {
        if (strncmp(p + 1, key, key_length) != 0 || p[1 + key_length] != '"') continue;
        const char* value = p + 2 + key_length;
        if (*value++ != ':' || *value++ != '"') return false;
        size_t n = 0;
        for (; *value != '\0' && *value != '"'; ++value) {
            if (*value == '\\' && (value[1] == '"' || value[1] == '\\')) ++value;
            if (n + 1 >= out_size) return false;
            out[n++] = *value;
        }
        out[n] = '\0';
        return *value == '"';
    }
    return false;
}

#endif /* EXAMPLE_CONFIG_VALUE_H */
