#include "hypersdk/http/retry.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace hypersdk::http {
namespace {

std::optional<int64_t> parse_integer(std::string_view text) {
    text = trim(text);
    int64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
    return value;
}

std::string seconds_text(std::chrono::milliseconds d) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.1f s", static_cast<double>(d.count()) / 1000.0);
    return buffer;
}

}  // namespace

Verdict default_classifier(const Attempt& attempt) {
    if (attempt.error) {
        switch (static_cast<CURLcode>(attempt.curl_code)) {
            case CURLE_COULDNT_CONNECT:
                return {true, "connection refused"};
            case CURLE_COULDNT_RESOLVE_HOST:
            case CURLE_COULDNT_RESOLVE_PROXY:
                return {true, "name not resolved"};
            case CURLE_OPERATION_TIMEDOUT:
                return {true, "timed out"};
            case CURLE_SEND_ERROR:
            case CURLE_RECV_ERROR:
                return {true, "connection reset"};
            case CURLE_PARTIAL_FILE:
                return {true, "connection closed before the end of the body"};
            case CURLE_GOT_NOTHING:
                return {true, "connection closed without an answer"};
            case CURLE_HTTP2:
            case CURLE_HTTP2_STREAM:
                return {true, "HTTP/2 stream error"};
            case CURLE_SSL_CONNECT_ERROR:
                // A handshake cut short; a rejected certificate is not retried.
                if (attempt.certificate_rejected) return {false, "certificate rejected"};
                return {true, "TLS handshake cut short"};
            default:
                break;
        }
        if (*attempt.error == ErrorKind::transport) return {true, "connection broken"};
        return {false, std::string("transport failure (") + to_string(*attempt.error) + ")"};
    }
    switch (attempt.status) {
        case 408:
        case 429:
        case 500:
        case 502:
        case 503:
        case 504:
            return {true, "HTTP " + std::to_string(attempt.status)};
        default:
            return {false, "HTTP " + std::to_string(attempt.status)};
    }
}

std::optional<std::chrono::milliseconds> server_retry_delay(const Headers& headers,
                                                            std::chrono::system_clock::time_point wall_now) {
    for (const char* name : {"x-ms-retry-after-ms", "retry-after-ms"}) {
        if (auto v = find_header(headers, name))
            if (auto ms = parse_integer(*v)) return std::chrono::milliseconds(*ms);
    }
    auto v = find_header(headers, "retry-after");
    if (!v) return std::nullopt;
    if (auto seconds = parse_integer(*v)) return std::chrono::seconds(*seconds);
    // An HTTP-date (IMF-fixdate, RFC 850 or asctime), as curl reads cookies' dates.
    const std::string date(trim(*v));
    const time_t when = curl_getdate(date.c_str(), nullptr);
    if (when < 0) return std::nullopt;
    const auto target = std::chrono::system_clock::from_time_t(when);
    if (target <= wall_now) return std::chrono::milliseconds(0);
    return std::chrono::ceil<std::chrono::milliseconds>(target - wall_now);
}

std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry, double unit) {
    const double cap = static_cast<double>(policy.max_delay.count());
    const double exp = static_cast<double>(policy.base_delay.count()) * std::pow(2.0, std::max(0, retry - 1));
    const double ceiling = std::min(cap, exp);
    return std::chrono::milliseconds(static_cast<int64_t>(std::clamp(unit, 0.0, 1.0) * ceiling));
}

RetryBudget::RetryBudget(const RetryPolicy& policy, Clock& clock, RandomFn random)
    : policy_(policy), clock_(clock), random_(std::move(random)), since_(clock.now()) {}

RetryBudget::Decision RetryBudget::next(const Headers* answer_headers, bool progressed) {
    if (progressed) {
        attempts_in_a_row_ = 0;
        since_ = clock_.now();
    }
    Decision d;
    if (attempts_in_a_row_ >= policy_.max_attempts) {
        d.why_not = std::to_string(attempts_in_a_row_) + " attempt" + (attempts_in_a_row_ == 1 ? "" : "s") +
                    " in a row failed";
        return d;
    }
    if (attempts_ >= policy_.max_attempts_with_progress) {
        d.why_not = std::to_string(attempts_) + " attempts in all";
        return d;
    }
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now() - since_);
    const auto left = policy_.max_total - elapsed;
    std::optional<std::chrono::milliseconds> asked;
    if (answer_headers) asked = server_retry_delay(*answer_headers, clock_.wall_now());
    if (asked) {
        if (*asked > policy_.max_server_delay || *asked > left) {
            d.why_not = "the server asks to retry after " + seconds_text(*asked) +
                        ", beyond the retry budget (" +
                        seconds_text(std::max(left, std::chrono::milliseconds(0))) + " left)";
            return d;
        }
        d.delay = *asked;
    } else {
        d.delay = backoff_delay(policy_, attempts_in_a_row_, random_ ? random_() : 0.5);
    }
    if (elapsed + d.delay >= policy_.max_total) {
        d.why_not = "the retry time budget of " + seconds_text(policy_.max_total) + " is spent";
        return d;
    }
    d.retry = true;
    ++attempts_;
    ++attempts_in_a_row_;
    return d;
}

}  // namespace hypersdk::http
