#include "hypersdk/core/plugin_call.hpp"

namespace hypersdk::core {

std::string status_name(int32_t status) {
    switch (status) {
        case HYPERSDK_OK:
            return "HYPERSDK_OK";
        case HYPERSDK_ERR_GENERIC:
            return "HYPERSDK_ERR_GENERIC";
        case HYPERSDK_ERR_INVALID_ARGUMENT:
            return "HYPERSDK_ERR_INVALID_ARGUMENT";
        case HYPERSDK_ERR_NOT_FOUND:
            return "HYPERSDK_ERR_NOT_FOUND";
        case HYPERSDK_ERR_UNSUPPORTED:
            return "HYPERSDK_ERR_UNSUPPORTED";
        case HYPERSDK_ERR_CANCELLED:
            return "HYPERSDK_ERR_CANCELLED";
        case HYPERSDK_ERR_TIMEOUT:
            return "HYPERSDK_ERR_TIMEOUT";
        case HYPERSDK_ERR_IO:
            return "HYPERSDK_ERR_IO";
        case HYPERSDK_ERR_AUTH:
            return "HYPERSDK_ERR_AUTH";
        case HYPERSDK_ERR_NETWORK:
            return "HYPERSDK_ERR_NETWORK";
        case HYPERSDK_ERR_TOOL_MISSING:
            return "HYPERSDK_ERR_TOOL_MISSING";
        case HYPERSDK_ERR_TOOL_FAILED:
            return "HYPERSDK_ERR_TOOL_FAILED";
        case HYPERSDK_ERR_INTERNAL:
            return "HYPERSDK_ERR_INTERNAL";
        case HYPERSDK_ERR_STATE:
            return "HYPERSDK_ERR_STATE";
        default:
            return "status " + std::to_string(status);
    }
}

std::string job_error_message(const Job& job, int32_t status, const std::string& what) {
    if (const auto error = job.error(); error && !error->message.empty()) return error->message;
    return what + " failed with status " + std::to_string(status) + " (" + status_name(status) + ")";
}

PluginCall finish_plugin_call(const Job& job, int32_t status, const TextBuffer& out,
                              const std::string& what) {
    PluginCall call;
    call.status = status > 0 ? HYPERSDK_ERR_GENERIC : status;
    call.output = out.text();
    if (!call.ok()) call.error = job_error_message(job, call.status, what);
    return call;
}

}  // namespace hypersdk::core
