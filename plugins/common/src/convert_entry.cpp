#include "hypersdk/plugin_common/convert_entry.hpp"

#include <chrono>

namespace hypersdk::plugin_common {

int32_t run_convert_entry(hypersdk_job* job, hypersdk_buffer* out_result_json,
                          const std::function<void(ConversionResult&)>& body) noexcept {
    const auto started = std::chrono::steady_clock::now();
    const cxx::Job j(job);
    ConversionResult result;
    int32_t status = HYPERSDK_OK;
    try {
        body(result);
        result.success = true;
        result.error.clear();
    } catch (const cxx::Error& e) {
        status = e.status() < 0 ? e.status() : HYPERSDK_ERR_GENERIC;
        result.success = false;
        result.error = e.what();
    } catch (const std::exception& e) {
        status = HYPERSDK_ERR_INTERNAL;
        result.success = false;
        result.error = std::string("internal error in plugin: ") + e.what();
    } catch (...) {
        status = HYPERSDK_ERR_INTERNAL;
        result.success = false;
        result.error = "internal error in plugin: unknown exception";
    }
    if (result.duration_seconds <= 0)
        result.duration_seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (status != HYPERSDK_OK) j.error(status, result.error);
    try {
        cxx::Buffer(out_result_json).append(conversion_result_to_json(result));
    } catch (const std::exception& e) {
        if (status == HYPERSDK_OK) {
            status = HYPERSDK_ERR_GENERIC;
            j.error(status, std::string("cannot return the conversion result: ") + e.what());
        }
    }
    return status;
}

}  // namespace hypersdk::plugin_common
