// An HTTPS client on libcurl for one provider endpoint and one TLS policy:
// connections kept alive and reused (a pool of easy handles sharing DNS and
// TLS sessions), HTTP/2 where the server offers it (ALPN), proxies from the
// environment as libcurl reads them (https_proxy, no_proxy, ...), connect and
// stall timeouts, retries by the policy and the classifier, and every log
// line and error redacted. Thread-safe: any number of threads may send at
// once; each request uses its own handle from the pool.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "clock.hpp"
#include "error.hpp"
#include "log.hpp"
#include "request.hpp"
#include "retry.hpp"
#include "tls.hpp"

namespace hypersdk::http {

struct ClientOptions {
    TlsPolicy tls;
    std::chrono::seconds connect_timeout{30};
    // A transfer moving fewer than stall_bytes_per_second for this long fails
    // (Error(timeout)), retried like a broken connection.
    std::chrono::seconds stall_timeout{120};
    long stall_bytes_per_second = 1;
    std::string user_agent = "hypersdk/1";
    bool http2 = true;             // offer h2 in ALPN (CURL_HTTP_VERSION_2TLS)
    bool allow_http = false;       // plain http:// (never for credentials; test peers only)
    bool accept_encoding = false;  // ask for gzip/br and decode (API calls, not disk bytes)
    RetryPolicy retry;
    Classifier classifier;                 // null: default_classifier
    LogFn log;                             // null: silent
    LogLevel log_level = LogLevel::debug;  // trace: also dumps request and answer headers (redacted)
    std::shared_ptr<Clock> clock;          // null: system_clock()
    RandomFn random;                       // null: default_random()
};

class Client {
public:
    // Throws Error(config) on a malformed thumbprint.
    explicit Client(ClientOptions options);
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    // Sends `request`, retrying what the policy and classifier allow, and
    // returns the final answer whatever its status (see check_status).
    // Throws Error for transport failures (connect, TLS, timeout, broken
    // connection) once retries are exhausted or not allowed, and for
    // cancellation. Exceptions from the request's callbacks propagate as they are.
    Response send(Request request);

    // Error(status) naming the request and the status, with the first line
    // of the body (redacted), unless the status is 2xx.
    static void check_status(const Request& request, const Response& response);

    const ClientOptions& options() const { return options_; }
    // Logs through options().log after redaction.
    void log(LogLevel level, const std::string& message) const;
    Clock& clock() const { return *options_.clock; }

private:
    class Pool;
    struct Attempted;
    Attempted attempt(Request& request);

    ClientOptions options_;
    std::string pin_;  // raw digest bytes, empty: none
    std::unique_ptr<Pool> pool_;
};

// "GET https://host/path?sig=REDACTED" (redacted).
std::string describe(const Request& request);

}  // namespace hypersdk::http
