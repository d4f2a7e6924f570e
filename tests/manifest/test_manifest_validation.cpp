// Every rule of manifest.md and the schema, one bad field at a time (exactly
// one issue, with its path), then a document with many errors at once.
#include <rapidjson/document.h>
#include <rapidjson/pointer.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <hypersdk/core/manifest_reader.hpp>
#include <hypersdk/core/manifest_validator.hpp>
#include <hypersdk/core/manifest_writer.hpp>

#include <gtest/gtest.h>

#include <algorithm>

#include "manifest_test_support.hpp"

namespace {

using namespace hypersdk::core;
using manifest_test::TempDir;
namespace fs = std::filesystem;

constexpr const char* kRemove = "<remove>";

struct Case {
    const char* pointer;  // JSON Pointer into the valid base document
    const char* value;    // JSON text to put there, or kRemove
    const char* path;     // the one expected issue's path
    const char* message;  // a substring of its message
};

class ManifestValidation : public ::testing::Test {
protected:
    void SetUp() override { base_json_ = manifest_to_json(manifest_test::full_manifest(dir_.path())); }

    std::string with_change(const Case& change) const {
        rapidjson::Document document;
        document.Parse(base_json_.c_str());
        const rapidjson::Pointer pointer(change.pointer);
        if (std::string_view(change.value) == kRemove) {
            EXPECT_TRUE(pointer.Erase(document)) << change.pointer;
        } else {
            rapidjson::Document value(&document.GetAllocator());
            value.Parse(change.value);
            EXPECT_FALSE(value.HasParseError()) << change.value;
            pointer.Set(document, value);
        }
        rapidjson::StringBuffer buffer;
        rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
        document.Accept(writer);
        return buffer.GetString();
    }

    static std::vector<ValidationIssue> issues_of(const std::string& json, bool check_files = true) {
        return validate_read_result(parse_manifest(json), ValidationOptions{check_files});
    }

    TempDir dir_;
    std::string base_json_;
};

TEST_F(ManifestValidation, TheBaseDocumentIsValid) {
    EXPECT_EQ(format_issues(issues_of(base_json_)), "");
}

TEST_F(ManifestValidation, EachRuleReportsExactlyOneIssueWithItsPath) {
    const Case cases[] = {
        {"/manifest_version", R"("2.0")", "manifest_version", R"(must be "1.0", got "2.0")"},
        {"/manifest_version", "1", "manifest_version", "must be a string, got a number"},
        {"/manifest_version", kRemove, "manifest_version", "required key is missing"},
        {"/disks", "[]", "disks", "must list at least one disk"},
        {"/disks", R"("disk.vmdk")", "disks", "must be an array, got a string"},
        {"/disks", kRemove, "disks", "required key is missing"},
        {"/disks/1", "7", "disks[1]", "must be an object, got a number"},
        {"/disks/0/id", R"("disk 0")", "disks[0].id", R"(must match ^[a-zA-Z0-9_-]+$)"},
        {"/disks/0/id", R"("")", "disks[0].id", R"(got "")"},
        {"/disks/0/id", kRemove, "disks[0].id", "required key is missing"},
        {"/disks/1/id", R"("disk-0")", "disks[1].id", R"(duplicate id "disk-0" (already used by disks[0]))"},
        {"/disks/0/source_format", R"("iso")", "disks[0].source_format",
         R"(must be one of vmdk, qcow2, raw, vhd, vhdx, vdi, got "iso")"},
        {"/disks/0/source_format", kRemove, "disks[0].source_format", "required key is missing"},
        {"/disks/0/bytes", "-1", "disks[0].bytes", "must be an integer >= 0, got -1"},
        {"/disks/0/bytes", "1.5", "disks[0].bytes", "must be an integer, got 1.5"},
        {"/disks/0/bytes", R"("1024")", "disks[0].bytes", "must be an integer, got a string"},
        {"/disks/0/bytes", kRemove, "disks[0].bytes", "required key is missing"},
        {"/disks/0/local_path", R"("exports/disk.vmdk")", "disks[0].local_path",
         R"(must be an absolute path, got "exports/disk.vmdk")"},
        {"/disks/0/local_path", R"("/nonexistent/hypersdk/disk.vmdk")", "disks[0].local_path",
         R"(file not found: "/nonexistent/hypersdk/disk.vmdk")"},
        {"/disks/0/local_path", R"("/tmp")", "disks[0].local_path", "is a directory"},
        {"/disks/0/local_path", kRemove, "disks[0].local_path", "required key is missing"},
        {"/disks/0/checksum", R"("sha256:ABCDEF")", "disks[0].checksum",
         R"(expected "sha256:" followed by 64 lowercase hex digits, got "sha256:ABCDEF")"},
        {"/disks/0/checksum", R"("md5:d41d8cd98f00b204e9800998ecf8427e")", "disks[0].checksum",
         "expected \"sha256:\""},
        {"/disks/0/checksum", "null", "disks[0].checksum", "must be a string, got null"},
        {"/disks/0/boot_order_hint", "-1", "disks[0].boot_order_hint", "must be an integer >= 0, got -1"},
        {"/disks/0/boot_order_hint", "true", "disks[0].boot_order_hint", "must be an integer, got a boolean"},
        {"/disks/0/label", "5", "disks[0].label", "must be a string, got a number"},
        {"/disks/0/disk_type", R"("root")", "disks[0].disk_type",
         R"(must be one of boot, data, unknown, got "root")"},
        {"/source", "[]", "source", "must be an object, got an array"},
        {"/source/provider", "5", "source.provider", "must be a string"},
        {"/source/export_timestamp", R"("yesterday")", "source.export_timestamp",
         "must be an RFC 3339 date-time"},
        {"/vm/cpu", "0", "vm.cpu", "must be an integer >= 1, got 0"},
        {"/vm/mem_gb", "0", "vm.mem_gb", "must be an integer >= 1, got 0"},
        {"/vm/firmware", R"("efi")", "vm.firmware",
         R"(must be one of bios, uefi, unknown, got "efi" (write "uefi")"},
        {"/vm/secureboot", R"("no")", "vm.secureboot", "must be a boolean, got a string"},
        {"/nics/0/mac", R"("00:50:56:aa:bb")", "nics[0].mac", "must be a MAC address"},
        {"/nics/0/mac", R"("00:50:56:aa:bb:cg")", "nics[0].mac", "must be a MAC address"},
        {"/nics/0", R"("nic")", "nics[0]", "must be an object"},
        {"/notes/0", "5", "notes[0]", "must be a string"},
        {"/warnings/0/stage", kRemove, "warnings[0].stage", "required key is missing"},
        {"/warnings/0/message", kRemove, "warnings[0].message", "required key is missing"},
        {"/warnings/0/timestamp", R"("2026-01-02")", "warnings[0].timestamp",
         "must be an RFC 3339 date-time"},
        {"/metadata/created_at", R"("2026-02-30T00:00:00Z")", "metadata.created_at",
         "must be an RFC 3339 date-time"},
        {"/metadata/tags/env", "5", "metadata.tags.env", "must be a string"},
        {"/metadata/tags", "[]", "metadata.tags", "must be an object"},
        {"/pipeline/foo", "{}", "pipeline.foo",
         "unknown key (pipeline allows only inspect, fix, convert, validate)"},
        {"/pipeline/inspect/enabled", R"("yes")", "pipeline.inspect.enabled", "must be a boolean"},
        {"/pipeline/fix/enabled", kRemove, "pipeline.fix.enabled", "required key is missing"},
        {"/pipeline/convert/enabled", kRemove, "pipeline.convert.enabled", "required key is missing"},
        {"/pipeline/validate/enabled", kRemove, "pipeline.validate.enabled", "required key is missing"},
        {"/pipeline/fix/fstab_mode", R"("all")", "pipeline.fix.fstab_mode",
         R"(must be one of stabilize-all, bypath-only, noop, got "all")"},
        {"/pipeline/fix/backup", "1", "pipeline.fix.backup", "must be a boolean"},
        {"/pipeline/convert/compress_level", "10", "pipeline.convert.compress_level",
         "must be an integer from 1 to 9, got 10"},
        {"/pipeline/convert/compress_level", "0", "pipeline.convert.compress_level", "from 1 to 9, got 0"},
        {"/pipeline/validate/check_image_integrity", "null", "pipeline.validate.check_image_integrity",
         "must be a boolean, got null"},
        {"/configuration/users", R"("root")", "configuration.users", "must be a JSON object, got a string"},
        {"/configuration/network", "[]", "configuration.network", "must be a JSON object, got an array"},
        {"/output/format", R"("vmdk")", "output.format", R"(must be one of qcow2, raw, vdi, got "vmdk")"},
        {"/output/directory", "false", "output.directory", "must be a string"},
        {"/options/verbose", "4", "options.verbose", "must be an integer from 0 to 3, got 4"},
        {"/options/dry_run", R"("false")", "options.dry_run", "must be a boolean"},
        {"/options/report/enabled", "0", "options.report.enabled", "must be a boolean"},
        {"/options/report/path", "{}", "options.report.path", "must be a string"},
    };
    for (const Case& change : cases) {
        const auto issues = issues_of(with_change(change));
        ASSERT_EQ(issues.size(), 1u) << change.pointer << " = " << change.value << ":\n"
                                     << format_issues(issues);
        EXPECT_EQ(issues[0].path, change.path) << change.pointer;
        EXPECT_NE(issues[0].message.find(change.message), std::string::npos)
            << change.pointer << ": " << issues[0].to_string();
    }
}

TEST_F(ManifestValidation, FileExistenceCheckCanBeTurnedOff) {
    const std::string json =
        with_change({"/disks/0/local_path", R"("/nonexistent/hypersdk/disk.vmdk")", "", ""});
    EXPECT_EQ(issues_of(json, /*check_files=*/true).size(), 1u);
    EXPECT_TRUE(issues_of(json, /*check_files=*/false).empty());
    // An absolute path is still required without the existence check.
    EXPECT_EQ(issues_of(with_change({"/disks/0/local_path", R"("rel.vmdk")", "", ""}), false).size(), 1u);
}

TEST_F(ManifestValidation, ZeroValuesAndUefiAreValid) {
    for (const Case& change :
         {Case{"/disks/1/boot_order_hint", "0", "", ""}, Case{"/disks/0/bytes", "0", "", ""},
          Case{"/vm/secureboot", "false", "", ""}, Case{"/vm/firmware", R"("uefi")", "", ""},
          Case{"/vm/firmware", R"("bios")", "", ""}, Case{"/options/verbose", "0", "", ""},
          Case{"/disks/0/bytes", "3.0", "", ""}, Case{"/nics/0/mac", R"("00-50-56-AA-bb-CC")", "", ""}})
        EXPECT_TRUE(issues_of(with_change(change)).empty()) << change.pointer << " = " << change.value;
}

TEST_F(ManifestValidation, DuplicateJsonKeysAreReported) {
    std::string json = base_json_;
    json.insert(json.find("\"manifest_version\""), R"("manifest_version": "1.0", )");
    const auto issues = issues_of(json);
    ASSERT_EQ(issues.size(), 1u) << format_issues(issues);
    EXPECT_EQ(issues[0].to_string(), "manifest_version: duplicate key (only the first occurrence is used)");
}

TEST_F(ManifestValidation, ReportsAllErrorsOfOneDocumentWithPaths) {
    const std::string json = R"({
      "manifest_version": "2.0",
      "source": {"export_timestamp": "now"},
      "vm": {"cpu": 0, "firmware": "efi", "secureboot": "off"},
      "disks": [
        {"id": "disk 0", "source_format": "iso", "bytes": -5, "local_path": "rel/a.vmdk", "checksum": "abc"},
        {"id": "d1", "bytes": 1, "local_path": "/nonexistent/b.raw", "boot_order_hint": -2, "disk_type": "x"},
        {"id": "d1", "source_format": "raw", "bytes": "big", "local_path": 5},
        "not a disk"
      ],
      "nics": [{"mac": "zz"}],
      "warnings": [{"message": "m"}],
      "metadata": {"created_at": 7, "tags": {"a": 1}},
      "pipeline": {"foo": 1, "convert": {"compress_level": 11}, "fix": {"enabled": true, "fstab_mode": "x"}},
      "configuration": {"users": []},
      "output": {"format": "vhd"},
      "options": {"verbose": -1, "report": []}
    })";
    const std::vector<std::string> expected_paths = {
        "manifest_version",
        "source.export_timestamp",
        "vm.cpu",
        "vm.firmware",
        "vm.secureboot",
        "disks[0].id",
        "disks[0].source_format",
        "disks[0].bytes",
        "disks[0].local_path",
        "disks[0].checksum",
        "disks[1].source_format",
        "disks[1].local_path",
        "disks[1].boot_order_hint",
        "disks[1].disk_type",
        "disks[2].id",
        "disks[2].bytes",
        "disks[2].local_path",
        "disks[3]",
        "nics[0].mac",
        "warnings[0].stage",
        "metadata.created_at",
        "metadata.tags.a",
        "pipeline.foo",
        "pipeline.convert.enabled",
        "pipeline.convert.compress_level",
        "pipeline.fix.fstab_mode",
        "configuration.users",
        "output.format",
        "options.verbose",
        "options.report",
    };
    const auto issues = issues_of(json);
    std::vector<std::string> paths;
    for (const auto& issue : issues) paths.push_back(issue.path);
    std::vector<std::string> sorted_expected = expected_paths;
    std::sort(paths.begin(), paths.end());
    std::sort(sorted_expected.begin(), sorted_expected.end());
    EXPECT_EQ(paths, sorted_expected) << format_issues(issues);
    // disks[1].source_format is missing (reader) and must not also be "invalid" (validator).
    EXPECT_EQ(std::count(paths.begin(), paths.end(), "disks[1].source_format"), 1);
    const std::string text = format_issues(issues);
    EXPECT_NE(text.find(R"(disks[2].id: duplicate id "d1" (already used by disks[1]))"), std::string::npos)
        << text;
    EXPECT_NE(text.find(R"(manifest_version: must be "1.0", got "2.0")"), std::string::npos) << text;
}

TEST(ManifestValidationModel, ValidatesManifestsBuiltInCode) {
    manifest_test::TempDir dir;
    manifest_test::write_file(dir / "ok.raw", "x");
    Manifest manifest;
    EXPECT_EQ(format_issues(validate_manifest(manifest)), "disks: must list at least one disk");
    manifest.manifest_version = "1.1";
    ManifestDisk disk;
    disk.id = "ok";
    disk.source_format = "raw";
    disk.local_path = dir / "ok.raw";
    manifest.disks.push_back(disk);
    manifest.configuration.emplace().services = "[1]";
    EXPECT_EQ(
        format_issues(validate_manifest(manifest)),
        "manifest_version: must be \"1.0\", got \"1.1\"\nconfiguration.services: must be a JSON object");
}

TEST(ManifestValidationModel, QuotesValuesSafely) {
    EXPECT_EQ(quote_for_message("a\"b\\c\n"), R"("a\"b\\c\x0a")");
    const std::string quoted = quote_for_message(std::string(1000, 'x'));
    EXPECT_LT(quoted.size(), 120u);
    EXPECT_NE(quoted.find("(1000 bytes)"), std::string::npos);
}

}  // namespace
