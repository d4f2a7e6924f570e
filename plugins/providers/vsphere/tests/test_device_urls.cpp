// Device URL host substitution, the trust decision for device URLs on another
// host, matching lease devices to disks, names.
#include <gtest/gtest.h>

#include "errors.hpp"
#include "inventory.hpp"
#include "nfc_download.hpp"
#include "vm_config.hpp"

namespace hypersdk::vsphere {
namespace {

TEST(VsphereDeviceUrl, StarHostIsReplaced) {
    EXPECT_EQ(resolve_device_url("https://*/nfc/52a/disk-0.vmdk", "127.0.0.1:8989"),
              "https://127.0.0.1:8989/nfc/52a/disk-0.vmdk");
    EXPECT_EQ(resolve_device_url("https://*:443/nfc/1/d.vmdk", "vc:443"), "https://vc:443/nfc/1/d.vmdk");
    EXPECT_EQ(resolve_device_url("https://esx1.example.com/nfc/1/d.vmdk", "vc"),
              "https://esx1.example.com/nfc/1/d.vmdk");
}

constexpr const char* kSha1 = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01";

LeaseDevice device(const std::string& url, const std::string& thumbprint = "") {
    LeaseDevice d;
    d.key = "2000";
    d.url = url;
    d.ssl_thumbprint = thumbprint;
    d.disk = true;
    return d;
}

Config session_config(const std::string& url, bool insecure = false, const std::string& pin = "") {
    Config c;
    c.url = url;
    c.insecure = insecure;
    c.thumbprint = pin;
    c.normalise();
    return c;
}

TEST(VsphereDeviceTrust, TheSessionsHostKeepsTheSessionsTrust) {
    const Config c = session_config("https://VC.example.com/sdk", false, kSha1);
    // '*', the same name in another case, and the default port written out.
    for (const char* url : {"https://*/nfc/1/disk-0.vmdk", "https://vc.example.com/nfc/1/disk-0.vmdk",
                            "https://vc.example.com:443/nfc/1/disk-0.vmdk"}) {
        const DeviceTarget t =
            device_target(device(url, "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33"), c);
        EXPECT_EQ(t.trust.kind, HostTrust::Kind::session)
            << url << ": the lease's thumbprint is not for the session host";
        EXPECT_TRUE(t.trust.thumbprint.empty()) << url;
    }
    EXPECT_EQ(device_target(device("https://*/nfc/1/d.vmdk"), c).url, "https://VC.example.com/nfc/1/d.vmdk");
    const Config v6 = session_config("https://[::1]:8989/sdk");
    EXPECT_EQ(device_target(device("https://[::1]:8989/nfc/1/d.vmdk", kSha1), v6).trust.kind,
              HostTrust::Kind::session);
}

TEST(VsphereDeviceTrust, AnotherHostWithALeaseThumbprintIsPinnedToIt) {
    const Config c = session_config("https://vc.example.com/sdk");
    for (const char* url : {"https://esx1.example.com/nfc/1/disk-0.vmdk",
                            "https://vc.example.com:8443/nfc/1/disk-0.vmdk", "https://[::1]/nfc/1/d.vmdk"}) {
        const DeviceTarget t = device_target(device(url, kSha1), c);
        EXPECT_EQ(t.url, url);
        EXPECT_EQ(t.trust.kind, HostTrust::Kind::thumbprint) << url;
        EXPECT_EQ(t.trust.thumbprint, kSha1) << url;
    }
    EXPECT_EQ(device_target(device("https://esx1.example.com:902/nfc/1/d.vmdk", kSha1), c).trust.host,
              "esx1.example.com:902");
}

TEST(VsphereDeviceTrust, AnotherHostWithoutThumbprintNeedsTheCaStoreNeverTheSessionPin) {
    const Config pinned = session_config("https://vc.example.com/sdk", false, kSha1);
    const DeviceTarget t = device_target(device("https://esx1.example.com/nfc/1/disk-0.vmdk"), pinned);
    EXPECT_EQ(t.trust.kind, HostTrust::Kind::ca);
    EXPECT_EQ(t.trust.host, "esx1.example.com");
    EXPECT_TRUE(t.trust.thumbprint.empty());
}

TEST(VsphereDeviceTrust, InsecureStillTurnsVerificationOff) {
    const Config c = session_config("https://vc.example.com/sdk", true);
    // Kind::ca under insecure: no verification, and no pin either.
    EXPECT_EQ(device_target(device("https://esx1.example.com/nfc/1/d.vmdk", kSha1), c).trust.kind,
              HostTrust::Kind::ca);
    EXPECT_EQ(device_target(device("https://esx1.example.com/nfc/1/d.vmdk", "not hex"), c).trust.kind,
              HostTrust::Kind::ca);
}

TEST(VsphereDeviceTrust, AMalformedLeaseThumbprintIsRefused) {
    const Config c = session_config("https://vc.example.com/sdk");
    try {
        device_target(device("https://esx1.example.com/nfc/1/d.vmdk", "AB:CD"), c);
        FAIL() << "a malformed thumbprint was accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::tls);
        EXPECT_NE(std::string(e.what()).find("esx1.example.com"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("'AB:CD'"), std::string::npos) << e.what();
    }
}

TEST(VsphereDeviceUrl, DevicesMatchDisksByKeyThenControllerUnit) {
    VmInfo vm;
    DiskInfo a{"disk-0", 2000, "Hard disk 1", 1, "", "scsi", 1000, 0, 0, 0};
    DiskInfo b{"disk-1", 2001, "Hard disk 2", 1, "", "scsi", 1000, 0, 1, 1};
    vm.disks = {a, b};
    LeaseInfo by_key;
    by_key.devices = {{"2001", "", "u1", "", "", true, 0}, {"2000", "", "u0", "", "", true, 0}};
    EXPECT_EQ(device_for_disk(by_key, vm, a)->url, "u0");
    EXPECT_EQ(device_for_disk(by_key, vm, b)->url, "u1");

    LeaseInfo by_unit;
    by_unit.devices = {{"/vm-1/VirtualLsiLogicController0:1", "", "u1", "", "", true, 0},
                       {"/vm-1/VirtualLsiLogicController0:0", "", "u0", "", "", true, 0},
                       {"/vm-1/nvram", "", "nv", "", "", false, 0}};
    EXPECT_EQ(device_for_disk(by_unit, vm, a)->url, "u0");
    EXPECT_EQ(device_for_disk(by_unit, vm, b)->url, "u1");
}

TEST(VsphereNames, UnescapeAndFirmware) {
    EXPECT_EQ(unescape_name("a%2fb%25c%5Cd"), "a/b%c\\d");
    EXPECT_EQ(unescape_name("100%"), "100%");
    EXPECT_EQ(firmware_name("efi"), "uefi");
    EXPECT_EQ(firmware_name("bios"), "bios");
    EXPECT_EQ(firmware_name(""), "unknown");
    EXPECT_EQ(controller_kind("ParaVirtualSCSIController"), "scsi");
    EXPECT_EQ(controller_kind("VirtualIDEController"), "ide");
    EXPECT_EQ(controller_kind("VirtualNVMEController"), "nvme");
}

}  // namespace
}  // namespace hypersdk::vsphere
