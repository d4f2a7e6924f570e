// The converters' names for hypersdk_process's runner (plugins/common/process,
// <hypersdk/process/subprocess.hpp>), which core uses too.
#pragma once

#include <hypersdk/process/subprocess.hpp>

namespace hypersdk::plugin_common {

using process::CancelCheck;
using process::LineCallback;
using process::LineSplitter;
using process::OutputStream;
using process::ProcessOutcome;
using process::ProcessResult;
using process::ProcessSpec;
using process::run_process;

}  // namespace hypersdk::plugin_common
