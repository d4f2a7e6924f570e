#include "sas_source.hpp"

#include <algorithm>
#include <charconv>
#include <ctime>

#include "url.hpp"

namespace hypersdk::azure {
namespace {

// Digits [at, at + n) of `text` as a number, or nullopt.
std::optional<int> digits(std::string_view text, size_t at, size_t n) {
    if (at + n > text.size()) return std::nullopt;
    int value = 0;
    const auto [end, ec] = std::from_chars(text.data() + at, text.data() + at + n, value);
    if (ec != std::errc() || end != text.data() + at + n) return std::nullopt;
    return value;
}

std::string percent_decoded(std::string_view text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        unsigned byte = 0;
        if (text[i] == '%' && i + 2 < text.size() &&
            std::from_chars(text.data() + i + 1, text.data() + i + 3, byte, 16).ptr == text.data() + i + 3) {
            out += static_cast<char>(byte);
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

}  // namespace

std::optional<SasClock::time_point> sas_expiry(std::string_view url) {
    const auto encoded = query_parameter(url, "se");
    if (!encoded) return std::nullopt;
    const std::string se = percent_decoded(*encoded);
    const auto year = digits(se, 0, 4), month = digits(se, 5, 2), day = digits(se, 8, 2);
    if (!year || !month || !day || se[4] != '-' || se[7] != '-') return std::nullopt;
    std::tm tm{};
    tm.tm_year = *year - 1900;
    tm.tm_mon = *month - 1;
    tm.tm_mday = *day;
    if (se.size() > 10) {
        // "Thh:mm", then ":ss" and a fraction, then "Z" (SAS times are UTC).
        const auto hour = digits(se, 11, 2), minute = digits(se, 14, 2);
        if (se[10] != 'T' || !hour || !minute || se[13] != ':' || se.back() != 'Z') return std::nullopt;
        tm.tm_hour = *hour;
        tm.tm_min = *minute;
        if (se.size() > 17) {
            const auto second = digits(se, 17, 2);
            if (se[16] != ':' || !second) return std::nullopt;
            tm.tm_sec = *second;
            const std::string_view rest = std::string_view(se).substr(19, se.size() - 20);
            if (!rest.empty() &&
                (rest.front() != '.' || rest.size() < 2 ||
                 !std::all_of(rest.begin() + 1, rest.end(), [](char c) { return c >= '0' && c <= '9'; })))
                return std::nullopt;
        } else if (se.size() != 17) {
            return std::nullopt;
        }
    } else if (se.size() != 10) {
        return std::nullopt;
    }
    if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
        tm.tm_min > 59 || tm.tm_sec > 60)
        return std::nullopt;
    const time_t seconds = ::timegm(&tm);
    if (seconds == static_cast<time_t>(-1)) return std::nullopt;
    return SasClock::from_time_t(seconds);
}

std::chrono::seconds sas_renewal_margin(std::chrono::seconds lifetime) {
    return std::min<std::chrono::seconds>(std::chrono::minutes(5),
                                          std::max(lifetime, std::chrono::seconds(0)) / 3);
}

SasSource::SasSource(std::string url, Renew renew) : renew_(std::move(renew)) {
    replace(std::move(url), SasClock::now());
}

void SasSource::replace(std::string url, SasClock::time_point now) {
    url_ = std::move(url);
    expires_ = sas_expiry(url_);
    if (expires_) {
        const auto lifetime = std::chrono::duration_cast<std::chrono::seconds>(*expires_ - now);
        renew_at_ = *expires_ - sas_renewal_margin(lifetime);
    }
}

std::string SasSource::url() const {
    std::lock_guard lock(mutex_);
    return url_;
}

void SasSource::renew() {
    std::lock_guard one_at_a_time(renewing_);
    std::string fresh = renew_();
    std::lock_guard lock(mutex_);
    replace(std::move(fresh), SasClock::now());
    ++renewals_;
}

bool SasSource::renew_if_expiring(SasClock::time_point now) {
    if (!renew_) return false;
    std::lock_guard one_at_a_time(renewing_);
    {
        // Checked under renewing_: a renewal that just ended moved renew_at_.
        std::lock_guard lock(mutex_);
        if (!expires_ || now < renew_at_) return false;
    }
    std::string fresh = renew_();
    std::lock_guard lock(mutex_);
    replace(std::move(fresh), SasClock::now());
    ++renewals_;
    ++early_renewals_;
    return true;
}

std::optional<SasClock::time_point> SasSource::expires_at() const {
    std::lock_guard lock(mutex_);
    return expires_;
}

int SasSource::renewals() const {
    std::lock_guard lock(mutex_);
    return renewals_;
}

int SasSource::early_renewals() const {
    std::lock_guard lock(mutex_);
    return early_renewals_;
}

}  // namespace hypersdk::azure
