#include "arm_client.hpp"

#include <algorithm>
#include <cstdlib>

#include <hypersdk/http/retry.hpp>

#include "errors.hpp"
#include "hypersdk/plugin_common/json_access.hpp"
#include "one_line.hpp"
#include "url.hpp"

namespace hypersdk::azure {
namespace pc = hypersdk::plugin_common;

namespace {

// What a message may name of an ARM URL: the resource path.
std::string resource_of(const std::string& url, const std::string& endpoint) {
    std::string path = without_query(url);
    if (same_origin(path, endpoint)) path.erase(0, endpoint.size());
    return path.empty() ? "/" : path;
}

ErrorKind kind_for(long status) {
    if (status == 401 || status == 403) return ErrorKind::auth;
    if (status == 404) return ErrorKind::not_found;
    if (status == 409) return ErrorKind::state;
    if (status == 429) return ErrorKind::throttled;
    if (status == 400) return ErrorKind::config;
    return ErrorKind::remote;
}

rapidjson::Document parse(const std::string& text, const std::string& what) {
    try {
        return pc::parse_json(text, what);
    } catch (const pc::JsonError& e) {
        throw Error(ErrorKind::protocol, e.what());
    }
}

std::chrono::milliseconds poll_delay(const http::Headers& headers, const LroOptions& options) {
    auto delay =
        http::server_retry_delay(headers, std::chrono::system_clock::now()).value_or(options.default_poll);
    return std::clamp(delay, std::chrono::milliseconds(0), options.max_poll);
}

}  // namespace

std::string arm_error_member_text(const std::string& body) {
    try {
        const auto doc = pc::parse_json(body, "the ARM error");
        const rapidjson::Value* error = doc.IsObject() ? pc::get_object(doc, "error", "") : nullptr;
        if (error != nullptr) {
            const std::string code = one_line(pc::get_string(*error, "code", "error").value_or(""), 80);
            const std::string message = one_line(pc::get_string(*error, "message", "error").value_or(""));
            if (code.empty()) return message;
            return message.empty() ? code : code + ": " + message;
        }
    } catch (const pc::JsonError&) {
    }
    return first_line(body);
}

std::string arm_error_text(long status, const std::string& body) {
    const std::string detail = arm_error_member_text(body);
    const std::string text = "HTTP " + std::to_string(status);
    return detail.empty() ? text : text + " " + detail;
}

ArmClient::ArmClient(const Config& config, http::Client& client, TokenProvider& tokens)
    : config_(config), client_(client), tokens_(tokens) {}

std::string ArmClient::url(const std::string& path, const std::string& api_version) const {
    return config_.arm_endpoint + path + "?api-version=" + api_version;
}

void ArmClient::check_on_endpoint(const std::string& url, const char* what) const {
    if (!same_origin(url, config_.arm_endpoint))
        throw Error(ErrorKind::protocol, std::string("ARM answered with a ") + what + " outside " +
                                             config_.arm_endpoint + " (" + without_query(url) +
                                             "); refusing to send the token there");
}

ArmClient::Answer ArmClient::call(const std::string& method, const std::string& url, const std::string& body,
                                  const http::CancelFn& cancelled) {
    check_on_endpoint(url, "URL");
    for (int attempt = 1;; ++attempt) {
        http::Request r;
        r.method = method;
        r.url = url;
        r.headers = {{"Authorization", tokens_.authorization(cancelled)}, {"Accept", "application/json"}};
        if (!body.empty()) r.headers.push_back({"Content-Type", "application/json"});
        r.body = body;
        r.accept_compressed = true;
        r.timeout = config_.call_timeout;
        r.is_cancelled = cancelled;
        r.description = method + " " + resource_of(url, config_.arm_endpoint);
        // A PUT of a snapshot with the same body, or a grant, is safe to
        // repeat; ARM documents these as idempotent.
        r.retry_safe = true;
        http::Response answer;
        try {
            answer = client_.send(r);
        } catch (const http::Error& e) {
            throw from_http(e);
        }
        if (answer.ok()) return {answer.status, std::move(answer.headers), std::move(answer.body)};
        // An expired or revoked token: fetch a new one once.
        if (answer.status == 401 && attempt == 1) {
            tokens_.invalidate();
            continue;
        }
        throw Error(kind_for(answer.status),
                    "ARM " + r.description + ": " + arm_error_text(answer.status, answer.body));
    }
}

rapidjson::Document ArmClient::get(const std::string& url, const http::CancelFn& cancelled) {
    const Answer a = call("GET", url, "", cancelled);
    return parse(a.body, "ARM's answer to GET " + resource_of(url, config_.arm_endpoint));
}

std::vector<rapidjson::Document> ArmClient::list(const std::string& url, const http::CancelFn& cancelled,
                                                 int max_pages) {
    std::vector<rapidjson::Document> items;
    std::string next = url;
    for (int page = 0; !next.empty(); ++page) {
        if (page == max_pages)
            throw Error(ErrorKind::protocol, "ARM list " + resource_of(url, config_.arm_endpoint) +
                                                 " did not end after " + std::to_string(max_pages) +
                                                 " pages");
        check_on_endpoint(next, "nextLink");
        const auto doc = get(next, cancelled);
        const rapidjson::Value* value = nullptr;
        try {
            value = doc.IsObject() ? pc::get_array(doc, "value", "") : nullptr;
            next = doc.IsObject() ? pc::get_string(doc, "nextLink", "").value_or("") : "";
        } catch (const pc::JsonError& e) {
            throw Error(ErrorKind::protocol, std::string("ARM list answer: ") + e.what());
        }
        if (value == nullptr) break;
        for (const auto& item : value->GetArray()) {
            rapidjson::Document copy;
            copy.CopyFrom(item, copy.GetAllocator());
            items.push_back(std::move(copy));
        }
    }
    return items;
}

std::string ArmClient::long_running(const std::string& method, const std::string& url,
                                    const std::string& body, const LroOptions& options,
                                    const http::CancelFn& cancelled) {
    const auto deadline = std::chrono::steady_clock::now() + options.timeout;
    const std::string what =
        options.what.empty() ? method + " " + resource_of(url, config_.arm_endpoint) : options.what;
    Answer first = call(method, url, body, cancelled);
    const auto async_url = http::find_header(first.headers, "Azure-AsyncOperation");
    const auto location = http::find_header(first.headers, "Location");
    if (first.status != 201 && first.status != 202 && !async_url) return first.body;  // done at once

    http::Headers last = first.headers;
    auto wait = [&] {
        if (std::chrono::steady_clock::now() >= deadline)
            throw Error(ErrorKind::timeout, "ARM operation " + what + " did not finish within " +
                                                std::to_string(options.timeout.count()) + " s");
        if (!client_.clock().sleep_for(poll_delay(last, options), cancelled))
            throw Error(ErrorKind::cancelled, "cancelled while waiting for ARM operation " + what);
    };

    if (async_url) {
        check_on_endpoint(*async_url, "Azure-AsyncOperation URL");
        for (;;) {
            wait();
            Answer poll = call("GET", *async_url, "", cancelled);
            last = poll.headers;
            const auto doc = parse(poll.body, "the status of ARM operation " + what);
            std::string status;
            try {
                status = doc.IsObject() ? pc::get_string(doc, "status", "").value_or("") : "";
            } catch (const pc::JsonError& e) {
                throw Error(ErrorKind::protocol, e.what());
            }
            if (status == "Succeeded") break;
            if (status == "Failed" || status == "Canceled") {
                throw Error(ErrorKind::remote, "ARM operation " + what + " " +
                                                   (status == "Failed" ? "failed" : "was canceled") + ": " +
                                                   arm_error_member_text(poll.body));
            }
            // InProgress, or a service-specific state in between.
        }
        if (method == "PUT" || method == "PATCH") return call("GET", url, "", cancelled).body;
        if (method == "POST" && location) {
            check_on_endpoint(*location, "Location URL");
            // The final result (e.g. the grant's accessSAS) is at Location.
            for (;;) {
                Answer result = call("GET", *location, "", cancelled);
                if (result.status != 202) return result.body;
                last = result.headers;
                wait();
            }
        }
        return "";
    }
    if (location) {
        check_on_endpoint(*location, "Location URL");
        for (;;) {
            wait();
            Answer result = call("GET", *location, "", cancelled);
            if (result.status != 202) return result.body;
            last = result.headers;
        }
    }
    return first.body;  // 201/202 without a way to follow it: what the server gave
}

}  // namespace hypersdk::azure
