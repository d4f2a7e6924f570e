// One open Azure session: the settings, one HTTPS client per endpoint (Entra
// ID, ARM; blob hosts get theirs per export), the shared token cache, and the
// ARM and compute layers on them.
#pragma once

#include <hypersdk/http/client.hpp>

#include "arm_client.hpp"
#include "compute.hpp"
#include "plugin_config.hpp"
#include "token_provider.hpp"

namespace hypersdk::azure::plugin {

class Session {
public:
    explicit Session(PluginConfig config);

    // Fetches a token now, so wrong credentials fail at open (unless only SAS URLs are used).
    void sign_in();
    bool uses_arm() const { return config_.sas_urls.empty(); }

    const PluginConfig& config() const { return config_; }
    Compute& compute() { return compute_; }
    TokenProvider& tokens() { return tokens_; }
    // Options for a client of the storage endpoints (same TLS policy, log).
    http::ClientOptions blob_client_options() const;
    LroOptions lro(const std::string& what) const;

private:
    PluginConfig config_;
    http::Client auth_client_;
    http::Client arm_client_;
    TokenProvider tokens_;
    ArmClient arm_;
    Compute compute_;
};

}  // namespace hypersdk::azure::plugin
