// The retry arithmetic without a network: Retry-After in its three forms,
// full-jitter backoff, the attempt and time budget, the default classifier,
// and the Range / Content-Range / extent helpers the downloaders rely on.
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <hypersdk/http/content_range.hpp>
#include <hypersdk/http/extents.hpp>
#include <hypersdk/http/retry.hpp>

#include "http_test_support.hpp"

using namespace hypersdk::http;
using namespace std::chrono_literals;

TEST(RetryAfter, SecondsMillisecondsAndHttpDates) {
    const auto now = std::chrono::system_clock::from_time_t(1700000000);  // Tue, 14 Nov 2023 22:13:20 GMT
    EXPECT_EQ(server_retry_delay({{"Retry-After", "7"}}, now), 7000ms);
    EXPECT_EQ(server_retry_delay({{"x-ms-retry-after-ms", "1500"}, {"Retry-After", "9"}}, now), 1500ms);
    EXPECT_EQ(server_retry_delay({{"retry-after-ms", "20"}}, now), 20ms);
    EXPECT_EQ(server_retry_delay({{"Retry-After", "Tue, 14 Nov 2023 22:13:50 GMT"}}, now), 30000ms);
    EXPECT_EQ(server_retry_delay({{"Retry-After", "Tuesday, 14-Nov-23 22:13:25 GMT"}}, now), 5000ms);
    EXPECT_EQ(server_retry_delay({{"Retry-After", "Tue Nov 14 22:13:21 2023"}}, now), 1000ms);
    EXPECT_EQ(server_retry_delay({{"Retry-After", "Mon, 13 Nov 2023 00:00:00 GMT"}}, now), 0ms);  // past
    EXPECT_EQ(server_retry_delay({{"Retry-After", "soon"}}, now), std::nullopt);
    EXPECT_EQ(server_retry_delay({{"Retry-After", "-3"}}, now), std::nullopt);
    EXPECT_EQ(server_retry_delay({}, now), std::nullopt);
}

TEST(Backoff, FullJitterGrowsExponentiallyUpToTheCap) {
    RetryPolicy p;
    p.base_delay = 100ms;
    p.max_delay = 1000ms;
    EXPECT_EQ(backoff_delay(p, 1, 0.999), 99ms);
    EXPECT_EQ(backoff_delay(p, 2, 0.5), 100ms);
    EXPECT_EQ(backoff_delay(p, 3, 0.5), 200ms);
    EXPECT_EQ(backoff_delay(p, 4, 1.0), 800ms);
    EXPECT_EQ(backoff_delay(p, 10, 1.0), 1000ms);  // capped
    EXPECT_EQ(backoff_delay(p, 10, 0.0), 0ms);     // full jitter reaches zero
}

TEST(RetryBudget, BoundedByAttemptsInARow) {
    hypersdk::test::FakeClock clock;
    RetryPolicy p;
    p.max_attempts = 3;
    RetryBudget budget(p, clock, [] { return 0.5; });
    EXPECT_TRUE(budget.next(nullptr, false).retry);
    EXPECT_TRUE(budget.next(nullptr, false).retry);
    const auto d = budget.next(nullptr, false);
    EXPECT_FALSE(d.retry);
    EXPECT_NE(d.why_not.find("3 attempts in a row"), std::string::npos) << d.why_not;
    EXPECT_EQ(budget.attempts(), 3);
}

TEST(RetryBudget, ProgressStartsANewCountButNotForever) {
    hypersdk::test::FakeClock clock;
    RetryPolicy p;
    p.max_attempts = 2;
    p.max_attempts_with_progress = 5;
    RetryBudget budget(p, clock, [] { return 0.0; });
    for (int i = 0; i < 4; ++i) EXPECT_TRUE(budget.next(nullptr, true).retry) << i;
    const auto d = budget.next(nullptr, true);
    EXPECT_FALSE(d.retry);
    EXPECT_NE(d.why_not.find("5 attempts in all"), std::string::npos) << d.why_not;
}

TEST(RetryBudget, ServerDelayIsHonouredOrRefusedWhenBeyondTheBudget) {
    hypersdk::test::FakeClock clock;
    RetryPolicy p;
    p.max_total = 10s;
    RetryBudget budget(p, clock, [] { return 0.0; });
    const Headers two{{"Retry-After", "2"}};
    auto d = budget.next(&two, false);
    EXPECT_TRUE(d.retry);
    EXPECT_EQ(d.delay, 2000ms);
    const Headers long_wait{{"Retry-After", "30"}};
    d = budget.next(&long_wait, false);
    EXPECT_FALSE(d.retry);
    EXPECT_NE(d.why_not.find("retry after 30.0 s"), std::string::npos) << d.why_not;
}

TEST(RetryBudget, TotalTimeIsBounded) {
    hypersdk::test::FakeClock clock;
    RetryPolicy p;
    p.max_attempts = 100;
    p.max_total = 1s;
    p.base_delay = 300ms;
    p.max_delay = 300ms;
    RetryBudget budget(p, clock, [] { return 0.999; });
    int retries = 0;
    for (; retries < 100; ++retries) {
        const auto d = budget.next(nullptr, false);
        if (!d.retry) {
            EXPECT_NE(d.why_not.find("time budget"), std::string::npos) << d.why_not;
            break;
        }
        clock.sleep_for(d.delay, {});
    }
    EXPECT_EQ(retries, 3);  // 3 x 299 ms fit in 1 s, a 4th does not
}

TEST(DefaultClassifier, RetriesTransientFailuresOnly) {
    auto status = [](long s) {
        Attempt a;
        a.status = s;
        return default_classifier(a).retry;
    };
    for (long s : {408L, 429L, 500L, 502L, 503L, 504L}) EXPECT_TRUE(status(s)) << s;
    for (long s : {400L, 401L, 403L, 404L, 409L, 412L, 416L, 501L}) EXPECT_FALSE(status(s)) << s;
    auto failure = [](ErrorKind kind, CURLcode code, bool rejected = false) {
        Attempt a;
        a.error = kind;
        a.curl_code = code;
        a.certificate_rejected = rejected;
        return default_classifier(a).retry;
    };
    EXPECT_TRUE(failure(ErrorKind::connect, CURLE_COULDNT_CONNECT));
    EXPECT_TRUE(failure(ErrorKind::transport, CURLE_RECV_ERROR));
    EXPECT_TRUE(failure(ErrorKind::transport, CURLE_PARTIAL_FILE));
    EXPECT_TRUE(failure(ErrorKind::timeout, CURLE_OPERATION_TIMEDOUT));
    EXPECT_TRUE(failure(ErrorKind::tls, CURLE_SSL_CONNECT_ERROR));
    EXPECT_FALSE(failure(ErrorKind::tls, CURLE_SSL_CONNECT_ERROR, true));
    EXPECT_FALSE(failure(ErrorKind::tls, CURLE_PEER_FAILED_VERIFICATION, true));
    EXPECT_FALSE(failure(ErrorKind::config, CURLE_URL_MALFORMAT));
}

TEST(ContentRange, ParsesSingleRangesAndRefusesTheRest) {
    auto r = parse_content_range("bytes 10-19/100");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->first, 10u);
    EXPECT_EQ(r->last, 19u);
    EXPECT_EQ(r->total, 100u);
    r = parse_content_range("bytes */512");
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->unsatisfied);
    EXPECT_EQ(r->total, 512u);
    r = parse_content_range("bytes 0-4/*");
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->total);
    for (const char* bad :
         {"bytes 20-10/100", "bytes 0-100/100", "items 0-1/2", "bytes 0-1", "bytes */*", "bytes a-b/1"})
        EXPECT_FALSE(parse_content_range(bad)) << bad;
    EXPECT_EQ(range_header(0, 100), "bytes=0-99");
    EXPECT_EQ(range_header(7, std::nullopt), "bytes=7-");
}

TEST(Extents, DataRangesBecomeAFullMapWithHoles) {
    const auto e =
        extents_from_data_ranges({{10, 5, true}, {15, 5, true}, {40, 10, true}, {60, 0, true}}, 64);
    ASSERT_EQ(e.size(), 5u);
    EXPECT_EQ(e[0].offset, 0u);
    EXPECT_FALSE(e[0].data);
    EXPECT_EQ(e[1].offset, 10u);
    EXPECT_EQ(e[1].length, 10u);  // adjacent ranges merged
    EXPECT_TRUE(e[1].data);
    EXPECT_FALSE(e[2].data);
    EXPECT_EQ(e[3].offset, 40u);
    EXPECT_FALSE(e[4].data);
    EXPECT_EQ(e[4].length, 14u);
    EXPECT_EQ(check_extents(e), 64u);
    EXPECT_THROW(extents_from_data_ranges({{10, 5, true}, {12, 5, true}}, 64), Error);  // overlap
    EXPECT_THROW(extents_from_data_ranges({{60, 10, true}}, 64), Error);                // past the end
    EXPECT_THROW(check_extents({{0, 4, true}, {5, 4, false}}), Error);                  // gap
    EXPECT_EQ(whole_object(0).size(), 0u);
}
