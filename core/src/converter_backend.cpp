#include "hypersdk/core/converter_backend.hpp"

namespace hypersdk::core {

ConverterBackend::ConverterBackend(std::string plugin_id, std::string name, const hypersdk_converter& table,
                                   ConverterCapabilities capabilities, bool serialized,
                                   std::mutex& call_mutex)
    : plugin_id_(std::move(plugin_id)),
      name_(std::move(name)),
      table_(table),
      capabilities_(std::move(capabilities)),
      serialized_(serialized),
      call_mutex_(call_mutex) {}

std::unique_lock<std::mutex> ConverterBackend::lock() const {
    if (!serialized_) return {};
    return std::unique_lock<std::mutex>(call_mutex_);
}

PluginCall ConverterBackend::validate(const std::string& config_json, Job& job) const {
    TextBuffer none;
    int32_t status;
    {
        const auto held = lock();
        status = call_plugin_guarded(job, [&] { return table_.validate(config_json.c_str(), job.handle()); });
    }
    return finish_plugin_call(job, status, none, plugin_id_ + " validate");
}

PluginCall ConverterBackend::version(const std::string& config_json, Job& job) const {
    TextBuffer out;
    int32_t status;
    {
        const auto held = lock();
        status = call_plugin_guarded(
            job, [&] { return table_.version(config_json.c_str(), job.handle(), out.handle()); });
    }
    return finish_plugin_call(job, status, out, plugin_id_ + " version");
}

PluginCall ConverterBackend::convert(const std::string& config_json,
                                     const std::filesystem::path& manifest_path,
                                     const std::string& options_json, Job& job) const {
    TextBuffer out;
    int32_t status;
    {
        const auto held = lock();
        status = call_plugin_guarded(job, [&] {
            return table_.convert(config_json.c_str(), manifest_path.c_str(), options_json.c_str(),
                                  job.handle(), out.handle());
        });
    }
    return finish_plugin_call(job, status, out, plugin_id_ + " convert");
}

}  // namespace hypersdk::core
