// TLS as the providers need it: verification on by default (the system CA
// store, or a CA file), a certificate pinned by its SHA-1 or SHA-256
// thumbprint (the way vSphere clients trust a host), or verification turned
// off only by an explicit `insecure`.
#pragma once

#include <curl/curl.h>

#include <string>
#include <string_view>

#include "error.hpp"

namespace hypersdk::http {

struct TlsPolicy {
    bool insecure = false;   // no chain or host-name check (explicit opt-in only); a pin still holds
    std::string ca_file;     // PEM bundle used instead of the system store; empty: the system store
    std::string thumbprint;  // "AA:BB:..", SHA-1 or SHA-256: exactly this certificate, whatever its chain
};

// Parses a thumbprint ("AA:BB:..", any case, ':' and ' ' optional) into raw
// bytes: 20 for SHA-1, 32 for SHA-256. Throws Error(config) otherwise.
std::string parse_thumbprint(std::string_view thumbprint);

// "AA:BB:..." of raw digest bytes.
std::string colon_hex(std::string_view raw);

// The certificate hook of one libcurl (OpenSSL) handle: remembers the server
// certificate's thumbprints (so an "untrusted certificate" error can show
// what to pin) and, with a pin, accepts exactly the pinned certificate.
class TlsPin {
public:
    // pin: raw digest bytes (20: SHA-1, 32: SHA-256), or empty for no pin.
    explicit TlsPin(std::string pin = {}) : pin_(std::move(pin)) {}

    // Installs the SSL_CTX hook on `curl`; `this` must outlive the handle's
    // connections. With a pin, also turns curl's own chain and host-name
    // checks and its TLS session cache off (the pin replaces them; a resumed
    // session would skip it). Throws Error(tls) when libcurl is not on OpenSSL.
    void install(CURL* curl);

    bool pinned() const { return !pin_.empty(); }
    // Forget what the last handshake saw (before a new transfer).
    void reset_observation();
    TlsDetails details() const { return {mismatch_, sha1_, sha256_}; }

    // Called from the OpenSSL verify callback.
    int verify(int preverify_ok, void* x509_store_ctx);

private:
    std::string pin_;
    bool mismatch_ = false;
    std::string sha1_, sha256_;
};

}  // namespace hypersdk::http
