#include "token_source.hpp"

#include "endpoint.hpp"
#include "errors.hpp"
#include "hypersdk/plugin_common/json_access.hpp"

namespace hypersdk::gcp {
namespace pc = hypersdk::plugin_common;

std::string StaticToken::access_token(bool refresh) {
    if (refresh)
        throw Error(ErrorKind::auth,
                    "the access token given (GOOGLE_OAUTH_ACCESS_TOKEN / --access-token-file) was refused; "
                    "get a fresh one (gcloud auth print-access-token) or use a service-account key");
    return token_;
}

ServiceAccountTokens::ServiceAccountTokens(http::Client& client, ServiceAccountKey key, std::string scope,
                                           std::chrono::seconds refresh_before)
    : client_(client), key_(std::move(key)), scope_(std::move(scope)), refresh_before_(refresh_before) {}

int ServiceAccountTokens::exchanges() const {
    std::lock_guard lock(mutex_);
    return exchanges_;
}

std::string ServiceAccountTokens::access_token(bool refresh) {
    std::lock_guard lock(mutex_);
    const auto now = client_.clock().now();
    if (refresh || token_.empty() || now + refresh_before_ >= expires_) exchange();
    return token_;
}

void ServiceAccountTokens::exchange() {
    const auto started = client_.clock().now();
    http::Request r;
    r.method = "POST";
    r.url = key_.token_uri;
    r.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    r.body = "grant_type=" + url_encode("urn:ietf:params:oauth:grant-type:jwt-bearer") +
             "&assertion=" + make_jwt_assertion(key_, scope_, std::chrono::system_clock::now());
    r.retry_safe = true;  // a new token is harmless
    r.description = "POST " + key_.token_uri + " (token for " + key_.client_email + ")";
    const http::Response answer = client_.send(r);
    rapidjson::Document doc;
    try {
        doc = pc::parse_json(answer.body, "the token endpoint's answer");
    } catch (const pc::JsonError&) {
        if (answer.ok())
            throw Error(ErrorKind::protocol, "the token endpoint " + key_.token_uri + " did not answer JSON");
    }
    if (!answer.ok()) {
        // RFC 6749 §5.2: {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
        std::string code, description;
        if (doc.IsObject()) {
            if (doc.HasMember("error") && doc["error"].IsString()) code = doc["error"].GetString();
            if (doc.HasMember("error_description") && doc["error_description"].IsString())
                description = doc["error_description"].GetString();
        }
        throw Error(ErrorKind::auth,
                    key_.token_uri + " refused the key of service account " + key_.client_email + " (HTTP " +
                        std::to_string(answer.status) + (code.empty() ? "" : ", " + code) +
                        (description.empty() ? "" : ": " + description) +
                        "); check that the key file (GOOGLE_APPLICATION_CREDENTIALS / --credentials) is "
                        "current and not "
                        "deleted, or create a new JSON key",
                    answer.status);
    }
    try {
        if (!doc.IsObject()) throw pc::JsonError("the token endpoint's answer is not an object");
        const auto token = pc::get_string(doc, "access_token", "");
        const auto expires_in = pc::get_int(doc, "expires_in", "", 1, 86400 * 7).value_or(3600);
        if (!token || token->empty()) throw pc::JsonError("the token endpoint's answer has no access_token");
        token_ = *token;
        expires_ = started + std::chrono::seconds(expires_in);
        ++exchanges_;
    } catch (const pc::JsonError& e) {
        throw Error(ErrorKind::protocol, std::string(e.what()) + " (" + key_.token_uri + ")");
    }
}

}  // namespace hypersdk::gcp
