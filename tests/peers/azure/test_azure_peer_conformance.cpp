// The loopback Entra ID + ARM peer against Microsoft's own clients
// (conformance.cjs: @azure/identity, @azure/arm-compute, @azure/storage-blob),
// so the peer the Azure provider is tested against cannot drift from the
// documented wire format.
#include <gtest/gtest.h>

#include "azure_peers.hpp"
#include "known_peers.hpp"

using namespace hypersdk::test;

TEST(AzurePeerConformance, ArmPeerAgainstTheAzureSdk) {
    TempDir dir;
    AzurePeersOptions o;
    AzureVmSpec vm;
    vm.disks = {{"web-01-os", make_fixed_vhd(dir.path() / "os.raw", 16u << 20)}};
    o.vms = {vm};
    AzurePeers peers(o);
    const auto r =
        run_node_script(peer_scripts_dir() / "azure/conformance.cjs",
                        {peers.arm_url(), AzurePeers::kTenant, AzurePeers::kClientId,
                         AzurePeers::kClientSecret, AzurePeers::kSubscription, vm.resource_group, vm.name},
                        peers.ca_bundle());
    EXPECT_FALSE(r.timed_out);
    EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
    EXPECT_NE(r.out.find("\"ok\":true"), std::string::npos) << r.out << r.err;
    // The peer saw the SDK's calls, and the SDK's snapshot is gone again.
    const std::string state = peers.state();
    EXPECT_NE(state.find("\"deleted_snapshots\":[\"conformance-"), std::string::npos) << state;
    EXPECT_NE(state.find("\"snapshots\":{}"), std::string::npos) << state;
}
