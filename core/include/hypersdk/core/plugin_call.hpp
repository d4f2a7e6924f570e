// What one call into a plugin function returned: its status, the text it
// appended to the output buffer, and, when it failed, one readable message
// (the job's error, else "<what> failed with status N"). The backends
// (provider_backend.hpp, converter_backend.hpp) are the only code that calls
// plugin function pointers; everything else sees PluginCall.
#pragma once

#include <hypersdk/types.h>

#include <cstdint>
#include <string>

#include "hypersdk/core/job.hpp"

namespace hypersdk::core {

struct PluginCall {
    int32_t status = HYPERSDK_OK;
    std::string output;  // what the plugin appended to out_json / out_version
    std::string error;   // empty on success
    bool ok() const { return status == HYPERSDK_OK; }
};

// "the job's error, else `what` failed with status N (NAME)".
std::string job_error_message(const Job& job, int32_t status, const std::string& what);

// "HYPERSDK_ERR_AUTH" for -8, ...; "status N" for codes this host does not know.
std::string status_name(int32_t status);

// For the backends: runs one call into a plugin. A C++ plugin that lets an
// exception escape (it must not: cxx::guard exists for that) gets
// HYPERSDK_ERR_INTERNAL and a job error, never a crash of the host.
template <typename Fn>
int32_t call_plugin_guarded(Job& job, Fn&& fn) noexcept {
    try {
        return fn();
    } catch (...) {
        job.set_error(HYPERSDK_ERR_INTERNAL, "the plugin let an exception escape: report it to its author");
        return HYPERSDK_ERR_INTERNAL;
    }
}

// For the backends: the PluginCall of a finished call (a positive status,
// which the ABI never allows, counts as HYPERSDK_ERR_GENERIC).
PluginCall finish_plugin_call(const Job& job, int32_t status, const TextBuffer& out, const std::string& what);

}  // namespace hypersdk::core
