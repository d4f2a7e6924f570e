// Md5AlongsideSink: the MD5 taken on its helper thread is the object's MD5
// whatever the chunking, the inner sink gets every byte in order, a rewind
// starts the digest over, and a write that throws still waits for the helper
// (under ASan a late read of the caller's freed buffer would be reported).
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <memory>
#include <random>
#include <stdexcept>

#include "http_test_support.hpp"
#include "md5_alongside_sink.hpp"

namespace hypersdk::gcp {
namespace {

std::string md5_base64(const std::string& data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_Digest(data.data(), data.size(), md, &n, EVP_md5(), nullptr);
    std::string out(4 * ((n + 2) / 3) + 1, '\0');
    out.resize(static_cast<size_t>(
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), md, static_cast<int>(n))));
    return out;
}

std::string random_bytes(size_t size, unsigned seed) {
    std::mt19937 random(seed);
    std::string out(size, '\0');
    for (auto& c : out) c = static_cast<char>(random() & 0xff);
    return out;
}

TEST(Md5AlongsideSink, DigestIsTheWholeStreamsWhateverTheChunking) {
    const std::string data = random_bytes(1u << 20, 1);
    for (size_t chunk : {size_t{509}, size_t{4093}, size_t{256} << 10, data.size()}) {
        hypersdk::test::MemorySink inner;
        Md5AlongsideSink sink(inner);
        for (size_t at = 0; at < data.size(); at += chunk) {
            // A fresh buffer per write, gone when write returns, as ranged_download's bodies are.
            auto piece = std::make_unique<std::string>(data.substr(at, chunk));
            sink.write(piece->data(), piece->size());
        }
        EXPECT_EQ(inner.bytes, data) << chunk;
        EXPECT_EQ(sink.offset(), data.size());
        EXPECT_EQ(sink.digest_base64(), md5_base64(data)) << chunk;
    }
}

TEST(Md5AlongsideSink, RewindStartsTheDigestOver) {
    const std::string first = random_bytes(100000, 2), second = random_bytes(70000, 3);
    hypersdk::test::MemorySink inner;
    Md5AlongsideSink sink(inner);
    sink.write(first.data(), first.size());
    sink.rewind();
    EXPECT_EQ(inner.rewinds, 1);
    sink.write(second.data(), second.size());
    EXPECT_EQ(inner.bytes, second);
    EXPECT_EQ(sink.digest_base64(), md5_base64(second));
    EXPECT_NE(md5_base64(second), md5_base64(first + second));
}

class ThrowingSink : public http::Sink {
public:
    void write(const char*, size_t) override { throw std::runtime_error("the disk is full"); }
    void write_zeros(uint64_t) override {}
    void rewind() override {}
    uint64_t offset() const override { return 0; }
};

TEST(Md5AlongsideSink, AWriteThatThrowsWaitsForTheHelperFirst) {
    ThrowingSink inner;
    Md5AlongsideSink sink(inner);
    for (int i = 0; i < 20; ++i) {
        auto piece = std::make_unique<std::string>(random_bytes(1u << 20, static_cast<unsigned>(i)));
        EXPECT_THROW(sink.write(piece->data(), piece->size()), std::runtime_error);
        piece.reset();  // freed at once: the helper must be done with it
    }
}

}  // namespace
}  // namespace hypersdk::gcp
