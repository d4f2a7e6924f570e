#include "http_transport.hpp"

#include <hypersdk/http/headers.hpp>

#include <algorithm>

#include "errors.hpp"

namespace hypersdk::vsphere {
namespace {

constexpr size_t kMaxSoapResponse = 512u << 20;  // refuse absurd responses instead of exhausting memory

// The shared transport's error as the vSphere client's, with the messages
// that name govc's settings and, for other hosts, the export lease's trust.
[[noreturn]] void rethrow_as_vsphere(const http::Error& e, const std::string& url, const Config& config,
                                     const HostTrust& trust = {}) {
    const http::TlsDetails& tls = e.tls();
    switch (e.kind()) {
        case http::ErrorKind::tls:
            if (trust.kind == HostTrust::Kind::thumbprint && tls.pin_mismatch)
                throw Error(ErrorKind::tls,
                            "TLS: the certificate of host " + trust.host + " (" + url +
                                ") does not match the sslThumbprint " + trust.thumbprint +
                                " that the export lease gives for it (the host presents SHA-1 " +
                                tls.seen_sha1 +
                                "); refusing to download: the host's certificate changed "
                                "since vCenter recorded it, or the connection is intercepted");
            if (trust.kind == HostTrust::Kind::ca && !tls.seen_sha1.empty())
                throw Error(ErrorKind::tls,
                            "TLS: cannot verify the certificate of host " + trust.host + " (" + e.what() +
                                "). It is not the session's host " + config.host() +
                                " and the export lease gives no sslThumbprint for it, so its certificate "
                                "must chain to a trusted CA: add that CA with --ca-file (GOVC_TLS_CA_CERTS), "
                                "or skip verification with --insecure (GOVC_INSECURE=1). It presents SHA-1 " +
                                tls.seen_sha1);
            if (tls.pin_mismatch)
                throw Error(ErrorKind::tls,
                            "TLS: the certificate of " + url +
                                " does not match the pinned thumbprint (the server presents SHA-1 " +
                                tls.seen_sha1 + ", SHA-256 " + tls.seen_sha256 + "); check --thumbprint");
            if (tls.seen_sha1.empty())
                throw Error(ErrorKind::tls, e.what());  // handshake failed, CA file unreadable
            throw Error(ErrorKind::tls,
                        std::string(e.what()) +
                            ". Trust it with --ca-file (GOVC_TLS_CA_CERTS), pin it with --thumbprint " +
                            tls.seen_sha1 + ", or skip verification with --insecure (GOVC_INSECURE=1)");
        case http::ErrorKind::timeout:
            throw Error(ErrorKind::timeout, e.what());
        case http::ErrorKind::cancelled:
            throw Error(ErrorKind::cancelled, "cancelled while transferring " + url);
        case http::ErrorKind::config:
            throw Error(ErrorKind::config, e.what());
        case http::ErrorKind::protocol:
        case http::ErrorKind::integrity:
            throw Error(ErrorKind::protocol, e.what());
        case http::ErrorKind::status: {
            const long status = e.http_status();
            const ErrorKind kind = status == 404                      ? ErrorKind::not_found
                                   : (status == 401 || status == 403) ? ErrorKind::auth
                                                                      : ErrorKind::transport;
            throw Error(kind,
                        std::string(e.what()) +
                            (status == 404 ? " (the lease is gone: completed, aborted or timed out)" : ""));
        }
        case http::ErrorKind::connect:
        case http::ErrorKind::transport:
            break;
    }
    throw Error(ErrorKind::transport, e.what());
}

}  // namespace

HttpTransport::HttpTransport(const Config& config) : config_(config), log_(std::make_shared<http::LogFn>()) {
    config_.password.clear();  // the transport never needs it
    try {
        session_client_ = std::make_unique<http::Client>(
            client_options({config_.insecure, config_.ca_file, config_.thumbprint}));
    } catch (const http::Error& e) {
        rethrow_as_vsphere(e, config_.url, config_);
    }
}

HttpTransport::~HttpTransport() = default;

void HttpTransport::set_log(http::LogFn log) {
    *log_ = std::move(log);
}

http::ClientOptions HttpTransport::client_options(http::TlsPolicy tls) const {
    http::ClientOptions o;
    o.tls = std::move(tls);
    o.connect_timeout = config_.connect_timeout;
    o.stall_timeout = config_.stall_timeout;  // a download receiving nothing this long fails
    o.user_agent = "hypersdk-vsphere/1";
    // A few quick tries: a vCenter that drops a connection is usually back at once.
    o.retry.max_attempts = 4;
    o.retry.base_delay = std::chrono::milliseconds(250);
    o.retry.max_delay = std::chrono::seconds(4);
    o.retry.max_total = std::chrono::seconds(60);
    // A SOAP fault comes as HTTP 500: an answer, not a failure to retry.
    o.classifier = [](const http::Attempt& attempt) {
        if (attempt.status == 500) return http::Verdict{false, "SOAP fault"};
        return http::default_classifier(attempt);
    };
    o.log_level = http::LogLevel::trace;  // the host filters by its own level
    o.log = [log = log_](http::LogLevel level, const std::string& message) {
        if (*log) (*log)(level, message);
    };
    return o;
}

http::Client& HttpTransport::client_for(const HostTrust& trust) const {
    if (trust.kind == HostTrust::Kind::session) return *session_client_;
    // Another host: the CA store and ca_file (never the session's pin), or the
    // lease's thumbprint; insecure turns verification off either way.
    const std::string key = trust.kind == HostTrust::Kind::thumbprint ? "pin:" + trust.thumbprint : "ca";
    std::lock_guard lock(clients_mutex_);
    auto& client = other_hosts_[key];
    if (!client) {
        http::TlsPolicy tls{config_.insecure, config_.ca_file, {}};
        if (trust.kind == HostTrust::Kind::thumbprint) tls.thumbprint = trust.thumbprint;
        client = std::make_unique<http::Client>(client_options(std::move(tls)));
    }
    return *client;
}

void HttpTransport::remember_cookie(std::string_view value) {
    value = http::trim(value);
    if (!http::istarts_with(value, "vmware_soap_session=")) return;
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
    http::Request request;
    request.method = "POST";
    request.url = config_.url;
    request.description = "POST " + std::string(method) + " to " + config_.url;
    request.headers = {{"Content-Type", "text/xml; charset=utf-8"},
                       {"SOAPAction", "\"" + soap_action + "\""}};
    if (const std::string session = cookie(); !session.empty())
        request.headers.push_back({"Cookie", session});
    request.body = envelope;
    request.max_body = kMaxSoapResponse;
    request.accept_compressed = true;
    const auto limit = timeout.count() > 0 ? std::min(timeout, config_.soap_timeout) : config_.soap_timeout;
    request.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(limit);

    http::Response answer;
    try {
        answer = session_client_->send(request);
    } catch (const http::Error& e) {
        rethrow_as_vsphere(e, config_.url, config_);
    }
    for (const auto& h : answer.headers)
        if (http::iequals(h.name, "set-cookie")) remember_cookie(h.value);
    if (answer.status != 200 && answer.status != 500) {
        throw Error(
            answer.status == 401 || answer.status == 403 ? ErrorKind::auth : ErrorKind::transport,
            std::string(method) + ": HTTP " + std::to_string(answer.status) + " from " + config_.url +
                (answer.status == 404 ? " (is this a vSphere SDK endpoint, e.g. https://host/sdk?)" : ""));
    }
    return {answer.status, std::move(answer.body)};
}

DownloadResult HttpTransport::get(const std::string& url, uint64_t offset, const DownloadCallbacks& callbacks,
                                  const HostTrust& trust) const {
    try {
        http::Client& client = client_for(trust);
        http::Request request;
        request.url = url;
        // The session cookie is a credential of the session's host: never sent elsewhere.
        if (trust.kind == HostTrust::Kind::session)
            if (const std::string session = cookie(); !session.empty())
                request.headers.push_back({"Cookie", session});
        return http::stream_download(client, request, offset, callbacks);
    } catch (const http::Error& e) {
        rethrow_as_vsphere(e, url, config_, trust);
    }
}

}  // namespace hypersdk::vsphere
