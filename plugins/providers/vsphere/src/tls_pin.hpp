// Certificate handling on a libcurl (OpenSSL) handle that curl itself cannot
// do: remember the server certificate's SHA-1/SHA-256 thumbprints (so an
// "untrusted certificate" error can show the thumbprint to pin), and, with a
// pin, accept exactly the pinned certificate whatever its chain or name, the
// way vSphere clients trust a host by thumbprint.
#pragma once

#include <curl/curl.h>

#include <string>

namespace hypersdk::vsphere {

class TlsPin {
public:
    // pin: raw digest bytes (20: SHA-1, 32: SHA-256), or empty for no pin.
    explicit TlsPin(std::string pin = {}) : pin_(std::move(pin)) {}

    // Installs the SSL_CTX hook on `curl`; `this` must outlive the transfer.
    // With a pin, also turns curl's own chain and host name checks off (the
    // pin replaces them). Throws Error(tls) when libcurl is not built on OpenSSL.
    void install(CURL* curl);

    bool pinned() const { return !pin_.empty(); }
    bool mismatch() const { return mismatch_; }
    // "AA:BB:..." of the last server certificate seen, empty before a handshake.
    const std::string& seen_sha1() const { return sha1_; }
    const std::string& seen_sha256() const { return sha256_; }

    // Called from the OpenSSL verify callback.
    int verify(int preverify_ok, void* x509_store_ctx);

private:
    std::string pin_;
    bool mismatch_ = false;
    std::string sha1_, sha256_;
};

}  // namespace hypersdk::vsphere
