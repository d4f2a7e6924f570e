// Azure end to end with a real guest: the guest's UEFI disk, made a fixed VHD
// by qemu-img, is the OS disk of a running Gen2 (Trusted Launch) VM in the
// Azure peers (Azurite holds it as a page blob, the ARM peer snapshots it and
// grants SAS); `hyperexport --provider azure --vm ... --convert --converter
// qemu-img --fix=false` exports and converts it; the result boots under QEMU
// with OVMF, the firmware the manifest names for a Gen2 VM.
#include <gtest/gtest.h>

#include "azure_peers.hpp"
#include "boot_harness.hpp"
#include "exported_guest_boot.hpp"
#include "guest_conversion.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using namespace hypersdk::test;
using namespace std::chrono_literals;

TEST(GuestAzure, UefiVmFromAzureConvertedWithQemuImgBoots) {
    const GuestImage guest = built_guest();
    ASSERT_FALSE(guest.id.empty()) << "no guest image under " HYPERSDK_GUEST_DIR
                                      "/current: run tests/guest/build-guest (ctest's guest_build)";
    TempDir dir;
    const fs::path vhd = dir.path() / "web-01-os.vhd";
    run_qemu_tool("qemu-img", {"convert", "-f", "raw", "-O", "vpc", "-o", "subformat=fixed,force_size=on",
                               guest.disk(Firmware::uefi).string(), vhd.string()});

    AzurePeersOptions world;
    AzureVmSpec vm;
    vm.trusted_launch = true;  // Gen2: UEFI firmware
    vm.secure_boot = false;    // QEMU boots it with OVMF without Secure Boot
    vm.disks = {{.name = "web-01-os", .vhd = vhd, .lun = -1, .upload_merge_gap = 64u << 10}};
    world.vms = {vm};
    AzurePeers peers(world);

    fs::create_directories(dir.path() / "home");
    ProcessOptions options;
    options.env = {{"AZURE_TENANT_ID", AzurePeers::kTenant},
                   {"AZURE_CLIENT_ID", AzurePeers::kClientId},
                   {"AZURE_CLIENT_SECRET", AzurePeers::kClientSecret},
                   {"AZURE_SUBSCRIPTION_ID", AzurePeers::kSubscription},
                   {"AZURE_AUTHORITY_HOST", peers.arm_url()},
                   {"PATH", "/usr/sbin:/usr/bin:/sbin:/bin"},
                   {"HOME", (dir.path() / "home").string()},
                   {"no_proxy", "127.0.0.1"}};
    // Only the peers' settings: none of the machine's own Azure configuration.
    options.unset_env = {"AZURE_RESOURCE_GROUP", "AZURE_CONFIG_DIR", "https_proxy", "HTTPS_PROXY"};
    options.timeout = 900s;
    const fs::path out = dir.path() / "out";
    const auto result =
        run_hyperexport({"--provider", "azure", "--vm", "web-01", "--resource-group", "rg-migrate",
                         "--arm-endpoint", peers.arm_url(), "--ca-file", peers.ca_bundle(), "--output",
                         out.string(), "--convert", "--converter", "qemu-img", "--fix=false", "--json"},
                        options);
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_EQ(result.out.find(AzurePeers::kClientSecret), std::string::npos);
    EXPECT_EQ(result.err.find(AzurePeers::kClientSecret), std::string::npos);

    // A Gen2 VM boots with UEFI; QEMU boots the converted disk with OVMF.
    EXPECT_TRUE(export_boots_with(out, result.out, guest, Firmware::uefi));
}
