// HTTPS for one vSphere session, on the shared transport
// (plugins/common/http): SOAP POSTs with the session cookie, and streaming
// GETs of NFC device URLs with Range. What is vSphere's stays here: the
// cookie, which host a download trusts (the session's rules, the CA store,
// or the export lease's sslThumbprint), and the messages that name govc's
// settings. TLS verification is on unless Config::insecure. Nothing here
// logs or reports a password, an Authorization header or a cookie value.
#pragma once

#include <hypersdk/http/client.hpp>
#include <hypersdk/http/stream_download.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "config.hpp"

namespace hypersdk::vsphere {

struct HttpResponse {
    long status = 0;
    std::string body;
};

// on_data, on_restart, on_progress, is_cancelled: see http::StreamCallbacks.
using DownloadCallbacks = http::StreamCallbacks;
// status (200, 206, or 416 when already complete), start_offset, bytes,
// total, restarted: see http::StreamResult.
using DownloadResult = http::StreamResult;

// What a GET trusts. Device URLs of an export lease may name another host
// than the session's (an ESXi host behind vCenter); nfc_download.hpp's
// device_target() decides.
struct HostTrust {
    enum class Kind {
        session,     // the session's host: its rules (CA store, ca_file, thumbprint pin, insecure)
        ca,          // another host: CA store and ca_file, never the session's pin; insecure turns it off
        thumbprint,  // another host the export lease vouches for: exactly the certificate `thumbprint` names
    };
    Kind kind = Kind::session;
    std::string host;        // "host[:port]" of another host, for messages
    std::string thumbprint;  // for Kind::thumbprint: "AA:BB:..", SHA-1 (as vSphere sends it) or SHA-256
};

class HttpTransport {
public:
    // `config` must be normalised; its TLS settings and timeouts are copied.
    explicit HttpTransport(const Config& config);
    ~HttpTransport();
    HttpTransport(const HttpTransport&) = delete;
    HttpTransport& operator=(const HttpTransport&) = delete;

    // Where the transport's log lines (retries at debug, header dumps at
    // trace, all redacted) go; set before the first request. Default: nowhere.
    void set_log(http::LogFn log);

    // POST a SOAP envelope to the SDK URL. Returns 200 and 500 (SOAP faults)
    // responses; anything else is an Error. `method` names the call in errors.
    // `timeout` (0: Config::soap_timeout) can only shorten the configured one.
    // Never repeated once it may have reached the server (SOAP calls are not
    // idempotent); a connection that could not be made is tried again.
    HttpResponse post_soap(const std::string& envelope, const std::string& soap_action,
                           std::string_view method, std::chrono::seconds timeout = std::chrono::seconds(0));

    // GET `url` from byte `offset` into callbacks (http::stream_download: a
    // broken connection resumes from the next byte within the retry policy, a
    // server ignoring Range restarts the consumer). Thread-safe. For the
    // session's host only, the session cookie is sent (another host never
    // sees it). A certificate that does not match a Kind::thumbprint pin:
    // Error(tls) naming the host and both thumbprints.
    DownloadResult get(const std::string& url, uint64_t offset, const DownloadCallbacks& callbacks,
                       const HostTrust& trust = {}) const;

    bool has_session_cookie() const;
    void clear_session_cookie();
    const std::string& url() const { return config_.url; }

private:
    http::Client& client_for(const HostTrust& trust) const;
    http::ClientOptions client_options(http::TlsPolicy tls) const;
    void remember_cookie(std::string_view set_cookie_value);
    std::string cookie() const;

    Config config_;  // password cleared: SOAP Login carries it
    std::shared_ptr<http::LogFn> log_;
    std::unique_ptr<http::Client> session_client_;  // the session's host: SOAP and its NFC URLs
    mutable std::mutex clients_mutex_;
    mutable std::map<std::string, std::unique_ptr<http::Client>> other_hosts_;  // by trust
    mutable std::mutex cookie_mutex_;
    std::string cookie_;  // "vmware_soap_session=..." as the server set it
};

}  // namespace hypersdk::vsphere
