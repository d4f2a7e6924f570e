#include "token_provider.hpp"

#include <algorithm>
#include <cmath>

#include "errors.hpp"
#include "hypersdk/plugin_common/json_access.hpp"
#include "one_line.hpp"
#include "url.hpp"

namespace hypersdk::azure {
namespace pc = hypersdk::plugin_common;

TokenProvider::TokenProvider(const Config& config, http::Client& client, Now now)
    : config_(config),
      client_(client),
      now_(now ? std::move(now) : Now([] { return std::chrono::steady_clock::now(); })) {}

std::string TokenProvider::authorization(const http::CancelFn& cancelled) {
    std::lock_guard lock(mutex_);
    if (token_.empty() || now_() >= renew_at_) fetch(cancelled);
    return "Bearer " + token_;
}

void TokenProvider::invalidate() {
    std::lock_guard lock(mutex_);
    token_.clear();
}

int TokenProvider::tokens_fetched() const {
    std::lock_guard lock(mutex_);
    return fetched_;
}

void TokenProvider::fetch(const http::CancelFn& cancelled) {
    http::Request r;
    r.method = "POST";
    r.url = config_.authority_host + "/" + percent_encode(config_.tenant_id) + "/oauth2/v2.0/token";
    r.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
    r.body = "grant_type=client_credentials&client_id=" + percent_encode(config_.client_id) +
             "&client_secret=" + percent_encode(config_.client_secret) +
             "&scope=" + percent_encode(config_.arm_scope());
    r.retry_safe = true;  // asking for a token again is harmless
    r.timeout = config_.call_timeout;
    r.is_cancelled = cancelled;
    r.description = "POST " + without_query(r.url);
    http::Response answer;
    try {
        answer = client_.send(r);
    } catch (const http::Error& e) {
        throw from_http(e);
    }
    if (!answer.ok()) {
        // {"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret ...\r\nTrace
        // ID: ..."}
        std::string code, description;
        try {
            const auto doc = pc::parse_json(answer.body, "the token endpoint's error");
            if (doc.IsObject()) {
                code = pc::get_string(doc, "error", "").value_or("");
                description = pc::get_string(doc, "error_description", "").value_or("");
            }
        } catch (const pc::JsonError&) {
            description = answer.body;
        }
        description = first_line(description);
        const std::string what = code.empty() ? "HTTP " + std::to_string(answer.status) : code;
        throw Error(answer.status >= 500 ? ErrorKind::remote : ErrorKind::auth,
                    "Microsoft Entra ID refused the client credentials of application " + config_.client_id +
                        " in tenant " + config_.tenant_id + " (" + what + (description.empty() ? "" : ": ") +
                        description +
                        "): check --tenant-id/AZURE_TENANT_ID, --client-id/AZURE_CLIENT_ID and the secret in "
                        "--client-secret-file or AZURE_CLIENT_SECRET");
    }
    try {
        const auto doc = pc::parse_json(answer.body, "the token endpoint's answer");
        if (!doc.IsObject()) throw pc::JsonError("the token endpoint's answer is not a JSON object");
        const auto token = pc::get_string(doc, "access_token", "");
        if (!token || token->empty()) throw pc::JsonError("the token endpoint's answer has no access_token");
        // Entra v2.0 sends expires_in as a number, v1.0 as a string.
        double lifetime = 3600;
        if (const auto* v = pc::find_member(doc, "expires_in")) {
            if (v->IsNumber())
                lifetime = v->GetDouble();
            else if (v->IsString())
                lifetime = std::atof(v->GetString());
        }
        lifetime = std::clamp(lifetime, 1.0, 86400.0);
        const double margin = std::min(300.0, lifetime / 2);
        token_ = *token;
        renew_at_ = now_() + std::chrono::milliseconds(std::llround((lifetime - margin) * 1000));
        ++fetched_;
    } catch (const pc::JsonError& e) {
        throw Error(ErrorKind::protocol,
                    std::string("Microsoft Entra ID answered with an unusable token: ") + e.what());
    }
}

}  // namespace hypersdk::azure
