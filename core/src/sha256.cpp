#include "hypersdk/core/sha256.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace hypersdk::core {

struct Sha256::Context {
    EVP_MD_CTX* evp = nullptr;
};

namespace {

// Fetched once: an explicit fetch avoids OpenSSL 3's implicit lookup on every init.
const EVP_MD* sha256_algorithm() {
    static EVP_MD* const algorithm = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return algorithm != nullptr ? algorithm : EVP_sha256();
}

}  // namespace

Sha256::Sha256() : context_(new Context) {
    context_->evp = EVP_MD_CTX_new();
    if (context_->evp == nullptr) {
        delete context_;
        throw std::runtime_error("OpenSSL: cannot allocate a digest context");
    }
    try {
        reset();
    } catch (...) {
        EVP_MD_CTX_free(context_->evp);
        delete context_;
        throw;
    }
}

Sha256::~Sha256() {
    release();
}

void Sha256::release() noexcept {
    if (context_ == nullptr) return;
    EVP_MD_CTX_free(context_->evp);
    delete context_;
    context_ = nullptr;
}

Sha256::Sha256(Sha256&& other) noexcept : context_(other.context_), bytes_hashed_(other.bytes_hashed_) {
    other.context_ = nullptr;
}

Sha256& Sha256::operator=(Sha256&& other) noexcept {
    if (this != &other) {
        release();
        context_ = other.context_;
        bytes_hashed_ = other.bytes_hashed_;
        other.context_ = nullptr;
    }
    return *this;
}

void Sha256::reset() {
    if (EVP_DigestInit_ex(context_->evp, sha256_algorithm(), nullptr) != 1)
        throw std::runtime_error("OpenSSL: SHA-256 is not available");
    bytes_hashed_ = 0;
}

void Sha256::update(const void* data, size_t length) {
    if (context_ == nullptr) throw std::logic_error("Sha256 used after being moved from");
    if (length == 0) return;
    if (EVP_DigestUpdate(context_->evp, data, length) != 1)
        throw std::runtime_error("OpenSSL: SHA-256 update failed");
    bytes_hashed_ += length;
}

Sha256::Digest Sha256::finish_digest() {
    if (context_ == nullptr) throw std::logic_error("Sha256 used after being moved from");
    Digest digest{};
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(context_->evp, digest.data(), &length) != 1 || length != digest.size())
        throw std::runtime_error("OpenSSL: SHA-256 final failed");
    reset();
    return digest;
}

std::string Sha256::finish() {
    return format_sha256_checksum(finish_digest());
}

std::string Sha256::of(std::string_view data) {
    Sha256 hasher;
    hasher.update(data);
    return hasher.finish();
}

std::string format_sha256_checksum(const Sha256::Digest& digest) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string text(kSha256Prefix);
    for (uint8_t byte : digest) {
        text += kHex[byte >> 4];
        text += kHex[byte & 0x0f];
    }
    return text;
}

}  // namespace hypersdk::core
