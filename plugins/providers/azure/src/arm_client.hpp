// Azure Resource Manager REST: JSON calls with a bearer token and an explicit
// api-version, ARM error bodies ({"error":{"code","message"}}) in one line,
// nextLink paging, and long-running operations followed through
// Azure-AsyncOperation or Location with Retry-After. 429 and 5xx are retried
// by the shared transport's policy (Retry-After honoured). URLs the server
// hands back (nextLink, Azure-AsyncOperation, Location) must lie on the ARM
// endpoint, so the token never travels elsewhere.
#pragma once

#include <rapidjson/document.h>
#include <hypersdk/http/client.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "config.hpp"
#include "token_provider.hpp"

namespace hypersdk::azure {

struct LroOptions {
    std::chrono::seconds timeout{3600};            // the whole operation
    std::chrono::milliseconds default_poll{5000};  // without Retry-After
    std::chrono::milliseconds max_poll{60000};     // a longer Retry-After is cut to this
    std::string what;                              // "snapshot web-01-os-hx..." for messages
};

class ArmClient {
public:
    // `client` talks to config.arm_endpoint. All must outlive this.
    ArmClient(const Config& config, http::Client& client, TokenProvider& tokens);

    // "<arm endpoint><path>?api-version=<v>" (path starts with '/').
    std::string url(const std::string& path, const std::string& api_version) const;

    // GET `url` and parse its JSON (bounded reader). Throws Error.
    rapidjson::Document get(const std::string& url, const http::CancelFn& cancelled = {});
    // Every item of a list answer's "value", following nextLink (at most `max_pages` pages).
    std::vector<rapidjson::Document> list(const std::string& url, const http::CancelFn& cancelled = {},
                                          int max_pages = 1000);

    // A long-running PUT/POST/DELETE: sends it, follows the operation to its
    // end and returns the final body ("" when none): for PUT the resource,
    // for POST what Location answers (e.g. {"accessSAS": ...}). A failed or
    // cancelled operation throws Error(remote) with the operation's error
    // code and message.
    std::string long_running(const std::string& method, const std::string& url, const std::string& body,
                             const LroOptions& options, const http::CancelFn& cancelled = {});

    struct Answer {
        long status = 0;
        http::Headers headers;
        std::string body;
    };
    // One call; 2xx or an Error from the ARM error body.
    Answer call(const std::string& method, const std::string& url, const std::string& body,
                const http::CancelFn& cancelled);

    const Config& config() const { return config_; }

private:
    void check_on_endpoint(const std::string& url, const char* what) const;

    const Config& config_;
    http::Client& client_;
    TokenProvider& tokens_;
};

// "HTTP 404 ResourceNotFound: The Resource ... was not found" from an ARM
// error body (or its first line when it is not one).
std::string arm_error_text(long status, const std::string& body);
// "ResourceNotFound: The Resource ..." of a body holding {"error": {...}}.
std::string arm_error_member_text(const std::string& body);

}  // namespace hypersdk::azure
