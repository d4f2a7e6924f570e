// Device URL host substitution, matching lease devices to disks, names.
#include <gtest/gtest.h>

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
