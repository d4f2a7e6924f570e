// Listing, finding and describing VMs in vcsim's VPX inventory.
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>

#include "errors.hpp"
#include "inventory.hpp"
#include "property_collector.hpp"
#include "vcsim_config.hpp"
#include "vm_config.hpp"

namespace hypersdk::vsphere {
namespace {

using hypersdk::test::Vcsim;
using test::config_for;

class VsphereInventory : public ::testing::Test {
protected:
    static void SetUpTestSuite() { sim_ = new Vcsim(); }
    static void TearDownTestSuite() {
        delete sim_;
        sim_ = nullptr;
    }
    void SetUp() override {
        session_ = std::make_unique<Session>(config_for(*sim_));
        session_->login();
    }
    static Vcsim* sim_;
    std::unique_ptr<Session> session_;
};
Vcsim* VsphereInventory::sim_ = nullptr;

TEST_F(VsphereInventory, ListsEveryVmWithPathAndDatacenter) {
    auto vms = list_vms(*session_);
    ASSERT_EQ(vms.size(), 4u);  // VPX: 2 on the standalone host, 2 in the cluster
    auto it = std::find_if(vms.begin(), vms.end(), [](const VmEntry& v) { return v.name == "DC0_H0_VM0"; });
    ASSERT_NE(it, vms.end());
    EXPECT_EQ(it->path, "/DC0/vm/DC0_H0_VM0");
    EXPECT_EQ(it->datacenter, "DC0");
    EXPECT_EQ(it->ref.type, "VirtualMachine");
    EXPECT_EQ(it->power_state, "poweredOn");
    EXPECT_GT(it->cpu, 0);
    EXPECT_GT(it->memory_mb, 0);
    EXPECT_EQ(it->disk_bytes, 1024u * 1024u);
    EXPECT_TRUE(
        std::any_of(vms.begin(), vms.end(), [](const VmEntry& v) { return v.name == "DC0_C0_RP0_VM1"; }));
}

TEST_F(VsphereInventory, SmallPagesStillReturnEverything) {
    // vcsim 0.24.2 ignores maxObjects (no token, so ContinueRetrievePropertiesEx
    // is not exercised here); the request must still be accepted and complete.
    auto objects = retrieve_properties(
        *session_, {{"VirtualMachine", {"name"}}},
        object_spec(session_->service_content().root_folder, false, vm_inventory_traversal()), 1);
    EXPECT_EQ(objects.size(), 4u);
}

TEST_F(VsphereInventory, FindsByNamePathAndId) {
    VmEntry by_name = find_vm(*session_, "DC0_H0_VM1");
    EXPECT_EQ(find_vm(*session_, "/DC0/vm/DC0_H0_VM1").ref, by_name.ref);
    EXPECT_EQ(find_vm(*session_, "DC0/vm/DC0_H0_VM1/").ref, by_name.ref);
    EXPECT_EQ(find_vm(*session_, by_name.ref.value).ref, by_name.ref);
}

TEST_F(VsphereInventory, UnknownVmIsNotFound) {
    for (const std::string ref : {"no-such-vm", "/DC0/vm/no-such-vm"}) {
        try {
            find_vm(*session_, ref);
            FAIL() << ref;
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::not_found);
            EXPECT_NE(std::string(e.what()).find("'" + ref + "' not found at " + sim_->url()),
                      std::string::npos)
                << e.what();
        }
    }
}

TEST_F(VsphereInventory, DatacenterRestrictsTheSearch) {
    Config c = config_for(*sim_);
    c.datacenter = "DC9";
    Session other(c);
    other.login();
    EXPECT_TRUE(list_vms(other).empty());
    EXPECT_THROW(find_vm(other, "DC0_H0_VM0"), Error);
}

TEST_F(VsphereInventory, DescribesCpuMemoryDisksAndNics) {
    VmInfo vm = describe_vm(*session_, find_vm(*session_, "/DC0/vm/DC0_H0_VM0"));
    EXPECT_EQ(vm.name, "DC0_H0_VM0");
    EXPECT_EQ(vm.datacenter, "DC0");
    EXPECT_GT(vm.cpu, 0);
    EXPECT_GT(vm.memory_mb, 0);
    EXPECT_FALSE(vm.guest_id.empty());
    EXPECT_TRUE(vm.firmware == "bios" || vm.firmware == "uefi") << vm.firmware;
    ASSERT_EQ(vm.disks.size(), 1u);
    const DiskInfo& disk = vm.disks[0];
    EXPECT_EQ(disk.id, "disk-0");
    EXPECT_EQ(disk.boot_order_hint, 0);
    EXPECT_EQ(disk.capacity_bytes, 1024u * 1024u);
    EXPECT_EQ(disk.file_name, "[LocalDS_0] DC0_H0_VM0/disk1.vmdk");
    EXPECT_EQ(disk.controller, "scsi");
    EXPECT_FALSE(disk.label.empty());
    ASSERT_EQ(vm.nics.size(), 1u);
    EXPECT_TRUE(std::regex_match(vm.nics[0].mac, std::regex("([0-9a-f]{2}:){5}[0-9a-f]{2}")))
        << vm.nics[0].mac;
    EXPECT_FALSE(vm.nics[0].network.empty());
    EXPECT_EQ(vm.nics[0].id, "nic-0");
}

}  // namespace
}  // namespace hypersdk::vsphere
