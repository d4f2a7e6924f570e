/* A plain shared object that is not a hypersdk plugin. */
#include <hypersdk/types.h>

HYPERSDK_PLUGIN_EXPORT int not_a_plugin_function(int value);

HYPERSDK_PLUGIN_EXPORT int not_a_plugin_function(int value) {
    return value * 2;
}
