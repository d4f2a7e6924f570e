// Authenticated JSON calls to Google's REST APIs (Compute Engine v1, Cloud
// Build v1, Cloud Storage JSON v1) over the shared transport: a bearer token
// from the TokenSource on every call (renewed once on 401), retries of 429,
// 5xx and Google's rate-limit 403s by the transport's policy, and Google's
// error body ({"error": {"code", "message", "errors": [...]}}) turned into an
// Error whose message is Google's own, in one line.
#pragma once

#include <rapidjson/document.h>
#include <hypersdk/http/client.hpp>

#include <string>

#include "errors.hpp"
#include "token_source.hpp"

namespace hypersdk::gcp {

// The transport's default classifier plus Google's throttling answers
// (403 rateLimitExceeded / userRateLimitExceeded, RESOURCE_EXHAUSTED).
http::Verdict google_classifier(const http::Attempt& attempt);

// A random RFC 4122 version-4 UUID (Compute's requestId).
std::string random_uuid();

// Error(kind by status) from a Google error answer: "<what>: <message> (HTTP 404, notFound)".
Error decode_google_error(long status, const std::string& body, const std::string& what);

class Api {
public:
    Api(http::Client& client, TokenSource& tokens, http::CancelFn cancelled = {})
        : client_(client), tokens_(tokens), cancelled_(std::move(cancelled)) {}

    // Sends `method url` with `json_body` (none when empty) and returns the
    // parsed answer (an empty object for an empty body). `what` names the call
    // in errors ("get instance web-01"). Throws Error or http::Error.
    // `retry_safe`: a POST the server deduplicates (Compute's requestId), so
    // the transport may send it again after a 429, 5xx or broken connection.
    rapidjson::Document call(const std::string& method, const std::string& url, const std::string& json_body,
                             const std::string& what, bool retry_safe = false);
    rapidjson::Document get(const std::string& url, const std::string& what) {
        return call("GET", url, "", what);
    }

    // The headers every request to Google needs (Authorization), for
    // downloads built by hand.
    http::Headers auth_headers(bool refresh = false);

    http::Client& client() { return client_; }
    TokenSource& tokens() { return tokens_; }
    const http::CancelFn& cancelled() const { return cancelled_; }
    // Cleanup after a cancel must still reach the API: it turns the check off.
    void set_cancelled(http::CancelFn cancelled) { cancelled_ = std::move(cancelled); }

private:
    http::Client& client_;
    TokenSource& tokens_;
    http::CancelFn cancelled_;
};

}  // namespace hypersdk::gcp
