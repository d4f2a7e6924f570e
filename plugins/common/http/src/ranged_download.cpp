#include "hypersdk/http/ranged_download.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <map>
#include <mutex>
#include <thread>

#include "hypersdk/http/content_range.hpp"
#include "hypersdk/http/stream_download.hpp"

namespace hypersdk::http {
namespace {

struct Piece {
    uint64_t offset = 0;
    uint64_t length = 0;
    bool data = true;
    uint64_t skip = 0;  // bytes at its start the sink already has (a resume inside it)
};

// Thrown by a worker whose server answered 200 to a Range request.
struct RangeIgnored {};

std::string range_text(uint64_t offset, uint64_t length) {
    return "bytes " + std::to_string(offset) + "-" + std::to_string(offset + length - 1);
}

std::vector<Piece> pieces_from(const std::vector<Extent>& extents, uint64_t start, uint64_t range_size) {
    std::vector<Piece> pieces;
    for (const auto& e : extents) {
        const uint64_t end = e.offset + e.length;
        if (end <= start) continue;
        if (!e.data) {
            const uint64_t at = std::max(e.offset, start);
            pieces.push_back({at, end - at, false, 0});
            continue;
        }
        // Ranges stay on the extent's grid even when resuming inside one, so a
        // source's per-block checksum still covers exactly what is fetched.
        uint64_t at = e.offset + (std::max(e.offset, start) - e.offset) / range_size * range_size;
        for (; at < end; at += range_size)
            pieces.push_back({at, std::min(range_size, end - at), true, start > at ? start - at : 0});
    }
    return pieces;
}

// Everything the workers and the delivering thread share.
struct Shared {
    std::mutex mutex;
    std::condition_variable wake_workers;
    std::condition_variable wake_deliverer;
    size_t next_claim = 0;   // pieces before this are claimed or holes
    size_t outstanding = 0;  // data pieces claimed and not yet written to the sink
    std::map<size_t, std::string> ready;
    std::exception_ptr error;
    bool range_ignored = false;
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> bytes_fetched{0};
    std::atomic<int> integrity_failures{0};
};

// Writes a whole-object stream into the sink, turning the zeros that fall in
// holes into write_zeros (a server that ignores Range still yields a sparse file).
class HoleAwareWriter {
public:
    HoleAwareWriter(const std::vector<Extent>& extents, Sink& sink) : extents_(extents), sink_(sink) {}

    void restart() {
        position_ = 0;
        extent_ = 0;
        pending_zeros_ = 0;
    }

    void write(const char* data, size_t size) {
        while (size > 0) {
            while (extent_ < extents_.size() &&
                   extents_[extent_].offset + extents_[extent_].length <= position_)
                ++extent_;
            const bool hole = extent_ < extents_.size() && !extents_[extent_].data;
            const uint64_t extent_end =
                extent_ < extents_.size() ? extents_[extent_].offset + extents_[extent_].length : UINT64_MAX;
            const size_t n = static_cast<size_t>(std::min<uint64_t>(size, extent_end - position_));
            if (hole && all_zero(data, n)) {
                pending_zeros_ += n;
            } else {
                flush();
                sink_.write(data, n);
            }
            data += n;
            size -= n;
            position_ += n;
        }
    }

    void flush() {
        if (pending_zeros_ == 0) return;
        sink_.write_zeros(pending_zeros_);
        zero_bytes_ += pending_zeros_;
        pending_zeros_ = 0;
    }

    uint64_t zero_bytes() const { return zero_bytes_; }

private:
    static bool all_zero(const char* data, size_t size) {
        static const char zeros[4096] = {};
        for (size_t at = 0; at < size; at += sizeof zeros)
            if (std::memcmp(data + at, zeros, std::min(sizeof zeros, size - at)) != 0) return false;
        return true;
    }

    const std::vector<Extent>& extents_;
    Sink& sink_;
    uint64_t position_ = 0;
    size_t extent_ = 0;
    uint64_t pending_zeros_ = 0;
    uint64_t zero_bytes_ = 0;
};

class Download {
public:
    Download(Client& client, const RangeRequestFactory& requests, const std::vector<Extent>& extents,
             Sink& sink, const RangedDownloadOptions& options)
        : client_(client), requests_(requests), extents_(extents), sink_(sink), options_(options) {}

    RangedDownloadResult run() {
        total_ = check_extents(extents_);
        if (options_.workers < 1 || options_.workers > 256)
            throw Error(ErrorKind::config,
                        "ranged download: workers must be 1-256, not " + std::to_string(options_.workers));
        if (options_.range_size == 0)
            throw Error(ErrorKind::config, "ranged download: range_size must be > 0");
        window_ = static_cast<size_t>(options_.window > 0 ? options_.window : options_.workers);
        const uint64_t start = sink_.offset();
        result_.resumed_from = start;
        if (start > total_)
            throw Error(ErrorKind::protocol,
                        "the partial file holds " + std::to_string(start) + " bytes, more than the " +
                            std::to_string(total_) +
                            " bytes of the source: it is not from this source; remove it");
        position_ = start;
        pieces_ = pieces_from(extents_, start, options_.range_size);
        report(true);
        deliver_in_parallel();  // the workers are joined when it returns or throws
        if (shared_.error) std::rethrow_exception(shared_.error);
        if (shared_.range_ignored) {
            client_.log(LogLevel::debug,
                        "the server ignores Range requests: downloading the whole object in order");
            deliver_in_order();
        }
        result_.size = position_;
        result_.bytes_fetched += shared_.bytes_fetched.load();
        result_.integrity_failures = shared_.integrity_failures.load();
        report(true);
        return result_;
    }

private:
    bool cancelled() const { return options_.is_cancelled && options_.is_cancelled(); }

    void report(bool force) {
        const auto now = std::chrono::steady_clock::now();
        if (!options_.progress || (!force && now - last_report_ < std::chrono::milliseconds(100))) return;
        last_report_ = now;
        options_.progress(position_, total_);
    }

    void deliver_in_parallel() {
        const size_t data_pieces = static_cast<size_t>(
            std::count_if(pieces_.begin(), pieces_.end(), [](const Piece& p) { return p.data; }));
        const size_t workers = std::min<size_t>(data_pieces, static_cast<size_t>(options_.workers));
        std::vector<std::thread> threads;
        threads.reserve(workers);
        struct Joiner {
            Shared& shared;
            std::vector<std::thread>& threads;
            ~Joiner() {
                {
                    std::lock_guard lock(shared.mutex);
                    shared.stop = true;
                }
                shared.wake_workers.notify_all();
                for (auto& t : threads) t.join();
            }
        } joiner{shared_, threads};
        for (size_t w = 0; w < workers; ++w) threads.emplace_back([this] { work(); });

        for (size_t index = 0; index < pieces_.size(); ++index) {
            const Piece& piece = pieces_[index];
            if (!piece.data) {
                if (cancelled()) throw Error(ErrorKind::cancelled, "download cancelled");
                sink_.write_zeros(piece.length);
                result_.zero_bytes += piece.length;
                position_ += piece.length;
                report(false);
                continue;
            }
            std::string body;
            {
                std::unique_lock lock(shared_.mutex);
                while (!shared_.ready.count(index)) {
                    if (shared_.error || shared_.range_ignored) return;
                    shared_.wake_deliverer.wait_for(lock, options_.poll_interval);
                    if (shared_.ready.count(index)) break;
                    lock.unlock();
                    if (cancelled()) throw Error(ErrorKind::cancelled, "download cancelled");
                    report(false);
                    lock.lock();
                }
                body = std::move(shared_.ready[index]);
                shared_.ready.erase(index);
            }
            sink_.write(body.data() + piece.skip, body.size() - piece.skip);
            position_ += body.size() - piece.skip;
            ++result_.ranges;
            {
                std::lock_guard lock(shared_.mutex);
                --shared_.outstanding;
            }
            shared_.wake_workers.notify_one();
            report(false);
            if (cancelled()) throw Error(ErrorKind::cancelled, "download cancelled");
        }
    }

    void work() {
        for (;;) {
            size_t index = 0;
            {
                std::unique_lock lock(shared_.mutex);
                for (;;) {
                    if (shared_.stop) return;
                    while (shared_.next_claim < pieces_.size() && !pieces_[shared_.next_claim].data)
                        ++shared_.next_claim;
                    if (shared_.next_claim >= pieces_.size()) return;
                    if (shared_.outstanding < window_) break;
                    shared_.wake_workers.wait(lock);
                }
                index = shared_.next_claim++;
                ++shared_.outstanding;
            }
            try {
                std::string body = fetch(pieces_[index]);
                std::lock_guard lock(shared_.mutex);
                shared_.ready[index] = std::move(body);
            } catch (const RangeIgnored&) {
                std::lock_guard lock(shared_.mutex);
                shared_.range_ignored = true;
                shared_.stop = true;
            } catch (...) {
                std::lock_guard lock(shared_.mutex);
                // The first failure is the cause; the others only saw `stop`.
                if (!shared_.error && !shared_.range_ignored) shared_.error = std::current_exception();
                shared_.stop = true;
            }
            shared_.wake_deliverer.notify_one();
            shared_.wake_workers.notify_all();
        }
    }

    std::string fetch(const Piece& piece) {
        RetryBudget short_answers(client_.options().retry, client_.clock(), client_.options().random);
        for (int attempt = 1;; ++attempt) {
            const RangeSpec spec{piece.offset, piece.length, attempt};
            std::string body;
            body.reserve(piece.length);
            Headers answer_headers;
            std::string described;
            for (;;) {  // until the whole range is in
                Request request = requests_(spec);
                const bool ranged = find_header(request.headers, "range").has_value();
                // A checksum covers the whole range: with one, a range is
                // fetched again whole rather than continued.
                const bool continue_inside = ranged && !options_.check;
                if (!continue_inside) body.clear();
                if (continue_inside && !body.empty())
                    set_header(request.headers, "Range",
                               range_header(piece.offset + body.size(), piece.length - body.size()));
                request.description =
                    request.method + " " + request.url + " (" + range_text(piece.offset, piece.length) + ")";
                described = describe(request);
                request.is_cancelled = [this] { return shared_.stop.load() || cancelled(); };
                request.on_response = [&](const Response& head) {
                    answer_headers = head.headers;
                    if (head.status == 206) {
                        const auto value = head.header("content-range");
                        const auto range = value ? parse_content_range(*value) : std::nullopt;
                        if (!range || range->unsatisfied || range->first != piece.offset + body.size() ||
                            range->last != piece.offset + piece.length - 1)
                            throw Error(
                                ErrorKind::protocol,
                                describe(request) + ": asked for " +
                                    range_text(piece.offset + body.size(), piece.length - body.size()) +
                                    ", the server answered " +
                                    (value ? "Content-Range: " + *value : "without Content-Range"));
                        if (options_.check_total && range->total && *range->total != total_)
                            throw Error(ErrorKind::protocol, describe(request) + ": the object has " +
                                                                 std::to_string(*range->total) +
                                                                 " bytes now, not " + std::to_string(total_) +
                                                                 "; it changed during the download");
                    } else if (head.status == 200) {
                        body.clear();
                        // A 200 is the whole of what was asked only without
                        // Range, or when the range is the whole object.
                        if (ranged && !(piece.offset == 0 && piece.length == total_)) throw RangeIgnored{};
                    } else if (head.ok()) {
                        throw Error(ErrorKind::protocol,
                                    describe(request) + ": unexpected HTTP " + std::to_string(head.status));
                    }
                };
                request.on_data = [&](const char* data, size_t size) {
                    if (body.size() + size > piece.length)
                        throw Error(ErrorKind::protocol,
                                    describe(request) + ": the server sent more than the " +
                                        std::to_string(piece.length) + " bytes asked for");
                    body.append(data, size);
                    shared_.bytes_fetched += size;
                };
                request.resume = [&](Request& next) {
                    if (continue_inside)
                        set_header(next.headers, "Range",
                                   range_header(piece.offset + body.size(), piece.length - body.size()));
                    else
                        body.clear();
                    return true;
                };
                const size_t before = body.size();
                const Response response = client_.send(request);
                Client::check_status(request, response);
                if (body.size() == piece.length) break;
                // The answer ended early although the connection closed cleanly.
                const auto d = short_answers.next(nullptr, body.size() > before);
                const std::string what = describe(request) + ": the answer ended after " +
                                         std::to_string(body.size()) + " of " + std::to_string(piece.length) +
                                         " bytes";
                if (!d.retry) throw Error(ErrorKind::transport, what + " (" + d.why_not + ")");
                client_.log(LogLevel::debug, what + "; asking again");
                if (!client_.clock().sleep_for(d.delay,
                                               [this] { return shared_.stop.load() || cancelled(); }))
                    throw Error(ErrorKind::cancelled, "download cancelled");
            }
            if (!options_.check) return body;
            const auto rejected = options_.check(RangeData{piece.offset, piece.length, answer_headers, body});
            if (!rejected) return body;
            ++shared_.integrity_failures;
            const std::string& what = described;
            if (attempt >= options_.max_integrity_attempts)
                throw Error(ErrorKind::integrity, what + " failed its integrity check " +
                                                      std::to_string(attempt) + " time" +
                                                      (attempt == 1 ? "" : "s") + ": " + *rejected);
            client_.log(LogLevel::debug, what + " failed its integrity check (" + *rejected +
                                             "); fetching it again (" + std::to_string(attempt + 1) + " of " +
                                             std::to_string(options_.max_integrity_attempts) + ")");
        }
    }

    // The server ignores Range: start the sink over and stream the whole
    // object in order (holes still become write_zeros where the bytes are zero).
    void deliver_in_order() {
        sink_.rewind();
        result_.restarted = true;
        position_ = 0;
        HoleAwareWriter writer(extents_, sink_);
        Request request = requests_(RangeSpec{0, total_, 1});
        remove_header(request.headers, "range");
        StreamCallbacks callbacks;
        callbacks.on_data = [&](const char* data, size_t size) {
            writer.write(data, size);
            position_ += size;
            result_.bytes_fetched += size;
            report(false);
        };
        callbacks.on_restart = [&] {
            sink_.rewind();
            writer.restart();
            position_ = 0;
        };
        callbacks.is_cancelled = [this] { return cancelled(); };
        const StreamResult r = stream_download(client_, request, 0, callbacks);
        writer.flush();
        result_.zero_bytes = writer.zero_bytes();
        if (r.start_offset + r.bytes != total_)
            throw Error(ErrorKind::transport, describe(request) + ": the whole object has " +
                                                  std::to_string(r.start_offset + r.bytes) +
                                                  " bytes, expected " + std::to_string(total_));
    }

    Client& client_;
    const RangeRequestFactory& requests_;
    const std::vector<Extent>& extents_;
    Sink& sink_;
    const RangedDownloadOptions& options_;
    uint64_t total_ = 0;
    size_t window_ = 1;
    uint64_t position_ = 0;
    std::vector<Piece> pieces_;
    Shared shared_;
    RangedDownloadResult result_;
    std::chrono::steady_clock::time_point last_report_{};
};

}  // namespace

RangeRequestFactory range_request_factory(std::string url, Headers headers) {
    return [url = std::move(url), headers = std::move(headers)](const RangeSpec& spec) {
        Request request;
        request.url = url;
        request.headers = headers;
        set_header(request.headers, "Range", range_header(spec.offset, spec.length));
        return request;
    };
}

RangedDownloadResult ranged_download(Client& client, const RangeRequestFactory& requests,
                                     const std::vector<Extent>& extents, Sink& sink,
                                     const RangedDownloadOptions& options) {
    Download download(client, requests, extents, sink, options);
    return download.run();
}

}  // namespace hypersdk::http
