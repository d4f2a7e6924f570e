// build_export_manifest: the manifest an export writes, from a provider's
// export-result JSON and the host's sink records.
#include <hypersdk/core/export_manifest.hpp>
#include <hypersdk/core/manifest_validator.hpp>

#include <gtest/gtest.h>

namespace hypersdk::core {
namespace {

const char* const kResult = R"json({
  "id": "vm-42", "name": "web-01", "power_state": "poweredOff", "datacenter": "DC0",
  "cpu": 2, "memory_mb": 1500, "firmware": "efi", "secure_boot": false,
  "guest_os": "ubuntu64Guest", "guest_os_name": "Ubuntu Linux (64-bit)",
  "disks": [{"id": "disk-0", "label": "Hard disk 2", "capacity_bytes": 10, "format": "vmdk", "boot_order_hint": 1},
            {"id": "disk-1", "label": "Hard disk 1", "capacity_bytes": 10, "format": "vmdk", "boot_order_hint": 0}],
  "nics": [{"id": "nic-0", "mac": "00:50:56:aa:bb:cc", "network": "VM Network"},
           {"id": "nic-1", "mac": "bogus", "network": "Other"}],
  "files": [], "powered_off_by_export": true
})json";

ExportManifestInput input() {
    ExportManifestInput in;
    in.provider = "vsphere";
    in.export_result = read_export_result(kResult).value.value();
    in.output_dir = "/out";
    in.export_method = "ovf";
    in.export_timestamp = "2026-11-22T04:00:00Z";
    in.job_id = "export-1";
    in.hypersdk_version = "0.1.0";
    in.records = {
        {"descriptor", "", "web-01.ovf", "", "/out/web-01.ovf", 5, "sha256:" + std::string(64, 'c')},
        {"disk", "disk-0", "web-01-disk0.vmdk", "vmdk", "/out/web-01-disk0.vmdk", 100,
         "sha256:" + std::string(64, 'a')},
        {"disk", "disk-1", "web-01-disk1.vmdk", "vmdk", "/out/web-01-disk1.vmdk", 200,
         "sha256:" + std::string(64, 'b')}};
    return in;
}

TEST(ExportManifest, DisksInBootOrderWithBootDiskFirst) {
    const Manifest manifest = build_export_manifest(input());
    ASSERT_EQ(manifest.disks.size(), 2u);
    EXPECT_EQ(manifest.disks[0].id, "disk-1");
    EXPECT_EQ(manifest.disks[0].boot_order_hint, 0);
    EXPECT_EQ(manifest.disks[0].disk_type, "boot");
    EXPECT_EQ(manifest.disks[0].label, "Hard disk 1");
    EXPECT_EQ(manifest.disks[0].bytes, 200);
    EXPECT_EQ(manifest.disks[0].local_path, "/out/web-01-disk1.vmdk");
    EXPECT_EQ(manifest.disks[0].checksum, "sha256:" + std::string(64, 'b'));
    EXPECT_EQ(manifest.disks[1].id, "disk-0");
    EXPECT_EQ(manifest.disks[1].boot_order_hint, 1);
    EXPECT_EQ(manifest.disks[1].disk_type, "data");
}

TEST(ExportManifest, SourceVmNicsPipelineOutputMetadata) {
    const Manifest manifest = build_export_manifest(input());
    EXPECT_EQ(manifest.source->provider, "vsphere");
    EXPECT_EQ(manifest.source->vm_id, "vm-42");
    EXPECT_EQ(manifest.source->vm_name, "web-01");
    EXPECT_EQ(manifest.source->datacenter, "DC0");
    EXPECT_EQ(manifest.source->export_timestamp, "2026-11-22T04:00:00Z");
    EXPECT_EQ(manifest.source->export_method, "ovf");
    EXPECT_EQ(manifest.vm->cpu, 2);
    EXPECT_EQ(manifest.vm->mem_gb, 2);  // 1500 MiB rounds up
    EXPECT_EQ(manifest.vm->firmware, "uefi");
    EXPECT_EQ(manifest.vm->secureboot, false);
    EXPECT_EQ(manifest.vm->os_hint, "ubuntu64Guest");
    ASSERT_EQ(manifest.nics.size(), 2u);
    EXPECT_EQ(manifest.nics[0].mac, "00:50:56:aa:bb:cc");
    EXPECT_FALSE(manifest.nics[1].mac.has_value());  // unusable MAC dropped, with a warning
    ASSERT_FALSE(manifest.warnings.empty());
    EXPECT_EQ(manifest.notes.size(), 1u);
    ASSERT_TRUE(manifest.pipeline && manifest.pipeline->convert && manifest.pipeline->validate);
    EXPECT_TRUE(manifest.pipeline->convert->enabled);
    EXPECT_TRUE(manifest.pipeline->validate->enabled);
    // A migration fixes the guest by default: INSPECT and FIX requested.
    ASSERT_TRUE(manifest.pipeline->inspect && manifest.pipeline->fix);
    EXPECT_TRUE(manifest.pipeline->inspect->enabled);
    EXPECT_TRUE(manifest.pipeline->fix->enabled);
    EXPECT_EQ(manifest.output->directory, "/out");
    EXPECT_EQ(manifest.output->format, "qcow2");
    EXPECT_EQ(manifest.metadata->job_id, "export-1");
    EXPECT_TRUE(is_rfc3339_timestamp(manifest.metadata->created_at.value()));
    ValidationOptions options;
    options.check_files_exist = false;
    EXPECT_EQ(format_issues(validate_manifest(manifest, options)), "");
}

TEST(ExportManifest, ChecksumsCanBeLeftOut) {
    ExportManifestInput in = input();
    in.include_checksums = false;
    for (const auto& disk : build_export_manifest(in).disks) EXPECT_FALSE(disk.checksum.has_value());
}

TEST(ExportManifest, MemoryIsAtLeastOneGiB) {
    EXPECT_EQ(memory_mb_to_gb(1), 1);
    EXPECT_EQ(memory_mb_to_gb(1024), 1);
    EXPECT_EQ(memory_mb_to_gb(1025), 2);
    EXPECT_EQ(memory_mb_to_gb(32768), 32);
}

TEST(ExportManifest, RefusesNoDisks) {
    ExportManifestInput in = input();
    in.records.erase(in.records.begin() + 1, in.records.end());
    EXPECT_THROW(build_export_manifest(in), std::runtime_error);
}

TEST(ExportManifest, CrashConsistentCopyAndProviderNotesAreSaid) {
    ExportManifestInput in = input();
    in.export_result.powered_off_by_export = false;
    in.export_result.crash_consistent = true;
    in.export_result.notes = {"snapshot snap-0a1 of vol-1"};
    const Manifest manifest = build_export_manifest(in);
    ASSERT_EQ(manifest.notes.size(), 2u);
    EXPECT_NE(manifest.notes[0].find("crash-consistent"), std::string::npos);
    EXPECT_EQ(manifest.notes[1], "snapshot snap-0a1 of vol-1");
}

TEST(ExportManifest, CompressAsksTheConverterToCompress) {
    ExportManifestInput in = input();
    EXPECT_FALSE(build_export_manifest(in).pipeline->convert->compress.has_value());
    in.compress = true;
    EXPECT_EQ(build_export_manifest(in).pipeline->convert->compress, true);
}

TEST(ExportManifest, FixFalseAsksForFormatConversionOnly) {
    ExportManifestInput in = input();
    in.fix = false;
    const Manifest manifest = build_export_manifest(in);
    EXPECT_FALSE(manifest.pipeline->inspect.has_value());
    EXPECT_FALSE(manifest.pipeline->fix.has_value());
    EXPECT_TRUE(manifest.pipeline->convert->enabled);
    EXPECT_TRUE(manifest.pipeline->validate->enabled);
}

}  // namespace
}  // namespace hypersdk::core
