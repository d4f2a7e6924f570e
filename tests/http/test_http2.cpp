// HTTP/2 where the server offers it: the client negotiates h2 by ALPN with a
// server that speaks nothing else (Node's http2, tests/peers/fixtures), and
// both downloaders work over it.
#include <gtest/gtest.h>
#include <hypersdk/http/ranged_download.hpp>
#include <hypersdk/http/stream_download.hpp>

#include "http_test_support.hpp"
#include "known_peers.hpp"

using namespace hypersdk::http;

namespace {

hypersdk::test::NodePeerOptions h2_server(uint64_t size) {
    hypersdk::test::NodePeerOptions o;
    o.name = "http2 object server";
    o.argv = {"{node}", (hypersdk::test::peer_scripts_dir() / "fixtures/h2_object_server.cjs").string(),
              "{port}", "{cert}",
              "{key}",  std::to_string(size),
              "3"};
    o.ready_path = "/";
    return o;
}

}  // namespace

TEST(Http2, NegotiatedWhereOfferedForRequestsAndBothDownloads) {
    const uint64_t size = 9u << 20;
    hypersdk::test::NodePeer peer(h2_server(size));
    ClientOptions o;
    o.tls.ca_file = peer.ca_file();
    Client client(o);
    Request r;
    r.url = peer.base_url() + "/object";
    const Response whole = client.send(r);
    EXPECT_EQ(whole.status, 200);
    EXPECT_EQ(whole.http_version, "2");
    ASSERT_EQ(whole.body.size(), size);

    std::string streamed;
    StreamCallbacks cb;
    cb.on_data = [&](const char* d, size_t n) { streamed.append(d, n); };
    const StreamResult s = stream_download(client, r, 1000, cb);
    EXPECT_EQ(s.status, 206);
    EXPECT_TRUE(streamed == whole.body.substr(1000));

    hypersdk::test::MemorySink sink;
    RangedDownloadOptions ro;
    ro.workers = 4;
    ro.range_size = 1u << 20;
    ranged_download(client, range_request_factory(r.url), whole_object(size), sink, ro);
    EXPECT_TRUE(sink.bytes == whole.body);

    // Offered, not imposed: with http2 off the same server (h2 only) is refused.
    ClientOptions h1 = o;
    h1.http2 = false;
    h1.retry.max_attempts = 1;
    Client old_client(h1);
    EXPECT_THROW(old_client.send(r), Error);
}
