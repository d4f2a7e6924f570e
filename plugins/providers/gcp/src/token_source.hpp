// OAuth 2.0 access tokens for Google's APIs: a ready token (GOOGLE_OAUTH_ACCESS_TOKEN),
// or tokens exchanged for a service account's signed JWT at its token_uri,
// cached until shortly before they expire and refreshed during long work
// (a disk export takes longer than a token's hour). Thread-safe.
#pragma once

#include <hypersdk/http/client.hpp>

#include <chrono>
#include <mutex>
#include <string>

#include "service_account.hpp"

namespace hypersdk::gcp {

inline constexpr const char* kCloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform";

class TokenSource {
public:
    virtual ~TokenSource() = default;
    // A token valid for a while yet. `refresh`: the last one was refused (401),
    // get a new one if possible.
    virtual std::string access_token(bool refresh = false) = 0;
    // Who the token speaks for, for messages ("service account x@p.iam...").
    virtual std::string principal() const = 0;
};

class StaticToken final : public TokenSource {
public:
    explicit StaticToken(std::string token) : token_(std::move(token)) {}
    std::string access_token(bool refresh) override;
    std::string principal() const override { return "the access token given (GOOGLE_OAUTH_ACCESS_TOKEN)"; }

private:
    std::string token_;
};

class ServiceAccountTokens final : public TokenSource {
public:
    // `refresh_before`: a cached token is renewed this long before it expires.
    ServiceAccountTokens(http::Client& client, ServiceAccountKey key, std::string scope = kCloudPlatformScope,
                         std::chrono::seconds refresh_before = std::chrono::minutes(5));
    std::string access_token(bool refresh) override;
    std::string principal() const override { return "service account " + key_.client_email; }
    // Tokens obtained from token_uri so far (tests: caching and refresh).
    int exchanges() const;

private:
    void exchange();

    http::Client& client_;
    ServiceAccountKey key_;
    std::string scope_;
    std::chrono::seconds refresh_before_;
    mutable std::mutex mutex_;
    std::string token_;
    std::chrono::steady_clock::time_point expires_{};
    int exchanges_ = 0;
};

}  // namespace hypersdk::gcp
