// The read SAS a page-blob download uses, and how it is kept valid: renewed
// through a callback (beginGetAccess again) either after storage refused it
// (reactive, PageBlobReader's 403 path) or ahead of its `se` expiry
// (proactive, renew_if_expiring() from the export's periodic hook), so a long
// download need not lose its in-flight ranges to a 403 first.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace hypersdk::azure {

using SasClock = std::chrono::system_clock;

// The `se` (signed expiry) of a SAS URL: "YYYY-MM-DD", "YYYY-MM-DDThh:mmZ",
// "YYYY-MM-DDThh:mm:ssZ" or with a fraction ("...ss.fffffffZ"), percent-encoded
// or not. nullopt when absent or not one of these (no proactive renewal then).
std::optional<SasClock::time_point> sas_expiry(std::string_view url);

// How long before its expiry a SAS of `lifetime` is renewed: a third of its
// lifetime, at most 5 minutes (one hour of access: renewed at 55 minutes).
std::chrono::seconds sas_renewal_margin(std::chrono::seconds lifetime);

// Thread-safe: workers read url() for every request while the hook or a
// worker renews it; renewals themselves run one at a time.
class SasSource {
public:
    using Renew = std::function<std::string()>;  // a new SAS URL; throws when it cannot
    SasSource(std::string url, Renew renew = {});
    std::string url() const;
    bool renewable() const { return static_cast<bool>(renew_); }
    // Renews now (storage refused the SAS). Throws what the callback throws.
    void renew();
    // Renews when less than the margin is left before `se`; true when it did.
    // A SAS without a readable `se`, or one that cannot be renewed, is left alone.
    bool renew_if_expiring(SasClock::time_point now = SasClock::now());
    std::optional<SasClock::time_point> expires_at() const;
    int renewals() const;        // all renewals
    int early_renewals() const;  // those made ahead of the expiry

private:
    void replace(std::string url, SasClock::time_point now);  // with mutex_ held

    mutable std::mutex mutex_;  // url_ and the counters
    std::mutex renewing_;       // one beginGetAccess at a time
    std::string url_;
    Renew renew_;
    std::optional<SasClock::time_point> expires_;
    SasClock::time_point renew_at_{};
    int renewals_ = 0;
    int early_renewals_ = 0;
};

}  // namespace hypersdk::azure
