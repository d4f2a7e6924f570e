#include "hypersdk/http/client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <exception>
#include <mutex>
#include <vector>

#include "hypersdk/http/redact.hpp"

namespace hypersdk::http {
namespace {

constexpr size_t kMaxErrorBody = 64u << 10;
constexpr size_t kMaxIdleHandles = 16;
constexpr long kReceiveBuffer = 256L << 10;

void global_init() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool idempotent(std::string_view method) {
    for (const char* m : {"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"})
        if (method == m) return true;
    return false;
}

std::string milliseconds_text(std::chrono::milliseconds d) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.1f s", static_cast<double>(d.count()) / 1000.0);
    return buffer;
}

// The URL without query or fragment: enough to say where, never a signature.
std::string scheme_of(const std::string& url) {
    const auto colon = url.find("://");
    std::string scheme = colon == std::string::npos ? std::string() : url.substr(0, colon);
    for (auto& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return scheme;
}

}  // namespace

// One easy handle of the pool and the certificate hook bound to it.
struct PooledHandle {
    CURL* curl = nullptr;
    std::unique_ptr<TlsPin> pin;
};

class Client::Pool {
public:
    explicit Pool() {
        share_ = curl_share_init();
        if (share_ == nullptr) throw Error(ErrorKind::config, "libcurl could not create a share handle");
        curl_share_setopt(share_, CURLSHOPT_LOCKFUNC, lock);
        curl_share_setopt(share_, CURLSHOPT_UNLOCKFUNC, unlock);
        curl_share_setopt(share_, CURLSHOPT_USERDATA, this);
        curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
        // TLS sessions are not shared between handles: with libcurl 7.88 and
        // OpenSSL 3.0, two workers resuming one shared SSL_SESSION race inside
        // OpenSSL (ThreadSanitizer: OPENSSL_sk_dup against OPENSSL_sk_free in
        // RangedDownloadFault/corrupt_always). Each handle keeps its own
        // session, so a worker pays one full handshake, once.
    }
    ~Pool() {
        for (auto& h : idle_) curl_easy_cleanup(h->curl);
        idle_.clear();
        curl_share_cleanup(share_);
    }
    Pool(const Pool&) = delete;
    Pool& operator=(const Pool&) = delete;

    std::unique_ptr<PooledHandle> take(const std::string& pin) {
        {
            std::lock_guard guard(mutex_);
            if (!idle_.empty()) {
                auto h = std::move(idle_.back());
                idle_.pop_back();
                return h;
            }
        }
        auto h = std::make_unique<PooledHandle>();
        h->curl = curl_easy_init();
        if (h->curl == nullptr) throw Error(ErrorKind::config, "libcurl could not create a handle");
        h->pin = std::make_unique<TlsPin>(pin);
        return h;
    }

    void give(std::unique_ptr<PooledHandle> h) {
        std::lock_guard guard(mutex_);
        if (idle_.size() < kMaxIdleHandles) {
            idle_.push_back(std::move(h));
            return;
        }
        curl_easy_cleanup(h->curl);
    }

    CURLSH* share() const { return share_; }

private:
    static void lock(CURL*, curl_lock_data data, curl_lock_access, void* self) {
        static_cast<Pool*>(self)->locks_[static_cast<size_t>(data) % kLocks].lock();
    }
    static void unlock(CURL*, curl_lock_data data, void* self) {
        static_cast<Pool*>(self)->locks_[static_cast<size_t>(data) % kLocks].unlock();
    }

    static constexpr size_t kLocks = CURL_LOCK_DATA_LAST;
    CURLSH* share_ = nullptr;
    std::array<std::mutex, kLocks> locks_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<PooledHandle>> idle_;
};

// The outcome of one attempt: an answer (any status) or a transport error.
struct Client::Attempted {
    Response response;
    std::optional<Error> error;
    int curl_code = 0;
    bool certificate_rejected = false;
    bool request_sent = true;  // some of the request may have reached the server
    uint64_t delivered = 0;    // body bytes passed to on_data
    uint64_t body_sent = 0;    // request body bytes read from the source
};

namespace {

// Per-attempt state shared with the libcurl callbacks.
struct Transfer {
    Transfer(Request& r, Response& resp) : request(r), response(resp) {}

    Request& request;
    Response& response;
    std::exception_ptr error;
    bool head_done = false;
    bool body_too_large = false;
    uint64_t delivered = 0;
    uint64_t body_read = 0;
    size_t memory_offset = 0;  // of request.body, for retries through the read callback

    size_t header(std::string_view line) {
        try {
            if (istarts_with(line, "HTTP/")) {  // a new answer (after 100 Continue)
                response.headers.clear();
                response.status = 0;
                head_done = false;
                const auto space = line.find(' ');
                if (space != std::string_view::npos && line.size() >= space + 4) {
                    long status = 0;
                    for (size_t i = space + 1; i < space + 4; ++i) {
                        if (!std::isdigit(static_cast<unsigned char>(line[i]))) {
                            status = 0;
                            break;
                        }
                        status = status * 10 + (line[i] - '0');
                    }
                    response.status = status;
                }
                response.http_version =
                    std::string(line.substr(5, space == std::string_view::npos ? 0 : space - 5));
            } else if (trim(line).empty()) {
                if (response.status >= 200 && !head_done) {
                    head_done = true;
                    if (request.on_response) request.on_response(response);
                }
            } else if (const auto colon = line.find(':'); colon != std::string_view::npos) {
                response.headers.push_back(
                    {std::string(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1)))});
            }
            return line.size();
        } catch (...) {
            error = std::current_exception();
            return 0;
        }
    }

    size_t write(const char* data, size_t size) {
        try {
            if (response.ok() && request.on_data) {
                request.on_data(data, size);
                delivered += size;
            } else if (response.ok()) {
                if (response.body.size() + size > request.max_body) {
                    body_too_large = true;
                    return 0;
                }
                response.body.append(data, size);
            } else if (response.body.size() < kMaxErrorBody) {
                response.body.append(data, std::min(size, kMaxErrorBody - response.body.size()));
            }
            response.body_bytes += size;
            return size;
        } catch (...) {
            error = std::current_exception();
            return 0;
        }
    }

    size_t read(char* buffer, size_t capacity) {
        try {
            size_t n = 0;
            if (request.body_source) {
                n = request.body_source->read(buffer, capacity);
            } else {
                n = std::min(capacity, request.body.size() - memory_offset);
                std::copy_n(request.body.data() + memory_offset, n, buffer);
                memory_offset += n;
            }
            body_read += n;
            return n;
        } catch (...) {
            error = std::current_exception();
            return CURL_READFUNC_ABORT;
        }
    }

    int progress() {
        try {
            return request.is_cancelled && request.is_cancelled() ? 1 : 0;
        } catch (...) {
            error = std::current_exception();
            return 1;
        }
    }
};

size_t on_header(char* data, size_t size, size_t count, void* state) {
    return static_cast<Transfer*>(state)->header(std::string_view(data, size * count));
}
size_t on_write(char* data, size_t size, size_t count, void* state) {
    return static_cast<Transfer*>(state)->write(data, size * count);
}
size_t on_read(char* buffer, size_t size, size_t count, void* state) {
    return static_cast<Transfer*>(state)->read(buffer, size * count);
}
int on_progress(void* state, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    return static_cast<Transfer*>(state)->progress();
}

// --log-level trace: what libcurl says and the headers both ways, redacted.
int on_debug(CURL*, curl_infotype type, char* data, size_t size, void* client) {
    const char* mark = type == CURLINFO_TEXT         ? "* "
                       : type == CURLINFO_HEADER_IN  ? "< "
                       : type == CURLINFO_HEADER_OUT ? "> "
                                                     : nullptr;
    if (mark == nullptr) return 0;  // never body bytes
    // libcurl's line per TLS record ("TLSv1.3 (IN), TLS header, ...") would
    // cost a log call per 16 KiB of a disk and tell nobody anything.
    if (type == CURLINFO_TEXT && size >= 4 &&
        (std::memcmp(data, "TLSv", 4) == 0 || std::memcmp(data, "SSLv", 4) == 0))
        return 0;
    std::string_view text(data, size);
    while (!text.empty()) {
        const auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (!line.empty())
            static_cast<const Client*>(client)->log(LogLevel::trace, std::string(mark) + std::string(line));
        if (nl == std::string_view::npos) break;
        text.remove_prefix(nl + 1);
    }
    return 0;
}

}  // namespace

std::string describe(const Request& request) {
    if (!request.description.empty()) return redact(request.description);
    return request.method + " " + redact(request.url);
}

Client::Client(ClientOptions options) : options_(std::move(options)) {
    global_init();
    if (!options_.tls.thumbprint.empty()) pin_ = parse_thumbprint(options_.tls.thumbprint);
    if (!options_.clock) options_.clock = system_clock();
    if (!options_.random) options_.random = default_random();
    if (!options_.classifier) options_.classifier = default_classifier;
    pool_ = std::make_unique<Pool>();
}

Client::~Client() = default;

void Client::log(LogLevel level, const std::string& message) const {
    if (options_.log && static_cast<int>(level) >= static_cast<int>(options_.log_level))
        options_.log(level, redact(message));
}

Client::Attempted Client::attempt(Request& request) {
    Attempted result;
    auto handle = pool_->take(pin_);
    CURL* curl = handle->curl;
    TlsPin& pin = *handle->pin;
    curl_easy_reset(curl);  // keeps the connection, drops the last request's options
    pin.reset_observation();
    char error_buffer[CURL_ERROR_SIZE] = {};
    Transfer transfer(request, result.response);

    curl_easy_setopt(curl, CURLOPT_SHARE, pool_->share());
    curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, options_.allow_http ? "http,https" : "https");
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, static_cast<long>(options_.connect_timeout.count()));
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, options_.stall_bytes_per_second);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options_.stall_timeout.count()));
    if (request.timeout.count() > 0)
        curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
    curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, options_.user_agent.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTP_VERSION,
                     options_.http2 ? static_cast<long>(CURL_HTTP_VERSION_2TLS)
                                    : static_cast<long>(CURL_HTTP_VERSION_1_1));
    curl_easy_setopt(curl, CURLOPT_BUFFERSIZE, kReceiveBuffer);
    curl_easy_setopt(curl, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
    if (request.accept_compressed) curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");

    // TLS: verification on unless insecure; a pin replaces it (and holds even with insecure).
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, options_.tls.insecure ? 0L : 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, options_.tls.insecure ? 0L : 2L);
    if (!options_.tls.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options_.tls.ca_file.c_str());
    if (!options_.tls.insecure || pin.pinned()) pin.install(curl);

    // Method and body.
    const bool has_body = request.body_source.has_value() || !request.body.empty();
    const uint64_t body_size = request.body_source ? request.body_source->size : request.body.size();
    if (request.method == "GET" && !has_body) {
        curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    } else if (request.method == "HEAD") {
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else if (has_body || request.method == "POST" || request.method == "PUT" || request.method == "PATCH") {
        curl_easy_setopt(curl, CURLOPT_POST, 1L);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body_size));
        curl_easy_setopt(curl, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(curl, CURLOPT_READDATA, &transfer);
        if (request.method != "POST") curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    } else {
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }

    curl_slist* headers = nullptr;
    for (const auto& h : request.headers) {
        const std::string line = h.value.empty() ? h.name + ";" : h.name + ": " + h.value;
        headers = curl_slist_append(headers, line.c_str());
    }
    // libcurl's defaults that nobody asked for: a form Content-Type on POST,
    // and a 100-continue round trip before bodies.
    if (!find_header(request.headers, "content-type")) headers = curl_slist_append(headers, "Content-Type:");
    if (!find_header(request.headers, "expect")) headers = curl_slist_append(headers, "Expect:");
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_guard(headers, curl_slist_free_all);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);

    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &transfer);
    if (options_.log && options_.log_level == LogLevel::trace) {
        curl_easy_setopt(curl, CURLOPT_VERBOSE, 1L);
        curl_easy_setopt(curl, CURLOPT_DEBUGFUNCTION, on_debug);
        curl_easy_setopt(curl, CURLOPT_DEBUGDATA, this);
    }

    const CURLcode rc = curl_easy_perform(curl);
    result.delivered = transfer.delivered;
    result.body_sent = transfer.body_read;
    result.curl_code = rc;
    long request_size = 0;
    curl_easy_getinfo(curl, CURLINFO_REQUEST_SIZE, &request_size);
    result.request_sent = request_size > 0;
    const TlsDetails tls = pin.details();
    const std::string detail = error_buffer[0] ? error_buffer : curl_easy_strerror(rc);
    // The handle goes back to the pool (with its live connection) whatever happened.
    curl_easy_setopt(curl, CURLOPT_SHARE, nullptr);
    pool_->give(std::move(handle));

    if (transfer.error) std::rethrow_exception(transfer.error);
    const std::string what = describe(request);
    if (rc == CURLE_OK) {
        if (!transfer.head_done && result.response.status >= 200 && request.on_response)
            request.on_response(result.response);
        return result;
    }
    if (transfer.body_too_large) {
        result.error.emplace(
            ErrorKind::protocol,
            what + ": the answer is larger than " + std::to_string(request.max_body) + " bytes; refusing it");
        result.request_sent = true;
        result.curl_code = 0;  // not a transport failure: not retried
        return result;
    }
    switch (rc) {
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_SSL_ISSUER_ERROR:
            result.certificate_rejected = tls.pin_mismatch || rc != CURLE_SSL_CONNECT_ERROR;
            if (tls.pin_mismatch) {
                result.error.emplace(ErrorKind::tls,
                                     "TLS: the certificate of " + what +
                                         " does not match the pinned thumbprint "
                                         "(the server presents SHA-1 " +
                                         tls.seen_sha1 + ", SHA-256 " + tls.seen_sha256 + ")",
                                     0, tls);
            } else if (rc == CURLE_SSL_CONNECT_ERROR) {
                result.error.emplace(ErrorKind::tls, "TLS handshake for " + what + " failed: " + detail, 0,
                                     tls);
            } else {
                result.error.emplace(
                    ErrorKind::tls,
                    "TLS: cannot verify the certificate of " + what + " (" + detail + ")" +
                        (tls.seen_sha1.empty() ? std::string()
                                               : "; the server presents SHA-1 " + tls.seen_sha1),
                    0, tls);
            }
            break;
        case CURLE_SSL_CACERT_BADFILE:
            result.error.emplace(
                ErrorKind::tls,
                "TLS: cannot read the CA file '" + options_.tls.ca_file + "' for " + what + ": " + detail, 0,
                tls);
            break;
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
        case CURLE_COULDNT_CONNECT:
            result.error.emplace(ErrorKind::connect, "cannot connect for " + what + ": " + detail);
            break;
        case CURLE_OPERATION_TIMEDOUT:
            result.error.emplace(ErrorKind::timeout, "timed out: " + what + ": " + detail);
            break;
        case CURLE_ABORTED_BY_CALLBACK:
            result.error.emplace(ErrorKind::cancelled, "cancelled: " + what);
            break;
        case CURLE_URL_MALFORMAT:
        case CURLE_UNSUPPORTED_PROTOCOL:
            result.error.emplace(ErrorKind::config, "cannot use the URL of " + what + ": " + detail);
            break;
        default:
            result.error.emplace(ErrorKind::transport, "connection broken: " + what + ": " + detail);
            break;
    }
    result.error->set_delivered(result.delivered);
    return result;
}

Response Client::send(Request request) {
    if (const std::string scheme = scheme_of(request.url);
        scheme != "https" && !(options_.allow_http && scheme == "http"))
        throw Error(ErrorKind::config,
                    "refusing " + describe(request) + ": only https:// URLs are allowed" +
                        (scheme.empty() ? std::string(" (no scheme given)") : std::string()));
    RetryBudget budget(options_.retry, *options_.clock, options_.random);
    for (;;) {
        Attempted a = attempt(request);
        if (a.error && a.error->kind() == ErrorKind::cancelled) throw *a.error;
        if (!a.error && a.response.ok()) {
            a.response.attempts = budget.attempts();
            return std::move(a.response);
        }
        if (a.error && a.curl_code == 0) throw *a.error;  // our own refusal, not the network's

        Attempt info;
        info.method = request.method;
        info.status = a.error ? 0 : a.response.status;
        if (!a.error) {
            info.headers = &a.response.headers;
            info.body = &a.response.body;
        } else {
            info.error = a.error->kind();
            info.curl_code = a.curl_code;
            info.certificate_rejected = a.certificate_rejected;
        }
        info.request_may_have_reached_server = a.request_sent;
        Verdict verdict = options_.classifier(info);
        const std::string what = describe(request);

        auto give_up = [&](const std::string& why) -> Response {
            if (budget.attempts() > 1 || !why.empty())
                log(LogLevel::debug, "giving up on " + what + " after " + std::to_string(budget.attempts()) +
                                         " attempt" + (budget.attempts() == 1 ? "" : "s") + ": " +
                                         verdict.reason + (why.empty() ? "" : "; " + why));
            if (a.error) {
                if (budget.attempts() > 1)
                    throw Error(a.error->kind(),
                                std::string(a.error->what()) + " (after " +
                                    std::to_string(budget.attempts()) + " attempts)",
                                a.error->http_status(), a.error->tls());
                throw *a.error;
            }
            a.response.attempts = budget.attempts();
            return std::move(a.response);
        };

        if (!verdict.retry) return give_up("");
        const bool safe = request.retry_safe.value_or(idempotent(request.method)) || !a.request_sent;
        if (!safe)
            return give_up("a " + request.method +
                           " request is not repeated unless the caller marks it safe");
        if (a.delivered > 0 && !(request.resume && request.resume(request)))
            return give_up("the answer's body had started and cannot be resumed");
        if (a.body_sent > 0 && request.body_source &&
            !(request.body_source->rewind && request.body_source->rewind()))
            return give_up("the request body cannot be sent again");

        const RetryBudget::Decision d = budget.next(a.error ? nullptr : &a.response.headers, a.delivered > 0);
        if (!d.retry) return give_up(d.why_not);
        log(LogLevel::debug, "retrying " + what + " in " + milliseconds_text(d.delay) + " (attempt " +
                                 std::to_string(budget.attempts()) + " of at most " +
                                 std::to_string(options_.retry.max_attempts) + "): " + verdict.reason +
                                 (a.error ? std::string(" (") + a.error->what() + ")" : std::string()));
        if (!options_.clock->sleep_for(d.delay, request.is_cancelled))
            throw Error(ErrorKind::cancelled, "cancelled: " + what);
    }
}

void Client::check_status(const Request& request, const Response& response) {
    if (response.ok()) return;
    std::string first_line(trim(std::string_view(response.body).substr(0, response.body.find('\n'))));
    if (first_line.size() > 300) first_line = first_line.substr(0, 300) + "...";
    throw Error(
        ErrorKind::status,
        describe(request) + ": HTTP " + std::to_string(response.status) +
            (first_line.empty() ? std::string() : ": " + first_line) +
            (response.attempts > 1 ? " (after " + std::to_string(response.attempts) + " attempts)" : ""),
        response.status);
}

}  // namespace hypersdk::http
