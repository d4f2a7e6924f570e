// The provider conformance suite (tests/support/provider_conformance.*) with
// vcsim as the vSphere peer: a 64 MiB patterned streamOptimized VMDK uploaded
// as DC0_H0_VM0's disk, exported through core and compared byte for byte.
#include <memory>
#include <string>

#include "images.hpp"
#include "provider_conformance.hpp"
#include "temp_dir.hpp"
#include "vcsim_fixture.hpp"

namespace {

using hypersdk::test::ConformanceCase;
using hypersdk::test::ConformancePeer;
using hypersdk::test::ProviderConformance;
using hypersdk::test::TempDir;
using hypersdk::test::Vcsim;
using hypersdk::test::VcsimOptions;

// Made once for every test of the binary.
const std::filesystem::path& source_vmdk() {
    static TempDir* dir = [] {
        auto* d = new TempDir();
        const auto raw = *d / "source.raw";
        hypersdk::test::write_patterned_raw(raw, 64u << 20);
        for (const auto& v : hypersdk::test::all_source_variants())
            if (v.name == "vmdk-streamOptimized") hypersdk::test::convert_raw_to(raw, v, *d / "source.vmdk");
        return d;
    }();
    static const std::filesystem::path path = *dir / "source.vmdk";
    return path;
}

std::string json_config(const Vcsim& sim, const std::string& password) {
    return R"({"url":")" + sim.url() + R"(","username":")" + sim.username() + R"(","password":")" + password +
           R"(","ca-file":")" + sim.ca_file().string() + R"("})";
}

class VcsimPeer : public ConformancePeer {
public:
    std::string provider_name() const override { return "vsphere"; }
    std::filesystem::path plugin_dir() const override { return PLUGIN_DIR; }
    void start(bool slow) override {
        VcsimOptions options;
        // 64 MiB at 8 MiB/s: about 8 s, so a cancellation lands mid-download.
        if (slow) options.nfc_rate = 8 << 20;
        sim_ = std::make_unique<Vcsim>(options);
        sim_->upload_file(source_vmdk(), "DC0_H0_VM0/disk1.vmdk");
    }
    std::string config_json() const override { return json_config(*sim_, sim_->password()); }
    std::string config_with_wrong_secret() const override { return json_config(*sim_, wrong_secret()); }
    std::string wrong_secret() const override { return "Wrong-Conformance-Pa55"; }
    std::vector<std::string> credential_names() const override { return {"GOVC_PASSWORD", "--password"}; }
    std::string vm_ref() const override { return "DC0_H0_VM0"; }
    bool export_needs_power_off() const override { return true; }  // vcsim's VMs run
    std::map<std::string, std::string> expected_disk_sha256() const override {
        return {{"DC0_H0_VM0-disk-0.vmdk", hypersdk::test::sha256_of_file(source_vmdk())}};
    }

private:
    std::unique_ptr<Vcsim> sim_;
};

INSTANTIATE_TEST_SUITE_P(Vsphere, ProviderConformance,
                         ::testing::Values(ConformanceCase{"vcsim",
                                                           [] { return std::make_unique<VcsimPeer>(); }}),
                         hypersdk::test::conformance_case_name);

}  // namespace
