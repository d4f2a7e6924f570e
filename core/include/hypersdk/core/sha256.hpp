// Incremental SHA-256 (OpenSSL EVP), fed while bytes are written so a disk is
// hashed without a second read.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace hypersdk::core {

inline constexpr std::string_view kSha256Prefix = "sha256:";

class Sha256 {
public:
    using Digest = std::array<uint8_t, 32>;

    Sha256();  // throws std::runtime_error if OpenSSL cannot provide SHA-256
    ~Sha256();
    Sha256(Sha256&& other) noexcept;
    Sha256& operator=(Sha256&& other) noexcept;
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    void update(const void* data, size_t length);
    void update(std::string_view data) { update(data.data(), data.size()); }

    // Ends the hash and starts a new one, so the object can be reused.
    Digest finish_digest();
    // "sha256:" + 64 lowercase hex digits, the manifest's checksum form.
    std::string finish();

    uint64_t bytes_hashed() const { return bytes_hashed_; }

    // One-shot convenience: "sha256:<hex>" of data.
    static std::string of(std::string_view data);

private:
    void reset();
    void release() noexcept;

    struct Context;
    Context* context_ = nullptr;
    uint64_t bytes_hashed_ = 0;
};

// "sha256:" + lowercase hex of a digest.
std::string format_sha256_checksum(const Sha256::Digest& digest);

}  // namespace hypersdk::core
