// One HTTP request and its answer, as Client::send takes and returns them.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "clock.hpp"
#include "headers.hpp"

namespace hypersdk::http {

// A request body produced on demand (an upload from a file, ...).
struct BodySource {
    uint64_t size = 0;  // exact bytes (sent as Content-Length)
    // Fills up to `capacity` bytes and returns how many; 0 only at the end.
    // Throw to abort.
    std::function<size_t(char* buffer, size_t capacity)> read;
    // Back to the first byte, for a retry. Null or false: a failure after
    // the body started is not retried.
    std::function<bool()> rewind;
};

struct Response;

struct Request {
    std::string method = "GET";
    std::string url;
    Headers headers;
    std::string body;                       // sent as is (with Content-Length) when body_source is unset
    std::optional<BodySource> body_source;  // or from a callback

    // May this request be sent again after a failure? Unset: only for
    // idempotent methods (GET, HEAD, PUT, DELETE, OPTIONS). A request that
    // never reached the server (no connection was made) is always retried.
    std::optional<bool> retry_safe;

    // The whole exchange, connection included; 0: no limit (a download then
    // relies on the client's stall timeout).
    std::chrono::milliseconds timeout{0};

    // Offer gzip/deflate/br and decode the answer (API calls; never disk
    // bytes, whose ranges must be the server's own).
    bool accept_compressed = false;

    // Streaming the answer. on_response: once per attempt, when the status
    // and headers of the final answer are in and before any body byte; throw
    // to refuse the answer (the exception propagates, the request is not
    // retried). on_data: body bytes of a 2xx answer, in order; throw to abort.
    // Without on_data the body is collected into Response::body, up to
    // max_body bytes (more is Error(protocol)). Answers outside 2xx are always
    // collected (first 64 KiB) and never passed to on_data.
    std::function<void(const Response& head)> on_response;
    std::function<void(const char* data, size_t size)> on_data;
    size_t max_body = 64u << 20;

    // Before retrying an attempt that already passed body bytes to on_data:
    // adjust the request to continue (e.g. a Range from the next byte) and
    // return true, or return false to give up. Unset: such failures are not
    // retried.
    std::function<bool(Request& next)> resume;

    // Polled at least once a second during the transfer and while waiting
    // to retry; true stops with Error(cancelled).
    CancelFn is_cancelled;

    // How the request is named in logs and errors ("GET <redacted url>" by default).
    std::string description;
};

struct Response {
    long status = 0;
    Headers headers;           // of the final answer (after any 100 Continue)
    std::string body;          // see Request::on_data
    uint64_t body_bytes = 0;   // bytes of this answer's body delivered or collected
    int attempts = 1;          // attempts it took
    std::string http_version;  // "1.1", "2"

    std::optional<std::string> header(std::string_view name) const { return find_header(headers, name); }
    bool ok() const { return status >= 200 && status < 300; }
};

}  // namespace hypersdk::http
