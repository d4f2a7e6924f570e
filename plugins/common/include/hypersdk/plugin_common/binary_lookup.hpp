// The converters' names for hypersdk_process's tool lookup
// (<hypersdk/process/binary_lookup.hpp>).
#pragma once

#include <hypersdk/process/binary_lookup.hpp>

namespace hypersdk::plugin_common {

using process::default_extra_dirs;
using process::executable_problem;
using process::find_executable;
using process::LookupResult;

}  // namespace hypersdk::plugin_common
