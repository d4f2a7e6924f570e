// The provider JSON documents read once into typed values: power states map
// into the documented enumeration, problems are listed with their paths, and
// hostile input never crashes the host.
#include <hypersdk/core/provider_documents.hpp>

#include <gtest/gtest.h>

#include <string>

namespace hypersdk::core {
namespace {

TEST(ProviderDocuments, PowerStatesMapIntoTheEnumeration) {
    EXPECT_EQ(parse_power_state("poweredOn"), PowerState::on);
    EXPECT_EQ(parse_power_state("poweredOff"), PowerState::off);
    EXPECT_EQ(parse_power_state("suspended"), PowerState::suspended);
    // A vendor's own word is not the enumeration: the provider must map it.
    EXPECT_EQ(parse_power_state("running"), PowerState::unknown);
    EXPECT_EQ(power_state_name(PowerState::on), "poweredOn");
    EXPECT_EQ(power_state_label(PowerState::off), "off");
}

TEST(ProviderDocuments, SummariesKeepWhatIsUsableAndListTheRest) {
    const auto read = read_vm_summaries(
        R"([{"id": "i-1", "name": "web", "power_state": "poweredOn", "platform_state": "running", "cpu": 2,
             "memory_mb": 4096, "disk_bytes": 10},
            {"id": "i-2", "name": "db", "cpu": "two"},
            7])");
    ASSERT_TRUE(read.value);
    ASSERT_EQ(read.value->size(), 2u);
    EXPECT_EQ((*read.value)[0].power_state, PowerState::on);
    EXPECT_EQ((*read.value)[0].platform_state, "running");
    EXPECT_EQ((*read.value)[0].disk_bytes, 10u);
    EXPECT_FALSE((*read.value)[1].cpu);
    EXPECT_EQ(read.issues,
              (std::vector<std::string>{"[1].cpu: expected an integer >= 0", "[2]: expected an object"}));
}

TEST(ProviderDocuments, DescriptionAndExportResult) {
    const auto read = read_export_result(
        R"({"id": "vm-1", "name": "web", "power_state": "poweredOff", "cpu": 2, "memory_mb": 2048,
            "firmware": "uefi", "secure_boot": true,
            "disks": [{"id": "disk-0", "capacity_bytes": 1024, "format": "raw", "boot_order_hint": 0},
                      {"label": "no id"}],
            "nics": [{"id": "nic-0", "mac": "00:11:22:33:44:55", "network": "lan"}],
            "files": [{"kind": "disk", "id": "disk-0", "file_name": "web.raw", "format": "raw", "bytes": 1024}],
            "powered_off_by_export": false, "crash_consistent": true, "notes": ["snapshot snap-1"],
            "export_method": "ebs-direct"})");
    ASSERT_TRUE(read.value);
    const ExportResult& result = *read.value;
    EXPECT_EQ(result.vm.firmware, "uefi");
    EXPECT_EQ(result.vm.secure_boot, true);
    ASSERT_EQ(result.vm.disks.size(), 2u);
    EXPECT_EQ(result.vm.disks[0].boot_order_hint, 0);
    EXPECT_EQ(result.vm.nics[0].mac, "00:11:22:33:44:55");
    EXPECT_EQ(result.files[0].bytes, 1024u);
    EXPECT_TRUE(result.crash_consistent);
    EXPECT_EQ(result.notes, std::vector<std::string>{"snapshot snap-1"});
    EXPECT_EQ(result.export_method, "ebs-direct");
    EXPECT_EQ(read.issues, std::vector<std::string>{"disks[1].id: required"});
}

TEST(ProviderDocuments, UnusableDocumentsSayWhy) {
    EXPECT_FALSE(read_vm_description("[]").value);
    EXPECT_EQ(read_vm_description("[]").issues,
              std::vector<std::string>{"expected a JSON object describing the VM"});
    EXPECT_FALSE(read_vm_summaries("{}").value);
    const auto broken = read_export_result("{\"id\": ");
    EXPECT_FALSE(broken.value);
    ASSERT_EQ(broken.issues.size(), 1u);
    EXPECT_EQ(broken.issues[0].rfind("not valid JSON: ", 0), 0u) << broken.issues[0];
}

TEST(ProviderDocuments, DeepNestingIsRefusedWithoutCrashing) {
    // A hostile plugin's 200,000-deep document: refused by the bounded reader.
    const std::string deep = std::string(200000, '[') + std::string(200000, ']');
    const auto read = read_vm_summaries(deep);
    EXPECT_FALSE(read.value);
    ASSERT_EQ(read.issues.size(), 1u);
    EXPECT_EQ(read.issues[0], "nested deeper than 128 levels");
    EXPECT_FALSE(read_export_result("{\"notes\": " + deep + "}").value);
}

}  // namespace
}  // namespace hypersdk::core
