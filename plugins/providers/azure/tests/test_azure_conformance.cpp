// The provider conformance suite (tests/support/provider_conformance.*) with
// the Azure world as the peer: Azurite holding web-01's OS and data disks as
// page blobs with holes, the loopback Entra ID + ARM peer describing the
// running VM and handing out SAS URLs. The export runs from snapshots; after
// a cancelled one the peer must hold no snapshot and no active grant.
#include <memory>
#include <string>

#include "azure_plugin_peer.hpp"
#include "images.hpp"
#include "provider_conformance.hpp"

namespace {

using hypersdk::test::AzurePluginWorld;
using hypersdk::test::ConformanceCase;
using hypersdk::test::ConformancePeer;
using hypersdk::test::ProviderConformance;

class AzureConformancePeer : public ConformancePeer {
public:
    std::string provider_name() const override { return "azure"; }
    std::filesystem::path plugin_dir() const override { return PLUGIN_DIR; }
    void start(bool slow) override {
        // Slow: every blob request waits 1.5 s in the peer's proxy, so a
        // cancellation lands between the first range and the last.
        world_ = std::make_unique<AzurePluginWorld>(slow ? R"({"blob_proxy": {"delay_ms": 1500}})" : "{}");
    }
    std::string config_json() const override { return world_->config_json(); }
    std::string config_with_wrong_secret() const override { return world_->config_json(wrong_secret()); }
    std::string wrong_secret() const override { return "Wrong-Conformance-Secret~42"; }
    std::vector<std::string> credential_names() const override {
        return {"AZURE_CLIENT_SECRET", "--client-secret"};
    }
    std::string vm_ref() const override { return "web-01"; }
    std::map<std::string, std::string> expected_disk_sha256() const override {
        return {{"web-01-disk-0.vhd", hypersdk::test::sha256_of_file(world_->os_vhd())},
                {"web-01-disk-1.vhd", hypersdk::test::sha256_of_file(world_->data_vhd())}};
    }
    std::string leftovers_after_cancel() const override {
        const std::string state = world_->peers().state();
        if (state.find("\"snapshots\":{}") == std::string::npos ||
            state.find("\"grants\":{}") == std::string::npos)
            return "snapshots or read grants left in Azure after the cancelled export: " + state;
        return {};
    }

private:
    std::unique_ptr<AzurePluginWorld> world_;
};

INSTANTIATE_TEST_SUITE_P(Azure, ProviderConformance,
                         ::testing::Values(ConformanceCase{
                             "azurite", [] { return std::make_unique<AzureConformancePeer>(); }}),
                         hypersdk::test::conformance_case_name);

}  // namespace
