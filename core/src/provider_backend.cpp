#include "hypersdk/core/provider_backend.hpp"

#include <algorithm>

namespace hypersdk::core {

ProviderBackend::ProviderBackend(std::string plugin_id, const hypersdk_provider& table,
                                 ProviderCapabilities capabilities, bool serialized, std::mutex& call_mutex)
    : plugin_id_(std::move(plugin_id)),
      table_(table),
      capabilities_(std::move(capabilities)),
      serialized_(serialized),
      call_mutex_(call_mutex) {}

std::unique_lock<std::mutex> ProviderBackend::lock() const {
    if (!serialized_) return {};
    return std::unique_lock<std::mutex>(call_mutex_);
}

bool ProviderBackend::offers_format(std::string_view format) const {
    const auto& formats = capabilities_.export_formats;
    return std::find(formats.begin(), formats.end(), format) != formats.end();
}

ProviderBackend::Session::~Session() {
    const auto held = backend_.lock();
    try {
        backend_.table_.close(handle_);
    } catch (...) {
        // close never fails by contract; a broken plugin does not stop the host.
    }
}

std::unique_ptr<ProviderBackend::Session> ProviderBackend::open(const std::string& config_json, Job& job,
                                                                std::string& error) const {
    hypersdk_provider_session* handle = nullptr;
    int32_t status;
    {
        const auto held = lock();
        status =
            call_plugin_guarded(job, [&] { return table_.open(config_json.c_str(), job.handle(), &handle); });
    }
    if (status != HYPERSDK_OK || handle == nullptr) {
        if (status == HYPERSDK_OK) status = HYPERSDK_ERR_INTERNAL;  // OK without a session: a plugin bug
        error = job_error_message(job, status, "connecting to " + capabilities_.provider_name);
        if (handle != nullptr) {
            const auto held = lock();
            table_.close(handle);
        }
        return nullptr;
    }
    return std::unique_ptr<Session>(new Session(*this, handle));
}

PluginCall ProviderBackend::list_vms(Session& session, Job& job) const {
    TextBuffer out;
    int32_t status;
    {
        const auto held = lock();
        status = call_plugin_guarded(
            job, [&] { return table_.list_vms(session.handle_, job.handle(), out.handle()); });
    }
    return finish_plugin_call(job, status, out, "listing VMs");
}

PluginCall ProviderBackend::describe_vm(Session& session, const std::string& vm_ref, Job& job) const {
    TextBuffer out;
    int32_t status;
    {
        const auto held = lock();
        status = call_plugin_guarded(job, [&] {
            return table_.describe_vm(session.handle_, vm_ref.c_str(), job.handle(), out.handle());
        });
    }
    return finish_plugin_call(job, status, out, "describing " + vm_ref);
}

PluginCall ProviderBackend::export_vm(Session& session, const std::string& vm_ref,
                                      const std::string& options_json, Job& job) const {
    TextBuffer out;
    int32_t status;
    {
        const auto held = lock();
        status = call_plugin_guarded(job, [&] {
            return table_.export_vm(session.handle_, vm_ref.c_str(), options_json.c_str(), job.handle(),
                                    out.handle());
        });
    }
    return finish_plugin_call(job, status, out, "exporting " + vm_ref);
}

}  // namespace hypersdk::core
