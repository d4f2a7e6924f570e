// stream_download: resuming from an offset, continuing after a broken
// connection, starting over when Range is ignored, and never taking a body
// that ended early for a complete one.
#include <gtest/gtest.h>
#include <hypersdk/http/stream_download.hpp>

#include "fault_server.hpp"
#include "http_test_support.hpp"

using namespace hypersdk::http;
using hypersdk::test::Fault;
using hypersdk::test::FaultServer;
using namespace std::chrono_literals;

namespace {

class StreamDownload : public ::testing::Test {
protected:
    void SetUp() override { server_.put("/disk.vmdk", object_); }

    ClientOptions options() {
        ClientOptions o;
        o.tls.ca_file = server_.ca_file();
        o.clock = std::make_shared<hypersdk::test::FakeClock>();
        o.log = log_.fn();
        o.retry.max_attempts = 3;
        return o;
    }
    Request request() {
        Request r;
        r.url = server_.url("/disk.vmdk");
        return r;
    }

    const std::string object_ = hypersdk::test::patterned_bytes(3 << 20, 11);
    FaultServer server_;
    hypersdk::test::LogCapture log_;
};

}  // namespace

TEST_F(StreamDownload, ResumesFromAnOffsetWithRange) {
    Client client(options());
    std::string tail;
    StreamCallbacks cb;
    cb.on_data = [&](const char* d, size_t n) { tail.append(d, n); };
    cb.on_restart = [] { ADD_FAILURE() << "no restart expected"; };
    uint64_t last_progress = 0;
    cb.on_progress = [&](uint64_t position, uint64_t total) {
        EXPECT_EQ(total, object_.size());
        last_progress = position;
    };
    const StreamResult r = stream_download(client, request(), 1000, cb);
    EXPECT_EQ(r.status, 206);
    EXPECT_EQ(r.start_offset, 1000u);
    EXPECT_EQ(r.total, object_.size());
    EXPECT_EQ(last_progress, object_.size());
    EXPECT_TRUE(object_.substr(1000) == tail);
    ASSERT_EQ(server_.requests().size(), 1u);
    EXPECT_EQ(server_.requests()[0].range, "bytes=1000-");

    const StreamResult done = stream_download(client, request(), object_.size(), {});
    EXPECT_EQ(done.status, 416);
    EXPECT_EQ(done.bytes, 0u);
}

TEST_F(StreamDownload, ContinuesFromTheNextByteAfterABrokenConnection) {
    server_.add({.kind = Fault::Kind::drop_after, .bytes = 700000});
    Client client(options());
    std::string got;
    StreamCallbacks cb;
    cb.on_data = [&](const char* d, size_t n) { got.append(d, n); };
    const StreamResult r = stream_download(client, request(), 0, cb);
    EXPECT_TRUE(got == object_);
    const auto requests = server_.requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[0].range, "bytes=0-");
    // From the first byte it lacked: the reset may discard bytes the server
    // sent and the client had not read yet, so somewhere up to 700000.
    ASSERT_TRUE(requests[1].range);
    const uint64_t resumed_at = std::stoull(requests[1].range->substr(6));
    EXPECT_GT(resumed_at, 0u);
    EXPECT_LE(resumed_at, 700000u);
    EXPECT_EQ(*requests[1].range, "bytes=" + std::to_string(resumed_at) + "-");
    EXPECT_FALSE(r.restarted);
}

TEST_F(StreamDownload, AServerIgnoringRangeRestartsTheConsumer) {
    server_.add({.kind = Fault::Kind::ignore_range});
    Client client(options());
    std::string kept = object_.substr(0, 5000);  // what a partial file would hold
    int restarts = 0;
    StreamCallbacks cb;
    cb.on_restart = [&] {
        ++restarts;
        kept.clear();
    };
    cb.on_data = [&](const char* d, size_t n) { kept.append(d, n); };
    const StreamResult r = stream_download(client, request(), 5000, cb);
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(r.restarted);
    EXPECT_EQ(restarts, 1);
    EXPECT_EQ(r.start_offset, 0u);
    EXPECT_TRUE(kept == object_);
}

TEST_F(StreamDownload, ABodyEndingEarlyIsContinuedNeverTakenAsComplete) {
    // A clean close without Content-Length: libcurl calls such an answer
    // complete; its Content-Range says otherwise, so the rest is asked for.
    server_.add({.kind = Fault::Kind::truncate_clean, .times = 2, .bytes = 4096});
    Client client(options());
    std::string got;
    StreamCallbacks cb;
    cb.on_data = [&](const char* d, size_t n) { got.append(d, n); };
    stream_download(client, request(), 0, cb);
    EXPECT_TRUE(got == object_);
    const auto requests = server_.requests();
    ASSERT_EQ(requests.size(), 3u);
    EXPECT_EQ(requests[2].range, "bytes=8192-");
}

TEST_F(StreamDownload, ABodyThatKeepsEndingEarlyIsAnError) {
    server_.add({.kind = Fault::Kind::truncate_clean, .times = 1000, .bytes = 0});
    Client client(options());
    std::string got;
    StreamCallbacks cb;
    cb.on_data = [&](const char* d, size_t n) { got.append(d, n); };
    try {
        stream_download(client, request(), 10, cb);
        FAIL() << "a truncated body was taken for the whole object";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::transport) << e.what();
        EXPECT_NE(std::string(e.what()).find("ended at byte 10 of " + std::to_string(object_.size())),
                  std::string::npos)
            << e.what();
        EXPECT_NE(std::string(e.what()).find("3 attempts in a row failed"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(got.empty());
}

TEST_F(StreamDownload, GivesUpSayingHowFarItGot) {
    // Every answer breaks before its first body byte.
    server_.add({.kind = Fault::Kind::drop_after, .times = 100, .bytes = 0});
    Client client(options());
    uint64_t got = 0;
    StreamCallbacks cb;
    cb.on_data = [&](const char*, size_t n) { got += n; };
    try {
        stream_download(client, request(), 0, cb);
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::transport) << e.what();
        EXPECT_NE(std::string(e.what()).find("stopped after 0 bytes"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("(after 3 attempts)"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("it can resume from there"), std::string::npos) << e.what();
    }
    EXPECT_EQ(server_.requests().size(), 3u);
}

TEST_F(StreamDownload, AStalledTransferTimesOutAndResumes) {
    // Few bytes before the stall: libcurl judges speed over its last seconds.
    server_.add({.kind = Fault::Kind::stall, .bytes = 500, .stall = 10000ms});
    ClientOptions o = options();
    o.stall_timeout = 1s;
    o.stall_bytes_per_second = 1000;
    Client client(o);
    std::string got;
    StreamCallbacks cb;
    cb.on_data = [&](const char* d, size_t n) { got.append(d, n); };
    const auto start = std::chrono::steady_clock::now();
    stream_download(client, request(), 0, cb);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
    EXPECT_TRUE(got == object_);
    EXPECT_NE(log_.text().find("timed out"), std::string::npos) << log_.text();
}

TEST_F(StreamDownload, CancelledMidBody) {
    server_.add({.kind = Fault::Kind::stall, .bytes = 100000, .stall = 10000ms});
    Client client(options());
    uint64_t got = 0;
    StreamCallbacks cb;
    cb.on_data = [&](const char*, size_t n) { got += n; };
    cb.is_cancelled = [&] { return got >= 100000; };
    const auto start = std::chrono::steady_clock::now();
    try {
        stream_download(client, request(), 0, cb);
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::cancelled) << e.what();
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
}
