// The GCP peer against Google's own npm clients (conformance/gcp.cjs), so the
// peer our client is tested against cannot drift from Google's wire format.
#include <gtest/gtest.h>

#include <fstream>

#include "gcp_peer.hpp"
#include "images.hpp"
#include "known_peers.hpp"

namespace hypersdk::test {
namespace {

TEST(PeerConformance, GcpPeerAgainstGooglesClients) {
    TempDir data;
    std::string object(300000, '\0');
    for (size_t i = 0; i < object.size(); ++i) object[i] = static_cast<char>((i * 7919) >> 3);
    std::ofstream(data / "object.bin", std::ios::binary) << object;
    GcpPeerOptions o;
    o.instances_json = R"([{"name": "web-01", "zone": "us-central1-a", "id": "4242", "status": "RUNNING",
        "machine_type": "e2-standard-2", "cpus": 2, "memory_mb": 8192, "shielded": null,
        "nics": [{"name": "nic0", "network": "default", "ip": "10.128.0.7"}],
        "disks": [{"name": "web-01", "boot": true, "index": 0, "size_gb": 10, "raw": "/dev/null"}]}])";
    o.objects_json = "{\"exports/object.bin\": \"" + (data / "object.bin").string() + "\"}";
    GcpPeer peer(o);
    const auto r =
        run_node_script(peer_scripts_dir() / "conformance/gcp.cjs",
                        {peer.base_url(), peer.key_file().string(), peer.project(), "us-central1-a", "web-01",
                         "exports", "object.bin", sha256_of_file(data / "object.bin").substr(7)},
                        peer.ca_file());
    EXPECT_FALSE(r.timed_out);
    EXPECT_EQ(r.exit_code, 0) << r.err << r.out << "\npeer:\n" << peer.node().output();
    EXPECT_NE(r.out.find("\"ok\":true"), std::string::npos) << r.out << r.err;
    // The peer saw a token issued for our key and one refused for the forged one.
    EXPECT_NE(peer.requests().find("TOKEN issued"), std::string::npos);
    EXPECT_NE(peer.requests().find("TOKEN refused"), std::string::npos);
}

}  // namespace
}  // namespace hypersdk::test
