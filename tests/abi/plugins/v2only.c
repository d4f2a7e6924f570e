/* Built for a future ABI major: exports hypersdk_plugin_entry_v2 only. */
#include "test_common.h"

HYPERSDK_PLUGIN_EXPORT const void* hypersdk_plugin_entry_v2(void);

static const uint32_t future_descriptor[4] = {16, 2, 0, 0};

HYPERSDK_PLUGIN_EXPORT const void* hypersdk_plugin_entry_v2(void) {
    return future_descriptor;
}
