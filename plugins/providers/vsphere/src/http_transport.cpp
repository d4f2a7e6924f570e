#include "http_transport.hpp"

#include <algorithm>
#include <cctype>
#include <exception>
#include <memory>
#include <mutex>

#include "errors.hpp"
#include "tls_pin.hpp"

namespace hypersdk::vsphere {
namespace {

constexpr size_t kMaxSoapResponse = 512u << 20;  // refuse absurd responses instead of exhausting memory
constexpr size_t kMaxErrorBody = 2048;

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() &&
           std::equal(prefix.begin(), prefix.end(), s.begin(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) ==
                      std::tolower(static_cast<unsigned char>(b));
           });
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

void global_init() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

[[noreturn]] void fail(CURLcode rc, const char* detail_buffer, const std::string& url, const TlsPin& pin,
                       const Config& config, const HostTrust& trust = {}) {
    std::string detail = detail_buffer && *detail_buffer ? detail_buffer : curl_easy_strerror(rc);
    switch (rc) {
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_SSL_ISSUER_ERROR:
            if (trust.kind == HostTrust::Kind::thumbprint && pin.mismatch()) {
                throw Error(ErrorKind::tls,
                            "TLS: the certificate of host " + trust.host + " (" + url +
                                ") does not match the sslThumbprint " + trust.thumbprint +
                                " that the export lease gives for it (the host presents SHA-1 " +
                                pin.seen_sha1() +
                                "); refusing to download: the host's certificate changed "
                                "since vCenter recorded it, or the connection is intercepted");
            }
            if (trust.kind == HostTrust::Kind::ca && !pin.seen_sha1().empty()) {
                throw Error(ErrorKind::tls,
                            "TLS: cannot verify the certificate of host " + trust.host + " (" + url + "; " +
                                detail + "). It is not the session's host " + config.host() +
                                " and the export lease gives no sslThumbprint for it, so its certificate "
                                "must chain to a trusted CA: add that CA with --ca-file (GOVC_TLS_CA_CERTS), "
                                "or skip verification with --insecure (GOVC_INSECURE=1). It presents SHA-1 " +
                                pin.seen_sha1());
            }
            if (pin.mismatch()) {
                throw Error(ErrorKind::tls,
                            "TLS: the certificate of " + url +
                                " does not match the pinned thumbprint (the server presents SHA-1 " +
                                pin.seen_sha1() + ", SHA-256 " + pin.seen_sha256() + "); check --thumbprint");
            }
            if (rc == CURLE_SSL_CONNECT_ERROR && pin.seen_sha1().empty()) {
                throw Error(ErrorKind::tls, "TLS handshake with " + url + " failed: " + detail);
            }
            throw Error(ErrorKind::tls,
                        "TLS: cannot verify the certificate of " + url + " (" + detail +
                            "). Trust it with --ca-file (GOVC_TLS_CA_CERTS), pin it with --thumbprint " +
                            (pin.seen_sha1().empty() ? std::string("<SHA-1>") : pin.seen_sha1()) +
                            ", or skip verification with --insecure (GOVC_INSECURE=1)");
        case CURLE_SSL_CACERT_BADFILE:
            throw Error(ErrorKind::tls,
                        "TLS: cannot read the CA file '" + config.ca_file + "' for " + url + ": " + detail);
        case CURLE_OPERATION_TIMEDOUT:
            throw Error(ErrorKind::timeout, "timed out talking to " + url + ": " + detail);
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_CONNECT:
            throw Error(ErrorKind::transport, "cannot connect to " + url + ": " + detail);
        case CURLE_ABORTED_BY_CALLBACK:
            throw Error(ErrorKind::cancelled, "cancelled while transferring " + url);
        default:
            throw Error(ErrorKind::transport, "transfer from " + url + " failed: " + detail);
    }
}

size_t append_body(char* data, size_t size, size_t count, void* out) {
    auto* body = static_cast<std::string*>(out);
    if (body->size() + size * count > kMaxSoapResponse) return 0;
    body->append(data, size * count);
    return size * count;
}

// Parses "bytes A-B/N" or "bytes */N" (total 0 when "*").
bool parse_content_range(std::string_view v, uint64_t& start, uint64_t& total, bool& unsatisfied) {
    if (!starts_with_nocase(v, "bytes ")) return false;
    v.remove_prefix(6);
    auto slash = v.find('/');
    if (slash == std::string_view::npos) return false;
    std::string range(v.substr(0, slash)), size(v.substr(slash + 1));
    try {
        total = size == "*" ? 0 : std::stoull(size);
        unsatisfied = range == "*";
        start = unsatisfied ? 0 : std::stoull(range.substr(0, range.find('-')));
    } catch (const std::exception&) {
        return false;
    }
    return true;
}

}  // namespace

// Per-GET state shared with the libcurl callbacks.
struct TransferState {
    TransferState(const DownloadCallbacks& cb, uint64_t from, CURL* handle)
        : callbacks(cb), offset(from), curl(handle) {}

    const DownloadCallbacks& callbacks;
    uint64_t offset;
    CURL* curl;
    bool started = false;
    bool has_range = false, range_unsatisfied = false;
    uint64_t range_start = 0, range_total = 0;
    int64_t content_length = -1;
    long status = 0;
    DownloadResult result;
    std::string error_body;
    std::exception_ptr error;

    size_t header(std::string_view line) {
        if (starts_with_nocase(line, "HTTP/")) {  // a new response (e.g. after 100 Continue)
            has_range = range_unsatisfied = false;
            content_length = -1;
        } else if (starts_with_nocase(line, "content-range:")) {
            has_range =
                parse_content_range(trim(line.substr(14)), range_start, range_total, range_unsatisfied);
        } else if (starts_with_nocase(line, "content-length:")) {
            try {
                content_length = std::stoll(std::string(trim(line.substr(15))));
            } catch (const std::exception&) {
                content_length = -1;
            }
        }
        return line.size();
    }

    void begin() {
        started = true;
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        result.status = status;
        if (status == 206) {
            if (!has_range || range_start != offset) {
                throw Error(ErrorKind::protocol, "the server answered a request for bytes from " +
                                                     std::to_string(offset) + " with a different range");
            }
            result.start_offset = offset;
            result.total = range_total;
        } else if (status == 200) {
            if (offset > 0) {
                // Range ignored: the body is the whole file. Never append it after
                // the partial data (the Go original did); start over.
                result.restarted = true;
                if (callbacks.on_restart) callbacks.on_restart();
            }
            result.start_offset = 0;
            result.total = content_length >= 0 ? static_cast<uint64_t>(content_length) : 0;
        }
    }

    size_t write(const char* data, size_t size) {
        try {
            if (!started) begin();
            if (status != 200 && status != 206) {
                if (error_body.size() < kMaxErrorBody) error_body.append(data, std::min(size, kMaxErrorBody));
                return size;
            }
            if (callbacks.on_data) callbacks.on_data(data, size);
            result.bytes += size;
            if (callbacks.on_progress)
                callbacks.on_progress(result.start_offset + result.bytes, result.total);
            return size;
        } catch (...) {
            error = std::current_exception();
            return 0;
        }
    }

    int progress() {
        try {
            return callbacks.is_cancelled && callbacks.is_cancelled() ? 1 : 0;
        } catch (...) {
            error = std::current_exception();
            return 1;
        }
    }
};

namespace {

size_t transfer_header(char* data, size_t size, size_t count, void* state) {
    return static_cast<TransferState*>(state)->header(std::string_view(data, size * count));
}
size_t transfer_write(char* data, size_t size, size_t count, void* state) {
    return static_cast<TransferState*>(state)->write(data, size * count);
}
int transfer_progress(void* state, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    return static_cast<TransferState*>(state)->progress();
}

struct CookieCapture {
    HttpTransport* transport;
    std::string set_cookie;
};

}  // namespace

HttpTransport::HttpTransport(const Config& config) : config_(config) {
    global_init();
    config_.password.clear();  // the transport never needs it
    if (!config_.thumbprint.empty()) pin_ = parse_thumbprint(config_.thumbprint);
    soap_pin_ = TlsPin(pin_);
    soap_ = curl_easy_init();
    if (!soap_) throw Error(ErrorKind::transport, "libcurl could not create a handle");
}

HttpTransport::~HttpTransport() {
    curl_easy_cleanup(soap_);
}

void HttpTransport::setup(CURL* curl, const std::string& url, TlsPin& pin, char* error_buffer,
                          bool with_cookie) const {
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, static_cast<long>(config_.connect_timeout.count()));
    curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "hypersdk-vsphere/1");
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, config_.insecure ? 0L : 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, config_.insecure ? 0L : 2L);
    if (!config_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, config_.ca_file.c_str());
    if (!config_.insecure || pin.pinned()) pin.install(curl);  // a pin holds even with insecure
    const std::string session = with_cookie ? cookie() : std::string();
    curl_easy_setopt(curl, CURLOPT_COOKIE, session.empty() ? nullptr : session.c_str());
}

void HttpTransport::remember_cookie(std::string_view value) {
    value = trim(value);
    if (!starts_with_nocase(value, "vmware_soap_session=")) return;
    std::lock_guard lock(cookie_mutex_);
    cookie_ = std::string(value.substr(0, value.find(';')));
}

std::string HttpTransport::cookie() const {
    std::lock_guard lock(cookie_mutex_);
    return cookie_;
}

bool HttpTransport::has_session_cookie() const {
    return !cookie().empty();
}

void HttpTransport::clear_session_cookie() {
    std::lock_guard lock(cookie_mutex_);
    cookie_.clear();
}

HttpResponse HttpTransport::post_soap(const std::string& envelope, const std::string& soap_action,
                                      std::string_view method, std::chrono::seconds timeout) {
    curl_easy_reset(soap_);  // keeps the connection, drops options of the last call
    char error_buffer[CURL_ERROR_SIZE] = {};
    setup(soap_, config_.url, soap_pin_, error_buffer);

    HttpResponse response;
    curl_slist* headers = nullptr;
    headers = curl_slist_append(headers, "Content-Type: text/xml; charset=utf-8");
    headers = curl_slist_append(headers, ("SOAPAction: \"" + soap_action + "\"").c_str());
    headers = curl_slist_append(headers, "Expect:");
    curl_easy_setopt(soap_, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(soap_, CURLOPT_POST, 1L);
    curl_easy_setopt(soap_, CURLOPT_POSTFIELDS, envelope.data());
    curl_easy_setopt(soap_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(envelope.size()));
    const auto limit = timeout.count() > 0 ? std::min(timeout, config_.soap_timeout) : config_.soap_timeout;
    curl_easy_setopt(soap_, CURLOPT_TIMEOUT, static_cast<long>(limit.count()));
    curl_easy_setopt(soap_, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(soap_, CURLOPT_WRITEFUNCTION, append_body);
    curl_easy_setopt(soap_, CURLOPT_WRITEDATA, &response.body);
    CookieCapture capture{this, {}};
    curl_easy_setopt(
        soap_, CURLOPT_HEADERFUNCTION, +[](char* data, size_t size, size_t count, void* out) -> size_t {
            auto* c = static_cast<CookieCapture*>(out);
            std::string_view line(data, size * count);
            if (starts_with_nocase(line, "set-cookie:")) c->transport->remember_cookie(line.substr(11));
            return size * count;
        });
    curl_easy_setopt(soap_, CURLOPT_HEADERDATA, &capture);

    CURLcode rc = curl_easy_perform(soap_);
    curl_slist_free_all(headers);
    if (rc != CURLE_OK) fail(rc, error_buffer, config_.url, soap_pin_, config_);
    curl_easy_getinfo(soap_, CURLINFO_RESPONSE_CODE, &response.status);
    if (response.status != 200 && response.status != 500) {
        throw Error(
            response.status == 401 || response.status == 403 ? ErrorKind::auth : ErrorKind::transport,
            std::string(method) + ": HTTP " + std::to_string(response.status) + " from " + config_.url +
                (response.status == 404 ? " (is this a vSphere SDK endpoint, e.g. https://host/sdk?)" : ""));
    }
    return response;
}

DownloadResult HttpTransport::get(const std::string& url, uint64_t offset, const DownloadCallbacks& callbacks,
                                  const HostTrust& trust) const {
    CURL* curl = curl_easy_init();
    if (!curl) throw Error(ErrorKind::transport, "libcurl could not create a handle");
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> guard(curl, curl_easy_cleanup);
    char error_buffer[CURL_ERROR_SIZE] = {};
    // The session's pin is for the session's host; another host is pinned by
    // the lease's thumbprint or verified against the CA store.
    TlsPin pin(trust.kind == HostTrust::Kind::session      ? pin_
               : trust.kind == HostTrust::Kind::thumbprint ? parse_thumbprint(trust.thumbprint)
                                                           : std::string());
    // The session cookie is a credential of the session's host: never sent elsewhere.
    setup(curl, url, pin, error_buffer, trust.kind == HostTrust::Kind::session);

    TransferState state(callbacks, offset, curl);
    const std::string range = std::to_string(offset) + "-";
    if (offset > 0) curl_easy_setopt(curl, CURLOPT_RANGE, range.c_str());
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, transfer_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &state);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, transfer_write);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &state);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, transfer_progress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &state);
    // No overall timeout for a disk; a stalled transfer fails instead.
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, static_cast<long>(config_.stall_timeout.count()));

    CURLcode rc = curl_easy_perform(curl);
    if (state.error) std::rethrow_exception(state.error);
    if (rc != CURLE_OK) {
        if (rc == CURLE_PARTIAL_FILE || rc == CURLE_RECV_ERROR || rc == CURLE_GOT_NOTHING) {
            throw Error(ErrorKind::transport,
                        "connection to " + url + " broke after " +
                            std::to_string(state.result.start_offset + state.result.bytes) +
                            " bytes: " + error_buffer + "; the download can resume from there");
        }
        fail(rc, error_buffer, url, pin, config_, trust);
    }
    if (!state.started) state.begin();  // empty body
    const long status = state.status;
    if (status == 200 || status == 206) {
        if (state.result.total && state.result.start_offset + state.result.bytes != state.result.total) {
            throw Error(ErrorKind::transport,
                        "transfer from " + url + " ended at byte " +
                            std::to_string(state.result.start_offset + state.result.bytes) + " of " +
                            std::to_string(state.result.total));
        }
        return state.result;
    }
    if (status == 416 && offset > 0 && state.has_range && state.range_unsatisfied &&
        state.range_total == offset) {
        // Everything was already there: nothing to fetch.
        state.result.start_offset = offset;
        state.result.total = offset;
        return state.result;
    }
    ErrorKind kind = status == 404                      ? ErrorKind::not_found
                     : (status == 401 || status == 403) ? ErrorKind::auth
                                                        : ErrorKind::transport;
    throw Error(kind, "GET " + url + ": HTTP " + std::to_string(status) +
                          (status == 404 ? " (the lease is gone: completed, aborted or timed out)" : ""));
}

}  // namespace hypersdk::vsphere
