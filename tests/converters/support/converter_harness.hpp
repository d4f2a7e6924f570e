// Loads a converter plugin the way the host does (dlopen, entry symbol,
// HostTable, init, get_interface) and runs its three functions with a real
// core Job, collecting everything the plugin reported.
#pragma once

#include <hypersdk/converter.h>
#include <hypersdk/plugin.h>
#include <rapidjson/document.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hypersdk/core/host_table.hpp"
#include "hypersdk/core/job.hpp"

namespace hypersdk::test {

struct CallResult {
    int32_t status = 0;
    std::string text;                 // result JSON or version
    std::string error;                // the job error message
    std::vector<std::string> output;  // job_output lines
    std::vector<core::JobWarning> warnings;
    std::vector<std::pair<uint64_t, uint64_t>> progress;
    rapidjson::Document result;  // text parsed (convert only; Null if not JSON)
};

class LoadedConverter {
public:
    explicit LoadedConverter(const std::string& so_path);  // throws std::runtime_error
    ~LoadedConverter();
    LoadedConverter(const LoadedConverter&) = delete;
    LoadedConverter& operator=(const LoadedConverter&) = delete;

    const hypersdk_plugin_descriptor& descriptor() const { return *descriptor_; }
    const hypersdk_converter& converter() const { return *converter_; }

    // Test hooks: setup runs on the Job before the call (a deadline, ...);
    // on_output / on_progress see each report as it arrives (to cancel mid-run).
    struct Hooks {
        std::function<void(core::Job&)> setup;
        std::function<void(core::Job&, std::string_view)> on_output;
        std::function<void(core::Job&, uint64_t, uint64_t)> on_progress;
    };
    using JobSetup = Hooks;

    CallResult validate(const std::string& config_json, const JobSetup& setup = {});
    CallResult version(const std::string& config_json);
    CallResult convert(const std::string& config_json, const std::string& manifest_path,
                       const std::string& options_json, const JobSetup& setup = {});

private:
    void* handle_ = nullptr;
    const hypersdk_plugin_descriptor* descriptor_ = nullptr;
    const hypersdk_converter* converter_ = nullptr;
    std::unique_ptr<core::HostTable> host_;
    bool initialized_ = false;
};

}  // namespace hypersdk::test
