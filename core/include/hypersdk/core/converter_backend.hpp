// The converter interface ("hypersdk.converter/1") as the rest of the host
// sees it: capabilities copied into value types at load, and the only code
// that calls a converter's function pointers (locking by thread model,
// exceptions caught, statuses turned into messages), as provider_backend.hpp
// does for providers.
#pragma once

#include <hypersdk/converter.h>

#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "hypersdk/core/job.hpp"
#include "hypersdk/core/plugin_call.hpp"
#include "hypersdk/core/plugin_options.hpp"

namespace hypersdk::core {

// hypersdk_converter_capabilities, copied.
struct ConverterCapabilities {
    std::vector<std::string> source_formats;
    std::vector<std::string> target_formats;
    bool driver_injection = false;
    bool os_detection = false;
    bool validation = false;
    std::vector<std::string> providers;  // "*" = any
    int32_t priority = 0;
    std::string tool_name;
    std::string install_hint;
    std::vector<PluginOption> options;  // ABI 1.1; empty for a 1.0 plugin
};

class ConverterBackend {
public:
    ConverterBackend(std::string plugin_id, std::string name, const hypersdk_converter& table,
                     ConverterCapabilities capabilities, bool serialized, std::mutex& call_mutex);

    const std::string& plugin_id() const { return plugin_id_; }
    // The descriptor's name ("qemu-img"): the prefix of the converter's flags.
    const std::string& name() const { return name_; }
    const ConverterCapabilities& capabilities() const { return capabilities_; }

    PluginCall validate(const std::string& config_json, Job& job) const;
    PluginCall version(const std::string& config_json, Job& job) const;
    PluginCall convert(const std::string& config_json, const std::filesystem::path& manifest_path,
                       const std::string& options_json, Job& job) const;

private:
    std::unique_lock<std::mutex> lock() const;

    std::string plugin_id_;
    std::string name_;
    hypersdk_converter table_;
    ConverterCapabilities capabilities_;
    bool serialized_;
    std::mutex& call_mutex_;
};

}  // namespace hypersdk::core
