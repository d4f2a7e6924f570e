// One open GCP session: the transport, the token source (a service-account
// key or a ready token), the project, and the Compute, Cloud Build and Cloud
// Storage clients on them.
#pragma once

#include <hypersdk/cxx/plugin.hpp>

#include <memory>

#include <hypersdk/provider/option_values.hpp>
#include "api.hpp"
#include "cloud_build.hpp"
#include "compute.hpp"
#include "plugin_config.hpp"
#include "storage.hpp"
#include "token_source.hpp"

namespace hypersdk::gcp::plugin {

struct GcpSession {
    explicit GcpSession(PluginConfig config);
    PluginConfig config;
    std::unique_ptr<http::Client> client;
    std::unique_ptr<TokenSource> tokens;
    std::unique_ptr<Api> api;
    std::unique_ptr<Compute> compute;
    std::unique_ptr<CloudBuild> build;
    std::unique_ptr<Storage> storage;
};

// Builds the clients and gets a first token, so wrong credentials fail here.
std::unique_ptr<GcpSession> open_session(const provider::OptionValues& options, const cxx::Job& job);

}  // namespace hypersdk::gcp::plugin
