// The vSphere client's NFC downloads (HttpTransport::get) against the
// fault-injecting loopback server of the transport's tests: what the shared
// transport brought to vSphere. A disk cut short by a clean close is not
// taken for the whole disk, a connection reset mid-disk resumes from the
// next byte, a throttled GET waits as the server asks and goes on.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "config.hpp"
#include "errors.hpp"
#include "fault_server.hpp"
#include "http_test_support.hpp"
#include "http_transport.hpp"

using namespace hypersdk::vsphere;
using hypersdk::test::Fault;
using namespace std::chrono_literals;

namespace {

class VsphereNfcTransport : public ::testing::Test {
protected:
    void SetUp() override {
        server_.put("/nfc/52a/disk-0.vmdk", disk_);
        config_.url = server_.url("/sdk");
        config_.username = "nfc-user";
        config_.ca_file = server_.ca_file();
        config_.normalise();
    }
    std::string download(HttpTransport& transport) {
        std::string got;
        DownloadCallbacks cb;
        cb.on_data = [&](const char* d, size_t n) { got.append(d, n); };
        transport.get(server_.url("/nfc/52a/disk-0.vmdk"), 0, cb);
        return got;
    }

    const std::string disk_ = hypersdk::test::patterned_bytes(3u << 20, 21);
    hypersdk::test::FaultServer server_;
    Config config_;
};

}  // namespace

TEST_F(VsphereNfcTransport, ADiskCutShortByACleanCloseIsNotTakenForTheWholeDisk) {
    // No Content-Length, 4 KiB, then a clean close: only a Content-Range
    // (asked for with "Range: bytes=0-") tells that the disk is not complete.
    server_.add({.kind = Fault::Kind::truncate_clean, .bytes = 4096});
    HttpTransport transport(config_);
    const std::string got = download(transport);
    EXPECT_EQ(got.size(), disk_.size());
    EXPECT_TRUE(got == disk_);
}

TEST_F(VsphereNfcTransport, AConnectionResetMidDiskResumesFromTheNextByte) {
    server_.add({.kind = Fault::Kind::drop_after, .bytes = 1u << 20});
    HttpTransport transport(config_);
    EXPECT_TRUE(download(transport) == disk_);
    const auto requests = server_.requests();
    ASSERT_EQ(requests.size(), 2u);
    ASSERT_TRUE(requests[1].range);
    EXPECT_NE(*requests[1].range, "bytes=0-");
}

TEST_F(VsphereNfcTransport, AThrottledGetWaitsAsTheServerAsks) {
    server_.add({.kind = Fault::Kind::status, .status = 503, .headers = {{"Retry-After", "1"}}});
    HttpTransport transport(config_);
    EXPECT_TRUE(download(transport) == disk_);
    const auto requests = server_.requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_GE(requests[1].at - requests[0].at, 1s);
}

TEST_F(VsphereNfcTransport, AServerThatKeepsFailingEndsInATransportErrorSayingWhere) {
    server_.add({.kind = Fault::Kind::drop_after, .times = 100, .bytes = 0});
    HttpTransport transport(config_);
    try {
        download(transport);
        FAIL() << "the download survived a server that breaks every answer";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::transport) << e.what();
        EXPECT_NE(std::string(e.what()).find("after 0 bytes"), std::string::npos) << e.what();
    }
    EXPECT_EQ(server_.requests().size(), 4u);  // vSphere's retry policy: 4 attempts in a row
}
