// The Azure test world for tests that drive the plugin itself through core's
// loader (tests/support/provider_harness.hpp): Azurite and the loopback Entra
// ID + ARM peer (tests/peers/azure) with VM web-01 (running; an OS disk and
// a data disk as qemu-img-made fixed VHDs with holes), and the config JSON
// the plugin's open takes for them.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "azure_peers.hpp"
#include "temp_dir.hpp"

namespace hypersdk::test {

class AzurePluginWorld {
public:
    static constexpr uint64_t kOsBytes = 32u << 20;
    static constexpr uint64_t kDataBytes = 16u << 20;

    explicit AzurePluginWorld(const std::string& faults_json = "{}") {
        os_vhd_ = make_fixed_vhd(dir_.path() / "os.raw", kOsBytes);
        data_vhd_ = make_fixed_vhd(dir_.path() / "data.raw", kDataBytes);
        AzurePeersOptions o;
        AzureVmSpec vm;
        vm.disks = {{"web-01-os", os_vhd_}, {"web-01-data", data_vhd_, 0}};
        o.vms = {vm};
        o.faults_json = faults_json;
        peers_ = std::make_unique<AzurePeers>(o);
    }

    // `more`: extra members, e.g. R"("range-mib":1)".
    std::string config_json(const std::string& secret = AzurePeers::kClientSecret,
                            const std::string& more = "") const {
        return std::string("{\"tenant-id\":\"") + AzurePeers::kTenant + "\",\"client-id\":\"" +
               AzurePeers::kClientId + "\",\"client-secret\":\"" + secret + "\",\"subscription-id\":\"" +
               AzurePeers::kSubscription + "\",\"authority-host\":\"" + peers_->arm_url() +
               "\",\"arm-endpoint\":\"" + peers_->arm_url() + "\",\"ca-file\":\"" + peers_->ca_bundle() +
               "\",\"resource-group\":\"rg-migrate\"" + (more.empty() ? "" : "," + more) + "}";
    }

    AzurePeers& peers() { return *peers_; }
    const AzurePeers& peers() const { return *peers_; }
    const std::filesystem::path& os_vhd() const { return os_vhd_; }
    const std::filesystem::path& data_vhd() const { return data_vhd_; }

private:
    TempDir dir_;
    std::filesystem::path os_vhd_, data_vhd_;
    std::unique_ptr<AzurePeers> peers_;
};

}  // namespace hypersdk::test
