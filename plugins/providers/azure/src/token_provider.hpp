// Microsoft Entra ID access tokens for ARM by the OAuth 2.0 client
// credentials grant (POST {authority}/{tenant}/oauth2/v2.0/token), cached and
// shared by every thread until shortly before they expire: a token is renewed
// once less than min(5 minutes, half its lifetime) remains, so a download
// that outlives one token keeps working. Thread-safe.
#pragma once

#include <hypersdk/http/client.hpp>

#include <chrono>
#include <functional>
#include <mutex>
#include <string>

#include "config.hpp"

namespace hypersdk::azure {

class TokenProvider {
public:
    using Now = std::function<std::chrono::steady_clock::time_point()>;
    // `client` talks to config.authority_host; both must outlive this.
    TokenProvider(const Config& config, http::Client& client, Now now = {});

    // "Bearer <token>", fetched or renewed when needed. Throws Error(auth)
    // when Entra ID refuses the credentials, naming what to check.
    std::string authorization(const http::CancelFn& cancelled = {});
    // Forget the cached token (ARM said it expired or is invalid).
    void invalidate();
    int tokens_fetched() const;

private:
    void fetch(const http::CancelFn& cancelled);

    const Config& config_;
    http::Client& client_;
    Now now_;
    mutable std::mutex mutex_;
    std::string token_;
    std::chrono::steady_clock::time_point renew_at_{};
    int fetched_ = 0;
};

}  // namespace hypersdk::azure
