// The body of every converter's convert() C entry point: runs the plugin's
// C++ conversion, and in every case (success, a thrown error, an unexpected
// exception) appends a ConversionResult and sets the job error, so no
// exception crosses the ABI and the host always gets a result document.
#pragma once

#include <hypersdk/cxx/plugin.hpp>

#include <functional>

#include "hypersdk/plugin_common/conversion_result.hpp"

namespace hypersdk::plugin_common {

// body fills the result; it signals failure by throwing cxx::Error (after
// filling whatever partial fields it knows). Returns the status to hand back.
int32_t run_convert_entry(hypersdk_job* job, hypersdk_buffer* out_result_json,
                          const std::function<void(ConversionResult&)>& body) noexcept;

}  // namespace hypersdk::plugin_common
