// The Node peer harness, and one conformance test per shared peer: each is
// started on a free loopback port with a certificate made for it and driven
// by the vendor's own SDK from npm (conformance/*.cjs), so the peers the
// providers download from cannot drift from the real wire format.
#include <gtest/gtest.h>
#include <signal.h>

#include <cerrno>

#include "known_peers.hpp"

using hypersdk::test::NodePeer;
using hypersdk::test::ProcessResult;

namespace {

void expect_ok(const ProcessResult& r, const std::string& what) {
    EXPECT_FALSE(r.timed_out) << what << " timed out";
    EXPECT_EQ(r.exit_code, 0) << what << " failed:\n" << r.err << r.out;
    EXPECT_NE(r.out.find("\"ok\":true"), std::string::npos) << what << ": " << r.out << r.err;
}

}  // namespace

TEST(NodePeerHarness, StartsOnLoopbackAnswersAndStopsItsProcessGroup) {
    pid_t group = -1;
    {
        NodePeer peer(hypersdk::test::s3rver_peer());
        group = peer.pid();
        EXPECT_GT(peer.port(), 0);
        EXPECT_EQ(peer.base_url().rfind("https://127.0.0.1:", 0), 0u);
        EXPECT_TRUE(std::filesystem::exists(peer.ca_file()));
        ASSERT_EQ(::kill(-group, 0), 0) << "the peer runs in its own process group";
        peer.stop();
        EXPECT_EQ(peer.pid(), -1);
    }
    errno = 0;
    EXPECT_EQ(::kill(-group, 0), -1);
    EXPECT_EQ(errno, ESRCH) << "something of the peer's process group is still alive";
}

TEST(NodePeerHarness, APeerThatCannotStartSaysWhy) {
    hypersdk::test::NodePeerOptions o;
    o.name = "broken";
    o.argv = {"{node}", "-e", "console.error('no such peer'); process.exit(3)"};
    o.ready_timeout = std::chrono::seconds(20);
    try {
        NodePeer peer(o);
        FAIL() << "a peer that exits was taken for running";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("exited (status 3)"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("no such peer"), std::string::npos) << e.what();
    }
}

TEST(PeerConformance, S3rverAgainstTheAwsSdk) {
    NodePeer peer(hypersdk::test::s3rver_peer());
    expect_ok(hypersdk::test::run_node_script(hypersdk::test::peer_scripts_dir() / "conformance/s3rver.cjs",
                                              {peer.base_url()}, peer.ca_file()),
              "conformance/s3rver.cjs");
}

TEST(PeerConformance, AzuriteAgainstTheAzureSdk) {
    NodePeer peer(hypersdk::test::azurite_peer());
    expect_ok(hypersdk::test::run_node_script(hypersdk::test::peer_scripts_dir() / "conformance/azurite.cjs",
                                              {peer.base_url()}, peer.ca_file()),
              "conformance/azurite.cjs");
}

TEST(NodePeerHarness, NodeProcessesGetNoCloudAccountNorProxy) {
    ::setenv("AWS_SECRET_ACCESS_KEY", "caller-secret", 1);
    ::setenv("AZURE_CLIENT_SECRET", "caller-secret", 1);
    ::setenv("https_proxy", "http://proxy.invalid:3128", 1);
    const auto r =
        hypersdk::test::run_node_script("-e",
                                        {"console.log(JSON.stringify(Object.keys(process.env).filter((k) => "
                                         "/^(AWS_|AZURE_|GOOGLE_)|proxy/i.test(k))))"},
                                        "", std::chrono::seconds(30));
    ::unsetenv("AWS_SECRET_ACCESS_KEY");
    ::unsetenv("AZURE_CLIENT_SECRET");
    ::unsetenv("https_proxy");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // Only what the harness sets itself: metadata lookups off, loopback never proxied.
    EXPECT_EQ(r.out, "[\"AWS_EC2_METADATA_DISABLED\",\"NO_PROXY\",\"no_proxy\"]\n") << r.out;
}
