#include "md5_alongside_sink.hpp"

#include <openssl/evp.h>

namespace hypersdk::gcp {

struct Md5AlongsideSink::Digest {
    Digest() : ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free) { reset(); }
    void reset() { EVP_DigestInit_ex(ctx.get(), EVP_md5(), nullptr); }
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx;
};

Md5AlongsideSink::Md5AlongsideSink(http::Sink& inner)
    : inner_(inner), digest_(std::make_unique<Digest>()), helper_([this] { hash_loop(); }) {}

Md5AlongsideSink::~Md5AlongsideSink() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    changed_.notify_all();
    helper_.join();
}

void Md5AlongsideSink::hash_loop() {
    std::unique_lock lock(mutex_);
    for (;;) {
        changed_.wait(lock, [this] { return stop_ || pending_ != nullptr; });
        if (pending_ == nullptr) return;  // stopped with nothing left to hash
        const char* data = pending_;
        const size_t size = pending_size_;
        lock.unlock();
        EVP_DigestUpdate(digest_->ctx.get(), data, size);
        lock.lock();
        pending_ = nullptr;
        changed_.notify_all();
    }
}

void Md5AlongsideSink::wait_for_hash() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return pending_ == nullptr; });
}

void Md5AlongsideSink::write(const char* data, size_t size) {
    if (size == 0) return;
    {
        std::lock_guard lock(mutex_);
        pending_ = data;
        pending_size_ = size;
    }
    changed_.notify_all();
    // The helper reads `data` until it is done, whatever the inner sink does.
    struct Join {
        Md5AlongsideSink& self;
        ~Join() { self.wait_for_hash(); }
    } join{*this};
    inner_.write(data, size);
}

void Md5AlongsideSink::rewind() {
    inner_.rewind();
    wait_for_hash();
    digest_->reset();
}

std::string Md5AlongsideSink::digest_base64() {
    wait_for_hash();
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(digest_->ctx.get(), md, &n);
    std::string out(4 * ((n + 2) / 3) + 1, '\0');
    const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), md, static_cast<int>(n));
    out.resize(static_cast<size_t>(length));
    return out;
}

}  // namespace hypersdk::gcp
