#include "api.hpp"

#include <openssl/rand.h>

#include "hypersdk/plugin_common/json_access.hpp"

namespace hypersdk::gcp {
namespace pc = hypersdk::plugin_common;

http::Verdict google_classifier(const http::Attempt& attempt) {
    if (attempt.status == 403 && attempt.body != nullptr) {
        for (const char* reason : {"rateLimitExceeded", "userRateLimitExceeded", "RESOURCE_EXHAUSTED"})
            if (attempt.body->find(reason) != std::string::npos)
                return {true, std::string("HTTP 403 ") + reason};
    }
    return http::default_classifier(attempt);
}

namespace {

ErrorKind kind_for_status(long status) {
    if (status == 401 || status == 403) return ErrorKind::auth;
    if (status == 404) return ErrorKind::not_found;
    return ErrorKind::api;
}

std::string one_line(std::string text) {
    for (char& c : text)
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    if (text.size() > 400) text = text.substr(0, 400) + "...";
    return text;
}

}  // namespace

Error decode_google_error(long status, const std::string& body, const std::string& what) {
    std::string message, reason;
    try {
        const auto doc = pc::parse_json(body, "the error answer");
        if (doc.IsObject()) {
            if (const auto* error = pc::find_member(doc, "error"); error != nullptr && error->IsObject()) {
                message = pc::get_string(*error, "message", "error").value_or("");
                if (const auto* errors = pc::find_member(*error, "errors"); errors && errors->IsArray())
                    for (const auto& e : errors->GetArray())
                        if (e.IsObject() && e.HasMember("reason") && e["reason"].IsString()) {
                            reason = e["reason"].GetString();
                            break;
                        }
                if (reason.empty()) reason = pc::get_string(*error, "status", "error").value_or("");
            } else if (error != nullptr && error->IsString()) {  // OAuth style
                reason = error->GetString();
                message = pc::get_string(doc, "error_description", "").value_or("");
            }
        }
    } catch (const pc::JsonError&) {
        // Not JSON (a proxy's HTML page): its first line below.
    }
    if (message.empty()) message = body.substr(0, body.find('\n'));
    if (message.empty()) message = "no details given";
    return Error(kind_for_status(status),
                 what + ": " + one_line(message) + " (HTTP " + std::to_string(status) +
                     (reason.empty() ? "" : ", " + reason) + ")",
                 status);
}

http::Headers Api::auth_headers(bool refresh) {
    return {{"Authorization", "Bearer " + tokens_.access_token(refresh)}};
}

std::string random_uuid() {
    unsigned char b[16];
    if (RAND_bytes(b, sizeof b) != 1) throw Error(ErrorKind::protocol, "no random bytes for a request id");
    b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
    b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
    static const char* const hex = "0123456789abcdef";
    std::string out;
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
        out += hex[b[i] >> 4];
        out += hex[b[i] & 15];
    }
    return out;
}

rapidjson::Document Api::call(const std::string& method, const std::string& url, const std::string& json_body,
                              const std::string& what, bool retry_safe) {
    http::Response answer;
    for (int attempt = 0; attempt < 2; ++attempt) {
        http::Request r;
        r.method = method;
        r.url = url;
        r.headers = auth_headers(attempt > 0);
        r.headers.push_back({"Accept", "application/json"});
        if (!json_body.empty()) {
            r.headers.push_back({"Content-Type", "application/json; charset=utf-8"});
            r.body = json_body;
        }
        r.accept_compressed = true;
        if (retry_safe) r.retry_safe = true;
        r.is_cancelled = cancelled_;
        r.max_body = 32u << 20;
        answer = client_.send(r);
        // A token revoked or expired early: one new token, one more try.
        if (answer.status != 401) break;
    }
    if (!answer.ok()) {
        Error e = decode_google_error(answer.status, answer.body, what);
        if (answer.status == 401)
            throw Error(ErrorKind::auth,
                        std::string(e.what()) + "; " + tokens_.principal() + " was not accepted", 401);
        throw e;
    }
    if (answer.body.empty()) return rapidjson::Document(rapidjson::kObjectType);
    try {
        auto doc = pc::parse_json(answer.body, "the answer to " + what);
        if (!doc.IsObject()) throw pc::JsonError("the answer to " + what + " is not a JSON object");
        return doc;
    } catch (const pc::JsonError& e) {
        throw Error(ErrorKind::protocol, e.what());
    }
}

}  // namespace hypersdk::gcp
