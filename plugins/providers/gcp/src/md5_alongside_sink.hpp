// The MD5 of a stream, taken on a helper thread while the calling thread
// passes the same bytes on to the next sink (the tar.gz unpacker). Measured
// on the 2-core machine: MD5 was half the CPU of the one thread that feeds
// the unpacker, and that thread was the whole download's bottleneck; side by
// side, each write costs max(MD5, unpacking) instead of their sum.
#pragma once

#include <hypersdk/http/sink.hpp>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace hypersdk::gcp {

class Md5AlongsideSink final : public http::Sink {
public:
    explicit Md5AlongsideSink(http::Sink& inner);
    ~Md5AlongsideSink() override;
    Md5AlongsideSink(const Md5AlongsideSink&) = delete;
    Md5AlongsideSink& operator=(const Md5AlongsideSink&) = delete;

    // Returns once both the inner sink and the MD5 have taken the bytes, so
    // the caller's buffer is never read after it returns (nor when it throws).
    void write(const char* data, size_t size) override;
    void write_zeros(uint64_t size) override { inner_.write_zeros(size); }
    void rewind() override;
    uint64_t offset() const override { return inner_.offset(); }

    // Base64 of the MD5 of every byte written since the start or the last rewind.
    std::string digest_base64();

private:
    void hash_loop();
    void wait_for_hash();

    http::Sink& inner_;
    struct Digest;
    std::unique_ptr<Digest> digest_;
    std::mutex mutex_;
    std::condition_variable changed_;
    const char* pending_ = nullptr;  // bytes for the helper, until it has hashed them
    size_t pending_size_ = 0;
    bool stop_ = false;
    std::thread helper_;
};

}  // namespace hypersdk::gcp
