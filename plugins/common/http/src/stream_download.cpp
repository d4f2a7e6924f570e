#include "hypersdk/http/stream_download.hpp"

#include "hypersdk/http/content_range.hpp"

namespace hypersdk::http {
namespace {

// Answers that end early with a clean close (a 206 smaller than asked) are
// followed by another request; this many at most.
constexpr int kMaxContinuations = 10000;

std::optional<uint64_t> content_length(const Response& head) {
    auto v = head.header("content-length");
    if (!v) return std::nullopt;
    try {
        return std::stoull(*v);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

}  // namespace

StreamResult stream_download(Client& client, const Request& base, uint64_t offset,
                             const StreamCallbacks& callbacks) {
    StreamResult result;
    result.start_offset = offset;
    uint64_t position = offset;  // the next byte the consumer expects
    uint64_t answer_end = 0;     // where the current answer's body ends (0: unknown)

    Request request = base;
    request.is_cancelled = callbacks.is_cancelled;
    // A Range even from byte 0: a 206 names the object's size, so a body cut
    // short with a clean close is seen for what it is (a 200 without
    // Content-Length could not tell).
    set_header(request.headers, "Range", range_header(offset, std::nullopt));

    uint64_t answer_bytes = 0;  // body bytes of the current answer
    request.on_response = [&](const Response& head) {
        result.status = head.status;
        answer_end = 0;
        answer_bytes = 0;
        if (head.status == 206) {
            const auto value = head.header("content-range");
            const auto range = value ? parse_content_range(*value) : std::nullopt;
            if (!range || range->unsatisfied || range->first != position)
                throw Error(ErrorKind::protocol,
                            describe(request) + ": asked for bytes from " + std::to_string(position) +
                                ", the server answered " +
                                (value ? "Content-Range: " + *value : "without Content-Range"));
            if (range->total) result.total = *range->total;
            answer_end = range->last + 1;
        } else if (head.status == 200) {
            if (position > 0) {
                // Range ignored: the body is the whole object. Never append it
                // after the bytes the consumer already has; start over.
                result.restarted = true;
                if (callbacks.on_restart) callbacks.on_restart();
                result.start_offset = 0;
                result.bytes = 0;
                position = 0;
            }
            const auto length = content_length(head);
            result.total = length.value_or(0);
            answer_end = length.value_or(0);
        }
    };
    request.on_data = [&](const char* data, size_t size) {
        if (answer_end != 0 && position + size > answer_end)
            throw Error(ErrorKind::protocol, describe(request) + ": the server sent more than the " +
                                                 std::to_string(answer_end) + " bytes it announced");
        if (callbacks.on_data) callbacks.on_data(data, size);
        result.bytes += size;
        position += size;
        answer_bytes += size;
        if (callbacks.on_progress) callbacks.on_progress(position, result.total);
    };
    // A broken connection continues from the next byte.
    request.resume = [&](Request& next) {
        set_header(next.headers, "Range", range_header(position, std::nullopt));
        return true;
    };

    // Answers that end early with a clean close are continued, within the retry policy.
    RetryBudget short_answers(client.options().retry, client.clock(), client.options().random);
    for (int continuation = 0;; ++continuation) {
        Response response;
        try {
            response = client.send(request);
        } catch (const Error& e) {
            if (e.kind() == ErrorKind::cancelled || e.kind() == ErrorKind::config ||
                e.kind() == ErrorKind::tls || e.kind() == ErrorKind::protocol)
                throw;
            Error stopped(e.kind(),
                          "download of " + describe(base) + " stopped after " + std::to_string(position) +
                              " bytes" + (result.total ? " of " + std::to_string(result.total) : "") + ": " +
                              e.what() + "; it can resume from there",
                          e.http_status(), e.tls());
            stopped.set_delivered(position);
            throw stopped;
        }
        result.attempts += response.attempts;
        if (response.status == 200 || response.status == 206) {
            if (answer_end != 0 && position != answer_end) {
                const std::string what = "download of " + describe(base) + " ended at byte " +
                                         std::to_string(position) + " of " + std::to_string(answer_end) +
                                         " announced";
                const auto d = short_answers.next(nullptr, answer_bytes > 0);
                if (!d.retry) {
                    Error short_body(ErrorKind::transport,
                                     what + " (" + d.why_not + "); it can resume from there");
                    short_body.set_delivered(position);
                    throw short_body;
                }
                client.log(LogLevel::debug, what + "; asking for the rest");
                if (!client.clock().sleep_for(d.delay, callbacks.is_cancelled))
                    throw Error(ErrorKind::cancelled, "cancelled: " + describe(base));
                set_header(request.headers, "Range", range_header(position, std::nullopt));
                continue;
            }
            if (response.status == 206 && result.total != 0 && position < result.total) {
                if (continuation >= kMaxContinuations)
                    throw Error(ErrorKind::protocol,
                                describe(base) + ": the server keeps answering short ranges");
                set_header(request.headers, "Range", range_header(position, std::nullopt));
                continue;  // a server that serves a large object in parts
            }
            return result;
        }
        if (response.status == 416) {
            const auto value = response.header("content-range");
            const auto range = value ? parse_content_range(*value) : std::nullopt;
            if (range && range->unsatisfied && range->total == position) {
                // Everything was already there (or the object is empty): nothing to fetch.
                result.status = 416;
                result.start_offset = position;
                result.total = position;
                return result;
            }
        }
        Client::check_status(request, response);
    }
}

}  // namespace hypersdk::http
