// Writing and reading manifests: the JSON we write (2-space indent, zero
// values kept, efi -> uefi), round trips that keep unknown keys, atomic
// writes, and hyper2kvm's JSON Schema accepting everything we write.
#include <hypersdk/core/manifest.hpp>
#include <hypersdk/core/manifest_reader.hpp>
#include <hypersdk/core/manifest_validator.hpp>
#include <hypersdk/core/manifest_writer.hpp>

#include <gtest/gtest.h>

#include "manifest_test_support.hpp"

namespace {

using namespace hypersdk::core;
using manifest_test::TempDir;
namespace fs = std::filesystem;

Manifest minimal_manifest(const fs::path& directory) {
    manifest_test::write_file(directory / "only.raw", "x");
    Manifest manifest;
    ManifestDisk disk;
    disk.id = "d";
    disk.source_format = "raw";
    disk.bytes = 1;
    disk.local_path = (directory / "only.raw").string();
    manifest.disks.push_back(disk);
    return manifest;
}

TEST(ManifestModel, NormalizeFirmwareMapsProviderNames) {
    EXPECT_EQ(normalize_firmware("efi"), "uefi");
    EXPECT_EQ(normalize_firmware("EFI"), "uefi");
    EXPECT_EQ(normalize_firmware("uefi"), "uefi");
    EXPECT_EQ(normalize_firmware("bios"), "bios");
    EXPECT_EQ(normalize_firmware("legacy-bios"), "bios");
    EXPECT_EQ(normalize_firmware(""), "unknown");
    EXPECT_EQ(normalize_firmware("coreboot"), "unknown");
}

TEST(ManifestModel, Rfc3339Timestamps) {
    for (const char* good : {"2026-01-02T03:04:05Z", "2026-01-02t03:04:05z",
                             "2024-02-29T23:59:60.123456+05:30", "1999-12-31T00:00:00-00:00"})
        EXPECT_TRUE(is_rfc3339_timestamp(good)) << good;
    for (const char* bad : {"", "2026-01-02", "2026-01-02 03:04:05Z", "2026-13-02T03:04:05Z",
                            "2025-02-29T03:04:05Z", "2026-01-02T24:00:00Z", "2026-01-02T03:04:05",
                            "2026-01-02T03:04:05.Z", "2026-01-02T03:04:05+0100", "yesterday"})
        EXPECT_FALSE(is_rfc3339_timestamp(bad)) << bad;
    EXPECT_TRUE(is_rfc3339_timestamp(rfc3339_utc_now()));
}

TEST(ManifestWriter, KeepsZeroValuesThatMatterAndIndentsByTwo) {
    TempDir dir;
    const std::string json = manifest_to_json(manifest_test::full_manifest(dir.path()));
    EXPECT_NE(json.find("\n  \"manifest_version\": \"1.0\""), std::string::npos) << json;
    EXPECT_NE(json.find("\"boot_order_hint\": 0"), std::string::npos);
    EXPECT_NE(json.find("\"secureboot\": false"), std::string::npos);
    EXPECT_NE(json.find("\"verbose\": 0"), std::string::npos);
    EXPECT_NE(json.find("\"firmware\": \"uefi\""), std::string::npos);
    EXPECT_EQ(json.find("\"efi\""), std::string::npos);
    EXPECT_EQ(json.find('\t'), std::string::npos);
    EXPECT_EQ(json.back(), '\n');
}

TEST(ManifestWriter, MinimalManifestHasOnlyRequiredKeys) {
    TempDir dir;
    const std::string json = manifest_to_json(minimal_manifest(dir.path()));
    for (const char* absent : {"source", "vm", "nics", "notes", "warnings", "metadata", "pipeline",
                               "configuration", "output", "options", "checksum", "boot_order_hint"})
        EXPECT_EQ(json.find("\"" + std::string(absent) + "\""), std::string::npos) << absent;
}

TEST(ManifestReader, FullManifestRoundTrips) {
    TempDir dir;
    const Manifest original = manifest_test::full_manifest(dir.path());
    write_manifest_file(original, dir / "artifact-manifest.json");
    const ManifestReadResult read = read_manifest_file(dir / "artifact-manifest.json");
    ASSERT_TRUE(read.parsed);
    EXPECT_TRUE(read.issues.empty()) << format_issues(read.issues);
    EXPECT_TRUE(validate_manifest(read.manifest).empty());
    // Same document when written again: nothing lost, nothing added.
    EXPECT_EQ(manifest_to_json(read.manifest), manifest_test::read_file(dir / "artifact-manifest.json"));

    const Manifest& m = read.manifest;
    ASSERT_EQ(m.disks.size(), 2u);
    EXPECT_EQ(m.disks[0].boot_order_hint, std::optional<int64_t>(0));
    EXPECT_EQ(m.disks[0].checksum, original.disks[0].checksum);
    EXPECT_EQ(m.disks[1].checksum, std::nullopt);
    EXPECT_EQ(m.vm->secureboot, std::optional<bool>(false));
    EXPECT_EQ(m.vm->firmware, std::optional<std::string>("uefi"));
    EXPECT_EQ(m.metadata->tags->at("team"), "infra");
    EXPECT_EQ(m.pipeline->convert->compress_level, std::optional<int64_t>(6));
    EXPECT_EQ(m.pipeline->fix->fstab_mode, std::optional<std::string>("stabilize-all"));
    EXPECT_FALSE(m.pipeline->fix->enabled);
    EXPECT_EQ(m.configuration->users, std::optional<std::string>(R"({"root":{"password":"x"}})"));
    EXPECT_EQ(m.warnings.at(0).timestamp, original.warnings[0].timestamp);
    EXPECT_EQ(m.options->report->path, std::optional<std::string>("report.json"));
}

TEST(ManifestReader, KeepsUnknownKeysThroughAReadWriteCycle) {
    const std::string json = R"({
      "manifest_version": "1.0",
      "x_top": {"nested": [1, 2, {"deep": null}]},
      "disks": [{"id": "a", "source_format": "raw", "bytes": 1, "local_path": "/a", "x_vendor": "v"}],
      "source": {"provider": "aws", "region": "us-east-1"},
      "vm": {"cpu": 1, "numa": true},
      "pipeline": {"convert": {"enabled": true, "x_threads": 4}},
      "configuration": {"users": {"root": {}}, "x_cloud_init": {"a": 1}},
      "output": {"format": "raw", "x_sparse": false},
      "options": {"report": {"enabled": true, "x_style": "full"}, "x_opt": 1},
      "metadata": {"x_meta": "m"},
      "nics": [{"mac": "00:11:22:33:44:55", "x_model": "vmxnet3"}],
      "warnings": [{"stage": "s", "message": "m", "x_code": 7}]
    })";
    const ManifestReadResult first = parse_manifest(json);
    ASSERT_TRUE(first.parsed);
    EXPECT_TRUE(first.issues.empty()) << format_issues(first.issues);
    const ManifestReadResult second = parse_manifest(manifest_to_json(first.manifest));
    ASSERT_TRUE(second.parsed);
    const Manifest& m = second.manifest;
    const auto expect_field = [](const UnknownJsonFields& fields, const std::string& key,
                                 const std::string& raw) {
        ASSERT_EQ(fields.size(), 1u) << key;
        EXPECT_EQ(fields[0].first, key);
        EXPECT_EQ(fields[0].second, raw);
    };
    expect_field(m.unknown_fields, "x_top", R"({"nested":[1,2,{"deep":null}]})");
    expect_field(m.disks.at(0).unknown_fields, "x_vendor", R"("v")");
    expect_field(m.source->unknown_fields, "region", R"("us-east-1")");
    expect_field(m.vm->unknown_fields, "numa", "true");
    expect_field(m.pipeline->convert->unknown_fields, "x_threads", "4");
    expect_field(m.configuration->unknown_fields, "x_cloud_init", R"({"a":1})");
    expect_field(m.output->unknown_fields, "x_sparse", "false");
    expect_field(m.options->report->unknown_fields, "x_style", R"("full")");
    expect_field(m.options->unknown_fields, "x_opt", "1");
    expect_field(m.metadata->unknown_fields, "x_meta", R"("m")");
    expect_field(m.nics.at(0).unknown_fields, "x_model", R"("vmxnet3")");
    expect_field(m.warnings.at(0).unknown_fields, "x_code", "7");
}

TEST(ManifestWriter, WritesAtomicallyAndLeavesNoPartFile) {
    TempDir dir;
    const fs::path target = dir / "artifact-manifest.json";
    write_manifest_file(manifest_test::full_manifest(dir.path()), target);
    EXPECT_TRUE(fs::exists(target));
    EXPECT_FALSE(fs::exists(target.string() + ".part"));
}

TEST(ManifestWriter, RefusesAnInvalidManifestAndKeepsTheOldFile) {
    TempDir dir;
    const fs::path target = dir / "artifact-manifest.json";
    manifest_test::write_file(target, "previous contents");
    Manifest invalid = minimal_manifest(dir.path());
    invalid.disks[0].checksum = "sha256:nothex";
    invalid.disks[0].local_path = "relative.raw";
    try {
        write_manifest_file(invalid, target);
        FAIL() << "an invalid manifest was written";
    } catch (const InvalidManifestError& error) {
        ASSERT_EQ(error.issues().size(), 2u);
        EXPECT_EQ(error.issues()[0].path, "disks[0].local_path");
        EXPECT_EQ(error.issues()[1].path, "disks[0].checksum");
    }
    EXPECT_EQ(manifest_test::read_file(target), "previous contents");
    EXPECT_FALSE(fs::exists(target.string() + ".part"));
}

TEST(ManifestWriter, IoFailureNamesTheFileAndLeavesNothing) {
    TempDir dir;
    const fs::path target = dir / "missing-dir" / "artifact-manifest.json";
    try {
        write_manifest_file(minimal_manifest(dir.path()), target);
        FAIL() << "wrote into a directory that does not exist";
    } catch (const std::system_error& error) {
        EXPECT_NE(std::string(error.what()).find("missing-dir"), std::string::npos) << error.what();
    }
    EXPECT_FALSE(fs::exists(dir / "missing-dir"));
}

TEST(ManifestWriter, RejectsInvalidUtf8AndBrokenRawJson) {
    TempDir dir;
    Manifest bad_text = minimal_manifest(dir.path());
    bad_text.notes.push_back("caf\xc3");  // truncated two-byte sequence
    EXPECT_THROW(manifest_to_json(bad_text), std::runtime_error);
    Manifest surrogate = minimal_manifest(dir.path());
    surrogate.notes.push_back("\xed\xa0\x80");  // an encoded UTF-16 surrogate
    EXPECT_THROW(manifest_to_json(surrogate), std::runtime_error);
    Manifest bad_raw = minimal_manifest(dir.path());
    bad_raw.unknown_fields.emplace_back("x", "{not json");
    EXPECT_THROW(manifest_to_json(bad_raw), std::runtime_error);
    Manifest good_text = minimal_manifest(dir.path());
    good_text.notes.push_back("caf\xc3\xa9 \xf0\x9f\x92\xbe");
    EXPECT_NO_THROW(manifest_to_json(good_text));
}

TEST(ManifestSchema, EverythingWeWriteValidatesAgainstHyper2kvmSchema) {
    TempDir dir;
    std::vector<fs::path> files;
    const auto write = [&](const Manifest& manifest, const std::string& name) {
        files.push_back(dir / name);
        write_manifest_file(manifest, files.back());
    };
    write(manifest_test::full_manifest(dir.path()), "full.json");
    write(minimal_manifest(dir.path()), "minimal.json");

    Manifest boot_zero = minimal_manifest(dir.path());
    boot_zero.disks[0].boot_order_hint = 0;
    boot_zero.disks[0].disk_type = "boot";
    write(boot_zero, "boot-order-zero.json");

    Manifest secureboot_off = minimal_manifest(dir.path());
    secureboot_off.vm.emplace().secureboot = false;
    write(secureboot_off, "secureboot-false.json");

    Manifest from_efi = minimal_manifest(dir.path());
    from_efi.vm.emplace().firmware = normalize_firmware("efi");
    write(from_efi, "efi-to-uefi.json");

    Manifest read_back = read_manifest_file(files[0]).manifest;
    read_back.unknown_fields.emplace_back("x_extra", R"({"kept":[true]})");
    write(read_back, "round-trip-with-unknown.json");

    const auto result = manifest_test::check_with_json_schema(files);
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_NE(result.out.find("checked 6 document(s), 0 error(s)"), std::string::npos)
        << result.out << result.err;
}

// The schema check above must be able to fail: documents the Go original
// wrote (efi, a bad checksum, a date that is not RFC 3339) are refused.
TEST(ManifestSchema, SchemaCheckRejectsWhatHyper2kvmRejects) {
    TempDir dir;
    const std::string disk =
        R"("disks": [{"id": "a", "source_format": "raw", "bytes": 1, "local_path": "/a")";
    const std::vector<std::pair<std::string, std::string>> documents = {
        {"efi.json", R"({"manifest_version": "1.0", )" + disk + R"(}], "vm": {"firmware": "efi"}})"},
        {"checksum.json", R"({"manifest_version": "1.0", )" + disk + R"(, "checksum": "sha256:ABC"}]})"},
        {"date.json",
         R"({"manifest_version": "1.0", )" + disk + R"(}], "metadata": {"created_at": "2026-13-01"}})"},
        {"pipeline.json", R"({"manifest_version": "1.0", )" + disk + R"(}], "pipeline": {"foo": {}}})"},
    };
    for (const auto& [name, json] : documents) {
        manifest_test::write_file(dir / name, json);
        const auto result = manifest_test::check_with_json_schema({dir / name});
        EXPECT_EQ(result.exit_code, 1) << name << ": " << result.out << result.err;
        EXPECT_NE(result.out.find("1 error(s)"), std::string::npos)
            << name << ": " << result.out << result.err;
        // Our validator refuses the same documents.
        EXPECT_FALSE(validate_read_result(parse_manifest(json), ValidationOptions{false}).empty()) << name;
    }
}

}  // namespace
