#include "tls_pin.hpp"

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <cstdio>
#include <cstring>

#include "errors.hpp"

namespace hypersdk::vsphere {
namespace {

int pin_index() {
    static int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return index;
}

std::string colon_hex(const unsigned char* data, unsigned len) {
    std::string out;
    char byte[4];
    for (unsigned i = 0; i < len; ++i) {
        std::snprintf(byte, sizeof byte, i ? ":%02X" : "%02X", data[i]);
        out += byte;
    }
    return out;
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
    int mode = pin->pinned() ? SSL_VERIFY_PEER : SSL_CTX_get_verify_mode(ctx);
    SSL_CTX_set_verify(ctx, mode, verify_callback);
    return CURLE_OK;
}

}  // namespace

void TlsPin::install(CURL* curl) {
    const curl_version_info_data* info = curl_version_info(CURLVERSION_NOW);
    if (!info->ssl_version || std::strncmp(info->ssl_version, "OpenSSL", 7) != 0) {
        throw Error(ErrorKind::tls, std::string("libcurl is built on ") +
                                        (info->ssl_version ? info->ssl_version : "no TLS") +
                                        ", not OpenSSL; thumbprint checks need libcurl4-openssl");
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

int TlsPin::verify(int preverify_ok, void* x509_store_ctx) {
    auto* store = static_cast<X509_STORE_CTX*>(x509_store_ctx);
    if (X509_STORE_CTX_get_error_depth(store) != 0) return pinned() ? 1 : preverify_ok;
    X509* cert = X509_STORE_CTX_get_current_cert(store);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    std::string sha1_raw, sha256_raw;
    if (cert && X509_digest(cert, EVP_sha1(), md, &len)) {
        sha1_ = colon_hex(md, len);
        sha1_raw.assign(reinterpret_cast<char*>(md), len);
    }
    if (cert && X509_digest(cert, EVP_sha256(), md, &len)) {
        sha256_ = colon_hex(md, len);
        sha256_raw.assign(reinterpret_cast<char*>(md), len);
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

}  // namespace hypersdk::vsphere
