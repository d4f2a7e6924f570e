// HTTPS on libcurl for one vSphere session: SOAP POSTs on a kept-alive
// connection with the session cookie, and streaming GETs (NFC device URLs)
// with Range. TLS verification is on unless Config::insecure; a thumbprint
// pin and a CA file are honoured. Nothing here logs or reports a password,
// an Authorization header or a cookie value.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "config.hpp"
#include "tls_pin.hpp"

namespace hypersdk::vsphere {

struct HttpResponse {
    long status = 0;
    std::string body;
};

struct DownloadCallbacks {
    // Bytes in order, starting at the returned start offset. Throw to abort.
    std::function<void(const char* data, size_t size)> on_data;
    // The server ignored the Range header and sends the whole file: whatever
    // the caller kept before `offset` must be discarded (e.g. sink_rewind);
    // on_data continues from byte 0. Throw to refuse.
    std::function<void()> on_restart;
    // Absolute position and total size (0: unknown), called as bytes arrive.
    std::function<void(uint64_t position, uint64_t total)> on_progress;
    // Polled at least once a second; true stops the transfer (Error cancelled).
    std::function<bool()> is_cancelled;
};

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

struct DownloadResult {
    long status = 0;            // 200, 206, or 416 when already complete
    uint64_t start_offset = 0;  // where the delivered bytes began (0 after a restart)
    uint64_t bytes = 0;         // bytes delivered to on_data
    uint64_t total = 0;         // full size when the server said (0: unknown)
    bool restarted = false;     // asked for an offset > 0, got 200: on_restart was called
};

class HttpTransport {
public:
    // `config` must be normalised; its TLS settings and timeouts are copied.
    explicit HttpTransport(const Config& config);
    ~HttpTransport();
    HttpTransport(const HttpTransport&) = delete;
    HttpTransport& operator=(const HttpTransport&) = delete;

    // POST a SOAP envelope to the SDK URL. Returns 200 and 500 (SOAP faults)
    // responses; anything else is an Error. `method` names the call in errors.
    // `timeout` (0: Config::soap_timeout) can only shorten the configured one.
    HttpResponse post_soap(const std::string& envelope, const std::string& soap_action,
                           std::string_view method, std::chrono::seconds timeout = std::chrono::seconds(0));

    // GET `url` from byte `offset` into callbacks. Thread-safe: each call uses
    // its own connection and, for the session's host only, a copy of the
    // session cookie (another host never sees it). A certificate that does not
    // match a Kind::thumbprint pin: Error(tls) naming the host and both thumbprints.
    DownloadResult get(const std::string& url, uint64_t offset, const DownloadCallbacks& callbacks,
                       const HostTrust& trust = {}) const;

    bool has_session_cookie() const;
    void clear_session_cookie();
    const std::string& url() const { return config_.url; }

private:
    friend struct TransferState;
    void setup(CURL* curl, const std::string& url, TlsPin& pin, char* error_buffer,
               bool with_cookie = true) const;
    void remember_cookie(std::string_view set_cookie_value);
    std::string cookie() const;

    Config config_;  // password unused here: SOAP Login carries it
    std::string pin_;
    CURL* soap_ = nullptr;
    TlsPin soap_pin_;  // outlives the kept-alive SOAP connection its hook is bound to
    mutable std::mutex cookie_mutex_;
    std::string cookie_;  // "vmware_soap_session=..." as the server set it
};

}  // namespace hypersdk::vsphere
