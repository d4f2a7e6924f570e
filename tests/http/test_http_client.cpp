// Client::send against the fault-injecting loopback server: TLS policy
// (verification by default, CA file, pins, insecure), retries that honour
// Retry-After and give up within their bounds, non-idempotent requests that
// are not repeated, connection reuse, proxies from the environment, and the
// trace dump.
#include <gtest/gtest.h>
#include <hypersdk/http/client.hpp>

#include <cstdlib>

#include "fault_server.hpp"
#include "http_test_support.hpp"

using namespace hypersdk::http;
using hypersdk::test::Fault;
using hypersdk::test::FaultServer;
using namespace std::chrono_literals;

namespace {

class HttpClient : public ::testing::Test {
protected:
    void SetUp() override { server_.put("/object", hypersdk::test::patterned_bytes(100000, 1)); }

    ClientOptions options() {
        ClientOptions o;
        o.tls.ca_file = server_.ca_file();
        o.clock = clock_;
        o.log = log_.fn();
        o.retry.max_attempts = 4;
        return o;
    }
    static Request get(const std::string& url) {
        Request r;
        r.url = url;
        return r;
    }

    FaultServer server_;
    std::shared_ptr<hypersdk::test::FakeClock> clock_ = std::make_shared<hypersdk::test::FakeClock>();
    hypersdk::test::LogCapture log_;
};

}  // namespace

TEST_F(HttpClient, GetsAnObjectOverVerifiedTls) {
    Client client(options());
    const Response r = client.send(get(server_.url("/object")));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, hypersdk::test::patterned_bytes(100000, 1));
    EXPECT_EQ(r.header("x-test-sha256"), hypersdk::test::sha256_hex(r.body));
    EXPECT_EQ(r.attempts, 1);
    const Response missing = client.send(get(server_.url("/nothing")));
    EXPECT_EQ(missing.status, 404);
    try {
        Client::check_status(get(server_.url("/nothing")), missing);
        FAIL() << "no error for 404";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::status);
        EXPECT_EQ(e.http_status(), 404);
        EXPECT_NE(std::string(e.what()).find("/nothing: HTTP 404: not found"), std::string::npos) << e.what();
    }
}

TEST_F(HttpClient, KeepsTheConnectionAcrossRequests) {
    Client client(options());
    for (int i = 0; i < 5; ++i) EXPECT_EQ(client.send(get(server_.url("/object"))).status, 200);
    EXPECT_EQ(server_.connections(), 1u);
}

TEST_F(HttpClient, VerificationIsOnByDefault) {
    ClientOptions o = options();
    o.tls.ca_file.clear();  // the system store does not know the test certificate
    Client client(o);
    try {
        client.send(get(server_.url("/object")));
        FAIL() << "an unknown certificate was accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::tls) << e.what();
        EXPECT_NE(std::string(e.what()).find("cannot verify the certificate"), std::string::npos) << e.what();
        EXPECT_EQ(e.tls().seen_sha1, server_.certificate().sha1);
    }
    EXPECT_EQ(server_.requests().size(), 0u);  // nothing was sent, and it was not retried
}

TEST_F(HttpClient, PinsBySha1OrSha256AndRefusesAnotherCertificate) {
    for (const std::string& pin : {server_.certificate().sha1, server_.certificate().sha256}) {
        ClientOptions o = options();
        o.tls.ca_file.clear();
        o.tls.thumbprint = pin;
        Client client(o);
        EXPECT_EQ(client.send(get(server_.url("/object"))).status, 200) << pin;
    }
    ClientOptions o = options();
    o.tls.thumbprint = "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33";
    Client client(o);
    try {
        client.send(get(server_.url("/object")));
        FAIL() << "a certificate other than the pinned one was accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::tls) << e.what();
        EXPECT_TRUE(e.tls().pin_mismatch);
        EXPECT_NE(std::string(e.what()).find("does not match the pinned thumbprint"), std::string::npos)
            << e.what();
        EXPECT_NE(std::string(e.what()).find(server_.certificate().sha1), std::string::npos) << e.what();
    }
    ClientOptions bad = options();
    bad.tls.thumbprint = "not-hex";
    EXPECT_THROW(Client{bad}, Error);
}

TEST_F(HttpClient, InsecureIsAnExplicitOptIn) {
    ClientOptions o = options();
    o.tls.ca_file.clear();
    o.tls.insecure = true;
    Client client(o);
    EXPECT_EQ(client.send(get(server_.url("/object"))).status, 200);
}

TEST_F(HttpClient, PlainHttpIsRefusedUnlessAllowed) {
    Client client(options());
    try {
        client.send(get("http://127.0.0.1:1/object"));
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::config);
        EXPECT_NE(std::string(e.what()).find("only https://"), std::string::npos) << e.what();
    }
}

TEST_F(HttpClient, HonoursRetryAfterSecondsThenSucceeds) {
    server_.add({.kind = Fault::Kind::status, .times = 2, .status = 429, .headers = {{"Retry-After", "3"}}});
    Client client(options());
    const Response r = client.send(get(server_.url("/object")));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.attempts, 3);
    EXPECT_EQ(clock_->sleeps(), (std::vector<std::chrono::milliseconds>{3000ms, 3000ms}));
    EXPECT_NE(log_.text().find("retrying GET " + server_.url("/object") +
                               " in 3.0 s (attempt 2 of at most 4): HTTP 429"),
              std::string::npos)
        << log_.text();
}

TEST_F(HttpClient, HonoursAzureMillisecondsAndHttpDates) {
    server_.add({.kind = Fault::Kind::status, .status = 503, .headers = {{"x-ms-retry-after-ms", "1250"}}});
    // An HTTP-date 4 s after the fake clock's wall time, truncated to whole
    // seconds, read after the first wait of 1.25 s: 1.75 to 2.75 s away.
    const std::time_t when = std::chrono::system_clock::to_time_t(clock_->wall_now()) + 4;
    char date[64];
    std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", std::gmtime(&when));
    server_.add({.kind = Fault::Kind::status, .status = 503, .headers = {{"Retry-After", date}}});
    Client client(options());
    EXPECT_EQ(client.send(get(server_.url("/object"))).status, 200);
    const auto sleeps = clock_->sleeps();
    ASSERT_EQ(sleeps.size(), 2u);
    EXPECT_EQ(sleeps[0], 1250ms);
    EXPECT_GE(sleeps[1], 1750ms);
    EXPECT_LE(sleeps[1], 2750ms);
}

TEST_F(HttpClient, RealWaitsFollowRetryAfter) {
    server_.add({.kind = Fault::Kind::status, .status = 503, .headers = {{"Retry-After", "1"}}});
    ClientOptions o = options();
    o.clock = nullptr;  // the real clock
    Client client(o);
    EXPECT_EQ(client.send(get(server_.url("/object"))).status, 200);
    const auto requests = server_.requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_GE(requests[1].at - requests[0].at, 1s);
    EXPECT_LT(requests[1].at - requests[0].at, 5s);
}

TEST_F(HttpClient, GivesUpWithinTheAttemptBound) {
    server_.add({.kind = Fault::Kind::status, .times = 100, .status = 503});
    ClientOptions o = options();
    o.retry.base_delay = 1000ms;
    o.retry.max_delay = 8000ms;
    o.random = [] { return 1.0; };
    Client client(o);
    const Response r = client.send(get(server_.url("/object")));
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(r.attempts, 4);
    EXPECT_EQ(server_.requests().size(), 4u);
    EXPECT_EQ(clock_->sleeps(),
              (std::vector<std::chrono::milliseconds>{1000ms, 2000ms, 4000ms}));  // exponential
    EXPECT_NE(log_.text().find("giving up on GET"), std::string::npos) << log_.text();
    try {
        Client::check_status(get(server_.url("/object")), r);
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("HTTP 503: fault: HTTP 503 (after 4 attempts)"),
                  std::string::npos)
            << e.what();
    }
}

TEST_F(HttpClient, GivesUpWhenRetryAfterExceedsTheBudget) {
    server_.add(
        {.kind = Fault::Kind::status, .times = 5, .status = 429, .headers = {{"Retry-After", "3600"}}});
    Client client(options());
    const Response r = client.send(get(server_.url("/object")));
    EXPECT_EQ(r.status, 429);
    EXPECT_EQ(server_.requests().size(), 1u);
    EXPECT_TRUE(clock_->sleeps().empty());
    EXPECT_NE(log_.text().find("asks to retry after 3600.0 s"), std::string::npos) << log_.text();
}

TEST_F(HttpClient, NonIdempotentRequestsAreNotRepeated) {
    server_.add({.kind = Fault::Kind::status, .times = 3, .status = 503, .method = "POST"});
    Client client(options());
    Request post = get(server_.url("/upload"));
    post.method = "POST";
    post.body = "payload";
    const Response r = client.send(post);
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(server_.requests().size(), 1u);
    EXPECT_NE(log_.text().find("not repeated unless the caller marks it safe"), std::string::npos)
        << log_.text();

    // Marked safe (e.g. EC2's Describe* over POST): retried, body sent again whole.
    post.retry_safe = true;
    const Response again = client.send(post);
    EXPECT_EQ(again.status, 201);
    const auto requests = server_.requests();
    ASSERT_EQ(requests.size(), 4u);
    for (const auto& req : requests) EXPECT_EQ(req.body, "payload");
}

TEST_F(HttpClient, BrokenConnectionsBeforeTheAnswerAreRetried) {
    server_.add({.kind = Fault::Kind::handshake_close, .times = 2});
    Client client(options());
    const Response r = client.send(get(server_.url("/object")));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.attempts, 3);
    EXPECT_EQ(server_.cut_handshakes(), 2u);
    EXPECT_NE(log_.text().find("TLS handshake cut short"), std::string::npos) << log_.text();
}

TEST_F(HttpClient, BodyFromACallbackIsSentAndRewoundForARetry) {
    server_.add({.kind = Fault::Kind::status, .status = 503, .method = "PUT"});
    Client client(options());
    const std::string payload = hypersdk::test::patterned_bytes(300000, 7);
    size_t at = 0;
    int rewinds = 0;
    Request put = get(server_.url("/uploaded"));
    put.method = "PUT";
    put.body_source = BodySource{payload.size(),
                                 [&](char* buffer, size_t capacity) {
                                     const size_t n = std::min(capacity, payload.size() - at);
                                     std::copy_n(payload.data() + at, n, buffer);
                                     at += n;
                                     return n;
                                 },
                                 [&] {
                                     at = 0;
                                     ++rewinds;
                                     return true;
                                 }};
    EXPECT_EQ(client.send(put).status, 201);
    EXPECT_EQ(rewinds, 1);
    const Response back = client.send(get(server_.url("/uploaded")));
    EXPECT_TRUE(back.body == payload);
}

TEST_F(HttpClient, OversizedBodiesAreRefused) {
    Client client(options());
    Request r = get(server_.url("/object"));
    r.max_body = 1000;
    try {
        client.send(r);
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::protocol);
        EXPECT_NE(std::string(e.what()).find("larger than 1000 bytes"), std::string::npos) << e.what();
    }
}

TEST_F(HttpClient, CancellationStopsRetrying) {
    server_.add({.kind = Fault::Kind::status, .times = 10, .status = 503, .headers = {{"Retry-After", "1"}}});
    Client client(options());
    Request r = get(server_.url("/object"));
    int polls = 0;
    r.is_cancelled = [&] { return ++polls > 3; };
    try {
        client.send(r);
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::cancelled) << e.what();
    }
    EXPECT_LT(server_.requests().size(), 10u);
}

TEST_F(HttpClient, ProxiesComeFromTheEnvironment) {
    // A proxy that refuses connections: used, the request fails; bypassed by
    // no_proxy, it succeeds. (libcurl reads these at each request.)
    ::setenv("https_proxy", "http://127.0.0.1:1", 1);
    ::setenv("no_proxy", "", 1);
    ClientOptions o = options();
    o.retry.max_attempts = 1;
    Client client(o);
    try {
        client.send(get(server_.url("/object")));
        ADD_FAILURE() << "the proxy from https_proxy was not used";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::connect) << e.what();
    }
    ::setenv("no_proxy", "127.0.0.1", 1);
    EXPECT_EQ(client.send(get(server_.url("/object"))).status, 200);
    ::unsetenv("https_proxy");
    ::unsetenv("no_proxy");
}

TEST_F(HttpClient, TraceDumpsHeadersRedacted) {
    ClientOptions o = options();
    o.log_level = LogLevel::trace;
    Client client(o);
    Request r = get(server_.url("/object"));
    r.headers = {{"Authorization", "Bearer trace-secret-token"}, {"x-ms-version", "2021-08-06"}};
    EXPECT_EQ(client.send(r).status, 200);
    const std::string text = log_.text();
    EXPECT_NE(text.find("> GET /object HTTP/1.1"), std::string::npos) << text;
    EXPECT_NE(text.find("> x-ms-version: 2021-08-06"), std::string::npos) << text;
    EXPECT_NE(text.find("< x-test-sha256:"), std::string::npos) << text;
    EXPECT_NE(text.find("> Authorization: REDACTED"), std::string::npos) << text;
    EXPECT_EQ(text.find("trace-secret-token"), std::string::npos) << text;
    // Not a line per TLS record: a disk would log one per 16 KiB.
    EXPECT_EQ(text.find("(IN), TLS"), std::string::npos) << text;
}
