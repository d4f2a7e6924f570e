// The provider kit's document writers, read back with core's typed reader
// (the host's only way to read them): no issues, every value as written.
// Also the power-state and firmware mappings and the sink artifact JSON.
#include <hypersdk/core/provider_documents.hpp>
#include <hypersdk/plugin_common/json_access.hpp>
#include <hypersdk/provider/documents.hpp>
#include <hypersdk/provider/sink_artifact.hpp>

#include <gtest/gtest.h>

namespace pk = hypersdk::provider;
namespace core = hypersdk::core;
namespace pc = hypersdk::plugin_common;

namespace {

pk::VmDescription sample_vm() {
    pk::VmDescription vm;
    vm.id = "i-0123456789abcdef0";
    vm.name = "web \"01\"";
    vm.power_state = pk::power_state_from_ec2("stopping");
    vm.platform_state = "stopping";
    vm.datacenter = "eu-west-1";
    vm.cpu = 2;
    vm.memory_mb = 4096;
    vm.firmware = pk::firmware_name("uefi-preferred");
    vm.secure_boot = false;
    vm.guest_os = "linux";
    vm.disks.push_back({"disk-0", "/dev/xvda", 8ull << 30, "raw", 0, "vol-1", ""});
    vm.disks.push_back({"disk-1", "", 1ull << 40, "raw", 1, "vol-2", "nvme"});
    vm.nics.push_back({"nic-0", "", "0a:1b:2c:3d:4e:5f", "subnet-1", ""});
    return vm;
}

TEST(ProviderWriters, SummariesReadBackWithoutIssues) {
    pk::VmSummary a;
    a.id = "vm-1";
    a.name = "a";
    a.power_state = pk::power_state_from_gce("RUNNING");
    a.cpu = 4;
    a.memory_mb = 8192;
    a.disk_bytes = 1ull << 35;
    pk::VmSummary b;  // only what is required
    b.id = "vm-2";
    b.name = "b";
    b.power_state = pk::power_state_from_azure("PowerState/deallocated");
    b.platform_state = "deallocated";
    const auto read = core::read_vm_summaries(pk::summaries_json({a, b}));
    ASSERT_TRUE(read.value.has_value());
    EXPECT_TRUE(read.issues.empty()) << read.issues.front();
    ASSERT_EQ(read.value->size(), 2u);
    EXPECT_EQ((*read.value)[0].power_state, core::PowerState::on);
    EXPECT_EQ((*read.value)[0].cpu, 4);
    EXPECT_EQ((*read.value)[0].disk_bytes, 1ull << 35);
    EXPECT_EQ((*read.value)[1].power_state, core::PowerState::off);
    EXPECT_EQ((*read.value)[1].platform_state, "deallocated");
    EXPECT_FALSE((*read.value)[1].cpu.has_value());
}

TEST(ProviderWriters, DescriptionReadsBackWithoutIssues) {
    const std::string json = pk::description_json(sample_vm());
    const auto read = core::read_vm_description(json);
    ASSERT_TRUE(read.value.has_value());
    EXPECT_TRUE(read.issues.empty()) << read.issues.front();
    const core::VmDescription& vm = *read.value;
    EXPECT_EQ(vm.name, "web \"01\"");
    EXPECT_EQ(vm.power_state, core::PowerState::unknown);
    EXPECT_EQ(vm.platform_state, "stopping");
    EXPECT_EQ(vm.firmware, "uefi");
    EXPECT_EQ(vm.secure_boot, false);
    ASSERT_EQ(vm.disks.size(), 2u);
    EXPECT_EQ(vm.disks[1].capacity_bytes, 1ull << 40);
    EXPECT_EQ(vm.disks[1].boot_order_hint, 1);
    EXPECT_EQ(vm.nics.at(0).mac, "0a:1b:2c:3d:4e:5f");
    // Empty strings are left out, not written as "".
    const auto doc = pc::parse_json(json, "description");
    EXPECT_FALSE(doc["disks"][0].HasMember("controller"));
    EXPECT_FALSE(doc.HasMember("uuid"));
}

TEST(ProviderWriters, ExportResultCarriesThe11Keys) {
    pk::ExportResult r;
    r.vm = sample_vm();
    r.files.push_back({"disk", "disk-0", "web-disk-0.raw", "raw", 8ull << 30});
    r.crash_consistent = true;
    r.notes = {"copied from snapshot snap-1 of a running instance"};
    r.export_method = "ebs-direct";
    r.extra.emplace_back("snapshot_ids", "snap-1");
    const std::string json = pk::export_result_json(r);
    const auto read = core::read_export_result(json);
    ASSERT_TRUE(read.value.has_value());
    EXPECT_TRUE(read.issues.empty()) << read.issues.front();
    EXPECT_TRUE(read.value->crash_consistent);
    EXPECT_FALSE(read.value->powered_off_by_export);
    EXPECT_EQ(read.value->export_method, "ebs-direct");
    ASSERT_EQ(read.value->notes.size(), 1u);
    ASSERT_EQ(read.value->files.size(), 1u);
    EXPECT_EQ(read.value->files[0].bytes, 8ull << 30);
    EXPECT_EQ(read.value->vm.disks.size(), 2u);
    EXPECT_STREQ(pc::parse_json(json, "result")["snapshot_ids"].GetString(), "snap-1");
}

TEST(ProviderWriters, PowerStatesMapIntoTheDocumentedEnumeration) {
    EXPECT_STREQ(pk::to_string(pk::power_state_from_vsphere("poweredOn")), "poweredOn");
    EXPECT_STREQ(pk::to_string(pk::power_state_from_vsphere("suspended")), "suspended");
    EXPECT_STREQ(pk::to_string(pk::power_state_from_ec2("running")), "poweredOn");
    EXPECT_STREQ(pk::to_string(pk::power_state_from_ec2("stopped")), "poweredOff");
    EXPECT_STREQ(pk::to_string(pk::power_state_from_ec2("shutting-down")), "unknown");
    EXPECT_STREQ(pk::to_string(pk::power_state_from_azure("PowerState/running")), "poweredOn");
    EXPECT_STREQ(pk::to_string(pk::power_state_from_azure("stopped")), "poweredOff");
    EXPECT_STREQ(pk::to_string(pk::power_state_from_azure("PowerState/deallocating")), "unknown");
    EXPECT_STREQ(pk::to_string(pk::power_state_from_gce("TERMINATED")), "poweredOff");
    EXPECT_STREQ(pk::to_string(pk::power_state_from_gce("SUSPENDED")), "suspended");
    EXPECT_STREQ(pk::to_string(pk::power_state_from_gce("STAGING")), "unknown");
    // Every written word is one core reads as the same state.
    for (auto s :
         {pk::PowerState::on, pk::PowerState::off, pk::PowerState::suspended, pk::PowerState::unknown})
        EXPECT_EQ(core::power_state_name(core::parse_power_state(pk::to_string(s))), pk::to_string(s));
}

TEST(ProviderWriters, FirmwareNames) {
    EXPECT_EQ(pk::firmware_name("efi"), "uefi");
    EXPECT_EQ(pk::firmware_name("UEFI"), "uefi");
    EXPECT_EQ(pk::firmware_name("UEFI_COMPATIBLE"), "uefi");
    EXPECT_EQ(pk::firmware_name("legacy-bios"), "bios");
    EXPECT_EQ(pk::firmware_name("BIOS"), "bios");
    EXPECT_EQ(pk::firmware_name(""), "unknown");
}

TEST(ProviderWriters, SinkArtifactJson) {
    pk::SinkArtifact a;
    a.id = "disk-0";
    a.file_name = "web-disk-0.raw";
    a.format = "raw";
    a.expected_bytes = 1234;
    a.exact_bytes = 1234;
    a.source_key = "aws:snap-1:vol-1";
    const auto doc = pc::parse_json(pk::artifact_json(a), "artifact");
    EXPECT_STREQ(doc["kind"].GetString(), "disk");
    EXPECT_STREQ(doc["id"].GetString(), "disk-0");
    EXPECT_STREQ(doc["file_name"].GetString(), "web-disk-0.raw");
    EXPECT_EQ(doc["expected_bytes"].GetUint64(), 1234u);
    EXPECT_EQ(doc["exact_bytes"].GetUint64(), 1234u);
    EXPECT_STREQ(doc["source_key"].GetString(), "aws:snap-1:vol-1");
    const auto bare =
        pc::parse_json(pk::artifact_json({"descriptor", "", "vm.ovf", "ovf", {}, {}, {}}), "artifact");
    EXPECT_FALSE(bare.HasMember("id"));
    EXPECT_FALSE(bare.HasMember("exact_bytes"));
    EXPECT_FALSE(bare.HasMember("source_key"));
}

TEST(ProviderWriters, FileStems) {
    EXPECT_EQ(pk::file_stem("web 01/../x"), "web_01_.._x");
    EXPECT_EQ(pk::file_stem("..."), "vm");
    EXPECT_EQ(pk::file_stem(".hidden"), "hidden");
    EXPECT_EQ(pk::file_stem(""), "vm");
}

}  // namespace
