// The converters' names for hypersdk_process's environment scrubbing
// (<hypersdk/process/child_environment.hpp>).
#pragma once

#include <hypersdk/process/child_environment.hpp>

namespace hypersdk::plugin_common {

using process::child_environment;
using process::provider_credential_variables;

}  // namespace hypersdk::plugin_common
