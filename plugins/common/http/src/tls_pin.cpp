#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <cctype>
#include <cstdio>
#include <cstring>

#include "hypersdk/http/tls.hpp"

namespace hypersdk::http {
namespace {

int pin_index() {
    static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return index;
}

int verify_callback(int preverify_ok, X509_STORE_CTX* store) {
    auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    auto* pin = ssl ? static_cast<TlsPin*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), pin_index())) : nullptr;
    return pin ? pin->verify(preverify_ok, store) : preverify_ok;
}

CURLcode ssl_ctx_hook(CURL*, void* ssl_ctx, void* self) {
    auto* ctx = static_cast<SSL_CTX*>(ssl_ctx);
    auto* pin = static_cast<TlsPin*>(self);
    SSL_CTX_set_ex_data(ctx, pin_index(), pin);
    // libcurl's verbose mode traces every TLS record through this callback;
    // the transport's trace dump does not use it (see on_debug in client.cpp).
    SSL_CTX_set_msg_callback(ctx, nullptr);
    const int mode = pin->pinned() ? SSL_VERIFY_PEER : SSL_CTX_get_verify_mode(ctx);
    SSL_CTX_set_verify(ctx, mode, verify_callback);
    return CURLE_OK;
}

}  // namespace

std::string parse_thumbprint(std::string_view thumbprint) {
    std::string hex;
    for (char c : thumbprint) {
        if (c == ':' || c == ' ') continue;
        if (!std::isxdigit(static_cast<unsigned char>(c)))
            throw Error(ErrorKind::config, "thumbprint '" + std::string(thumbprint) +
                                               "' has a character that is not hex: '" + std::string(1, c) +
                                               "'");
        hex.push_back(c);
    }
    if (hex.size() != 40 && hex.size() != 64)
        throw Error(ErrorKind::config,
                    "thumbprint '" + std::string(thumbprint) +
                        "' is neither SHA-1 (20 bytes) nor SHA-256 (32 bytes), as AA:BB:...");
    std::string bytes;
    for (size_t i = 0; i < hex.size(); i += 2)
        bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    return bytes;
}

std::string colon_hex(std::string_view raw) {
    std::string out;
    char byte[4];
    for (size_t i = 0; i < raw.size(); ++i) {
        std::snprintf(byte, sizeof byte, i ? ":%02X" : "%02X", static_cast<unsigned char>(raw[i]));
        out += byte;
    }
    return out;
}

void TlsPin::install(CURL* curl) {
    const curl_version_info_data* info = curl_version_info(CURLVERSION_NOW);
    if (!info->ssl_version || std::strncmp(info->ssl_version, "OpenSSL", 7) != 0) {
        throw Error(ErrorKind::tls, std::string("libcurl is built on ") +
                                        (info->ssl_version ? info->ssl_version : "no TLS") +
                                        ", not OpenSSL; certificate thumbprints need libcurl4-openssl");
    }
    curl_easy_setopt(curl, CURLOPT_SSL_CTX_FUNCTION, ssl_ctx_hook);
    curl_easy_setopt(curl, CURLOPT_SSL_CTX_DATA, this);
    if (pinned()) {
        // The pin is the trust decision (checked in verify()); a session
        // resumed from a cache would skip it.
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
        curl_easy_setopt(curl, CURLOPT_SSL_SESSIONID_CACHE, 0L);
    }
}

void TlsPin::reset_observation() {
    mismatch_ = false;
    sha1_.clear();
    sha256_.clear();
}

int TlsPin::verify(int preverify_ok, void* x509_store_ctx) {
    auto* store = static_cast<X509_STORE_CTX*>(x509_store_ctx);
    if (X509_STORE_CTX_get_error_depth(store) != 0) return pinned() ? 1 : preverify_ok;
    X509* cert = X509_STORE_CTX_get_current_cert(store);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    std::string sha1_raw, sha256_raw;
    if (cert && X509_digest(cert, EVP_sha1(), md, &len)) {
        sha1_raw.assign(reinterpret_cast<char*>(md), len);
        sha1_ = colon_hex(sha1_raw);
    }
    if (cert && X509_digest(cert, EVP_sha256(), md, &len)) {
        sha256_raw.assign(reinterpret_cast<char*>(md), len);
        sha256_ = colon_hex(sha256_raw);
    }
    if (!pinned()) return preverify_ok;
    if (pin_ == sha1_raw || pin_ == sha256_raw) {
        X509_STORE_CTX_set_error(store, X509_V_OK);
        mismatch_ = false;
        return 1;
    }
    mismatch_ = true;
    return 0;
}

}  // namespace hypersdk::http
