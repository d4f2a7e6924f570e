// No secret reaches any output: a succeeding and a failing run of every
// path (requests with retries, a streamed and a ranged download with faults,
// TLS and connection failures, give-ups) at trace level, with credentials in
// headers, cookies, query strings and URL userinfo. Every log line and every
// error message is collected and searched for each secret.
#include <gtest/gtest.h>
#include <hypersdk/http/ranged_download.hpp>
#include <hypersdk/http/stream_download.hpp>

#include "fault_server.hpp"
#include "http_test_support.hpp"

using namespace hypersdk::http;
using hypersdk::test::Fault;
using hypersdk::test::FaultServer;

namespace {

const std::vector<std::string> kSecrets = {
    "E2E-bearer-SECRET-1", "E2E-amz-token-SECRET-2", "E2E-ms-key-SECRET-3", "E2E-cookie-SECRET-4",
    "E2E-sig-SECRET-5",    "E2E-se-SECRET-6",        "E2E-amzsig-SECRET-7", "E2E-goog-SECRET-8",
    "E2E-pass-SECRET-9",   "E2E-sp-SECRET-10",       "E2E-skoid-SECRET-11"};

class Redaction : public ::testing::Test {
protected:
    void SetUp() override { server_.put("/blob", hypersdk::test::patterned_bytes(1u << 20, 3)); }

    // The URL as a signed URL with userinfo, and every credential header.
    std::string secret_url(const std::string& base) const {
        const std::string with_user = "https://E2E-user:E2E-pass-SECRET-9@" + base.substr(8);
        return with_user +
               "/blob?sv=2021-08-06&sig=E2E-sig-SECRET-5&se=E2E-se-SECRET-6&sp=E2E-sp-SECRET-10"
               "&skoid=E2E-skoid-SECRET-11&X-Amz-Signature=E2E-amzsig-SECRET-7&X-Goog-Credential=E2E-goog-"
               "SECRET-8";
    }
    static Headers secret_headers() {
        return {{"Authorization", "Bearer E2E-bearer-SECRET-1"},
                {"x-amz-security-token", "E2E-amz-token-SECRET-2"},
                {"x-ms-encryption-key", "E2E-ms-key-SECRET-3"},
                {"Cookie", "session=E2E-cookie-SECRET-4"}};
    }
    ClientOptions options() {
        ClientOptions o;
        o.tls.ca_file = server_.ca_file();
        o.log = log_.fn();
        o.log_level = LogLevel::trace;
        o.clock = std::make_shared<hypersdk::test::FakeClock>();
        o.retry.max_attempts = 2;
        return o;
    }
    void record(const std::exception& e) { errors_ += std::string(e.what()) + "\n"; }

    void expect_no_secret() {
        const std::string all = log_.text() + errors_;
        ASSERT_FALSE(log_.lines.empty());
        for (const auto& s : kSecrets)
            EXPECT_EQ(all.find(s), std::string::npos) << s << " leaked in:\n" << all;
        // The outputs did carry the places where the secrets were.
        EXPECT_NE(all.find("sig=REDACTED"), std::string::npos) << all;
        EXPECT_NE(all.find("Authorization: REDACTED"), std::string::npos) << all;
    }

    FaultServer server_;
    hypersdk::test::LogCapture log_;
    std::string errors_;
};

}  // namespace

TEST_F(Redaction, ASucceedingRunShowsNoSecret) {
    server_.add({.kind = Fault::Kind::status, .status = 429, .headers = {{"Retry-After", "1"}}});
    server_.add({.kind = Fault::Kind::drop_after, .bytes = 1000});
    ClientOptions with_retries = options();
    with_retries.retry.max_attempts = 4;
    Client client(with_retries);
    Request r;
    r.url = secret_url(server_.url(""));
    r.headers = secret_headers();
    EXPECT_EQ(client.send(r).status, 200);
    std::string streamed;
    StreamCallbacks cb;
    cb.on_data = [&](const char* d, size_t n) { streamed.append(d, n); };
    stream_download(client, r, 0, cb);
    EXPECT_EQ(streamed.size(), 1u << 20);
    server_.add({.kind = Fault::Kind::corrupt, .range_start = 0});
    hypersdk::test::MemorySink sink;
    RangedDownloadOptions o;
    o.range_size = 256u << 10;
    o.check = [](const RangeData& d) -> std::optional<std::string> {
        if (find_header(d.headers, "x-test-sha256") == hypersdk::test::sha256_hex(d.body))
            return std::nullopt;
        return "checksum mismatch";
    };
    ranged_download(client, range_request_factory(r.url, r.headers), whole_object(1u << 20), sink, o);
    EXPECT_EQ(sink.bytes.size(), 1u << 20);
    EXPECT_NE(log_.text().find("retrying"), std::string::npos);
    EXPECT_NE(log_.text().find("integrity check"), std::string::npos);
    expect_no_secret();
}

TEST_F(Redaction, FailingRunsShowNoSecret) {
    server_.add({.kind = Fault::Kind::status, .times = 100, .status = 503});
    Client client(options());
    Request r;
    r.url = secret_url(server_.url(""));
    r.headers = secret_headers();
    try {  // gives up on 503
        Client::check_status(r, client.send(r));
        ADD_FAILURE();
    } catch (const Error& e) {
        record(e);
    }
    try {  // the ranged download gives up too
        hypersdk::test::MemorySink sink;
        ranged_download(client, range_request_factory(r.url, r.headers), whole_object(1u << 20), sink, {});
        ADD_FAILURE();
    } catch (const Error& e) {
        record(e);
    }
    try {  // a broken stream
        FaultServer dropping;
        dropping.put("/blob", std::string(100000, 'x'));
        dropping.add({.kind = Fault::Kind::drop_after, .times = 100, .bytes = 10});
        ClientOptions o = options();
        o.tls.ca_file = dropping.ca_file();
        Client c(o);
        Request s = r;
        s.url = secret_url(dropping.url(""));
        stream_download(c, s, 0, {});
        ADD_FAILURE();
    } catch (const Error& e) {
        record(e);
    }
    try {  // an untrusted certificate
        ClientOptions o = options();
        o.tls.ca_file.clear();
        Client c(o);
        c.send(r);
        ADD_FAILURE();
    } catch (const Error& e) {
        record(e);
    }
    try {  // nobody listening
        Client c(options());
        Request refused = r;
        refused.url = secret_url("https://127.0.0.1:1");
        c.send(refused);
        ADD_FAILURE();
    } catch (const Error& e) {
        record(e);
    }
    EXPECT_NE(errors_.find("HTTP 503"), std::string::npos) << errors_;
    EXPECT_NE(errors_.find("cannot verify the certificate"), std::string::npos) << errors_;
    EXPECT_NE(errors_.find("cannot connect"), std::string::npos) << errors_;
    expect_no_secret();
}
