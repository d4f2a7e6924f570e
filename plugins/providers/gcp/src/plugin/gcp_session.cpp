#include "gcp_session.hpp"

#include <hypersdk/http/host_log.hpp>

#include <cstdlib>

#include "service_account.hpp"

namespace hypersdk::gcp::plugin {

GcpSession::GcpSession(PluginConfig c) : config(std::move(c)) {}

std::unique_ptr<GcpSession> open_session(const provider::OptionValues& options, const cxx::Job&) {
    auto s = std::make_unique<GcpSession>(parse_config(options));
    http::ClientOptions o;
    o.tls.ca_file = s->config.ca_file;
    o.classifier = google_classifier;
    // The transport's retries (debug) and header dumps (trace), redacted, go to the host's log.
    o.log = http::host_log();
    s->client = std::make_unique<http::Client>(o);
    std::string key_project;
    if (!s->config.access_token.empty()) {
        s->tokens = std::make_unique<StaticToken>(s->config.access_token);
    } else {
        ServiceAccountKey key = load_service_account_key(s->config.credentials);
        key_project = key.project_id;
        s->tokens = std::make_unique<ServiceAccountTokens>(*s->client, std::move(key));
    }
    s->config.project =
        resolve_project(s->config.project, key_project, [](const char* n) { return std::getenv(n); });
    s->api = std::make_unique<Api>(*s->client, *s->tokens);
    s->compute = std::make_unique<Compute>(*s->api, s->config.compute_endpoint, s->config.project);
    s->build = std::make_unique<CloudBuild>(*s->api, s->config.cloudbuild_endpoint);
    s->storage = std::make_unique<Storage>(*s->api, s->config.storage_endpoint);
    s->tokens->access_token(false);  // wrong credentials fail at open, naming the account
    return s;
}

}  // namespace hypersdk::gcp::plugin
