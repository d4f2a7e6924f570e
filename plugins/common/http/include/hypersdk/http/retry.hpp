// Retries in one place: which failures are worth another attempt (a
// per-provider classifier), how long to wait (exponential backoff with full
// jitter, or what the server asks for with Retry-After / x-ms-retry-after-ms
// / retry-after-ms), and when to give up (attempts and total time).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "clock.hpp"
#include "error.hpp"
#include "headers.hpp"

namespace hypersdk::http {

struct RetryPolicy {
    // Attempts in a row that made no progress (a download that received body
    // bytes before failing starts a new count). 1: never retry.
    int max_attempts = 5;
    // Time from the first failure (or the last progress) after which no new
    // attempt starts, waits included.
    std::chrono::milliseconds max_total{std::chrono::seconds(120)};
    // Full jitter: the n-th wait is uniform in [0, min(max_delay, base_delay * 2^(n-1))].
    std::chrono::milliseconds base_delay{500};
    std::chrono::milliseconds max_delay{std::chrono::seconds(20)};
    // A Retry-After longer than this, or beyond max_total, is not waited for.
    std::chrono::milliseconds max_server_delay{std::chrono::seconds(60)};
    // Attempts in all, progress or not (a server that drops every connection
    // after a few bytes cannot keep a download going forever).
    int max_attempts_with_progress = 1000;
};

// One failed attempt, as the classifier sees it.
struct Attempt {
    std::string method;                           // "GET"
    long status = 0;                              // HTTP status; 0 when no answer came
    const Headers* headers = nullptr;             // the answer's headers (status != 0)
    const std::string* body = nullptr;            // the answer's body, at most 64 KiB (status != 0)
    std::optional<ErrorKind> error;               // a transport failure (no usable answer)
    int curl_code = 0;                            // CURLcode of that failure
    bool request_may_have_reached_server = true;  // false when no connection was made
    bool certificate_rejected = false;            // the server's certificate failed verification or the pin
};

struct Verdict {
    bool retry = false;
    std::string reason;  // for the debug log: "HTTP 503", "connection reset", ...
};

using Classifier = std::function<Verdict(const Attempt&)>;

// Retries 408, 429, 500, 502, 503, 504, and transport failures that can pass:
// connection refused or reset, broken mid-answer, stalled, timed out, TLS
// handshake cut short. Never: certificate not trusted or pin mismatch, other
// statuses. Providers wrap it (e.g. EBS's ThrottlingException on HTTP 400).
Verdict default_classifier(const Attempt& attempt);

// The wait a server asks for: `x-ms-retry-after-ms` or `retry-after-ms`
// (milliseconds), else `Retry-After` as seconds or an HTTP-date (relative to
// `wall_now`). nullopt when none is given or it cannot be read; a date in the
// past is zero.
std::optional<std::chrono::milliseconds> server_retry_delay(const Headers& headers,
                                                            std::chrono::system_clock::time_point wall_now);

// Full-jitter backoff for the n-th retry (1-based) with `unit` drawn uniform in [0, 1).
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry, double unit);

// The state of one operation's retries.
class RetryBudget {
public:
    RetryBudget(const RetryPolicy& policy, Clock& clock, RandomFn random);

    struct Decision {
        bool retry = false;
        std::chrono::milliseconds delay{0};
        std::string why_not;  // when !retry: "5 attempts", "Retry-After 90 s exceeds the retry budget", ...
    };
    // After a failure the classifier wants retried: may another attempt
    // start, and after how long? `progressed`: the failed attempt delivered
    // body bytes (starts a new count of attempts and of time).
    Decision next(const Headers* answer_headers, bool progressed);

    int attempts() const { return attempts_; }

private:
    const RetryPolicy& policy_;
    Clock& clock_;
    RandomFn random_;
    int attempts_ = 1;           // the first attempt is running or done
    int attempts_in_a_row_ = 1;  // since the last progress
    std::chrono::steady_clock::time_point since_;
};

}  // namespace hypersdk::http
