// The provider interface ("hypersdk.provider/1") as the rest of the host sees
// it: capabilities copied into value types at load, and the only code that
// calls a provider's function pointers (as nbdkit's server/backend.c is):
// the lock its thread model needs is taken here, exceptions a broken C++
// plugin lets escape become HYPERSDK_ERR_INTERNAL, and a negative status
// becomes one readable message.
#pragma once

#include <hypersdk/provider.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "hypersdk/core/job.hpp"
#include "hypersdk/core/plugin_call.hpp"
#include "hypersdk/core/plugin_options.hpp"

namespace hypersdk::core {

// hypersdk_provider_capabilities, copied.
struct ProviderCapabilities {
    std::string provider_name;
    std::vector<std::string> export_formats;
    std::vector<std::string> auth_methods;
    bool exports_powered_on = false;
    bool supports_incremental = false;
    std::vector<PluginOption> options;  // ABI 1.1; empty for a 1.0 plugin
};

class ProviderBackend {
public:
    // `table` is the host's checked copy (plugin_loader.cpp); `call_mutex` is
    // locked around every call when `serialized`.
    ProviderBackend(std::string plugin_id, const hypersdk_provider& table, ProviderCapabilities capabilities,
                    bool serialized, std::mutex& call_mutex);

    const std::string& plugin_id() const { return plugin_id_; }
    const ProviderCapabilities& capabilities() const { return capabilities_; }
    bool offers_format(std::string_view format) const;

    // One open session; closed (under the plugin's lock) when destroyed.
    class Session {
    public:
        ~Session();
        Session(const Session&) = delete;
        Session& operator=(const Session&) = delete;

    private:
        friend class ProviderBackend;
        Session(const ProviderBackend& backend, hypersdk_provider_session* handle)
            : backend_(backend), handle_(handle) {}
        const ProviderBackend& backend_;
        hypersdk_provider_session* handle_;
    };

    // open(config_json). On failure returns nullptr and sets `error`.
    std::unique_ptr<Session> open(const std::string& config_json, Job& job, std::string& error) const;
    PluginCall list_vms(Session& session, Job& job) const;
    PluginCall describe_vm(Session& session, const std::string& vm_ref, Job& job) const;
    PluginCall export_vm(Session& session, const std::string& vm_ref, const std::string& options_json,
                         Job& job) const;

private:
    std::unique_lock<std::mutex> lock() const;

    std::string plugin_id_;
    hypersdk_provider table_;
    ProviderCapabilities capabilities_;
    bool serialized_;
    std::mutex& call_mutex_;
};

}  // namespace hypersdk::core
