/* hypersdk: SDK and ABI version numbers.
 *
 * The ABI major is part of the plugin entry symbol's name
 * (hypersdk_plugin_entry_v1), so a host can never call into a plugin built for
 * another major by accident. A minor release only appends fields to the end of
 * size-prefixed structs and adds new interface ids; it never changes a field
 * that exists. See docs/abi-policy.md.
 */
#ifndef HYPERSDK_VERSION_H
#define HYPERSDK_VERSION_H

#define HYPERSDK_ABI_MAJOR 1
#define HYPERSDK_ABI_MINOR 0

/* The version of the SDK package (headers, pkg-config, CMake package). It moves
 * independently of the ABI numbers above. CMake reads this line. */
#define HYPERSDK_VERSION_STRING "0.1.0"

#endif /* HYPERSDK_VERSION_H */
