// Bounded, deterministic fuzzing of every JSON reader of untrusted input:
// manifests, converter reports (report.json) and results, converter
// parameters, export profiles, a provider's export result and sink
// artifacts. Each reader gets the same hostile cases (tests/support/
// hostile_input.hpp): it may refuse a document, but it must never crash,
// hang or overflow the stack, and a document nested 200,000 deep is refused.
// Labelled "sanitize": scripts/test reruns these under ASan/UBSan.
#include <gtest/gtest.h>
#include <hypersdk/core/conversion_manager.hpp>
#include <hypersdk/core/export_manifest.hpp>
#include <hypersdk/core/provider_documents.hpp>
#include <hypersdk/core/export_profile.hpp>
#include <hypersdk/core/file_sink.hpp>
#include <hypersdk/core/manifest_reader.hpp>
#include <hypersdk/core/manifest_writer.hpp>
#include <hypersdk/cxx/plugin.hpp>

#include <chrono>
#include <string>

#include "hostile_input.hpp"
#include "hypersdk/plugin_common/conversion_result.hpp"
#include "hypersdk/plugin_common/converter_params.hpp"
#include "hypersdk/plugin_common/json_access.hpp"
#include "hypersdk/plugin_common/report.hpp"

namespace core = hypersdk::core;
namespace pc = hypersdk::plugin_common;
using hypersdk::test::for_each_hostile_json;

namespace {

constexpr unsigned kMutations = 2000;
constexpr uint32_t kSeed = 20260315;
// Generous for ASan on a loaded 2-core machine; a hang is far beyond it.
constexpr auto kTimeLimit = std::chrono::seconds(120);

bool is_deep_case(const std::string& name) {
    return name.rfind("deep", 0) == 0;
}

// Runs `read` on every hostile case. `read` returns the error text, or "" when
// the reader accepted the document; the deep cases must all be refused.
template <typename Read>
void fuzz(const std::string& valid, Read read) {
    const auto started = std::chrono::steady_clock::now();
    size_t cases = 0;
    for_each_hostile_json(valid, kMutations, kSeed, [&](const std::string& name, const std::string& text) {
        SCOPED_TRACE(name);
        ++cases;
        const std::string error = read(text);
        if (is_deep_case(name)) {
            EXPECT_FALSE(error.empty()) << "a document nested 200,000 deep was accepted";
        }
    });
    EXPECT_GT(cases, kMutations);
    EXPECT_LT(std::chrono::steady_clock::now() - started, kTimeLimit);
    EXPECT_EQ(read(valid), "") << "the valid seed document must still be accepted";
}

const std::string kManifest = R"({
  "manifest_version": "1.0",
  "source": {"provider": "vsphere", "vm_id": "vm-42", "vm_name": "web01", "export_timestamp": "2026-01-02T03:04:05Z"},
  "vm": {"cpu": 2, "mem_gb": 4, "firmware": "uefi", "secureboot": false},
  "disks": [{"id": "disk-0", "source_format": "vmdk", "bytes": 1024, "local_path": "/exports/web01/disk-0.vmdk",
             "checksum": "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
             "boot_order_hint": 0, "label": "Hard disk 1", "disk_type": "boot"}],
  "nics": [{"id": "nic-0", "mac": "00:50:56:aa:bb:cc", "network": "VM Network"}],
  "notes": ["a note"], "warnings": [{"stage": "export", "message": "m", "timestamp": "2026-01-02T03:04:06Z"}],
  "metadata": {"hypersdk_version": "0.1.0", "tags": {"env": "prod"}},
  "pipeline": {"convert": {"enabled": true, "compress": true, "compress_level": 6}, "validate": {"enabled": true}},
  "configuration": {"hostname": {"name": "web01"}},
  "output": {"directory": "/exports/web01/out", "format": "qcow2"},
  "options": {"dry_run": false, "verbose": 1, "report": {"enabled": true, "path": "report.json"}}
})";

const std::string kReport = R"({
  "version": "1.0", "timestamp": "2026-01-02T03:04:05Z", "hyper2kvm_version": "0.2.0",
  "input_manifest": {"path": "/m.json", "manifest_version": "1.0", "source_provider": "vsphere",
                     "source_vm_id": "vm-42", "source_vm_name": "web01"},
  "pipeline": {"success": true, "duration_seconds": 12.3,
               "stages": {"load_manifest": {"success": true, "duration": 0.1, "result": {"disks": 1}},
                          "convert": {"success": true, "duration": 9.5, "result": {"converted_disks": [
                            {"disk_id": "disk-0", "input_format": "vmdk", "output_format": "qcow2",
                             "output_path": "/out/disk-0.qcow2", "output_size_bytes": 1024}]}},
                          "validate": {"success": false, "duration": 0.2, "error": "qemu-img check failed"}}},
  "artifacts": [{"type": "converted_disk", "path": "/out/disk-0.qcow2", "disk_id": "disk-0", "format": "qcow2",
                 "size_bytes": 1024, "size_human": "1.0 KiB", "boot_order_hint": 0, "compressed": false}],
  "warnings": [{"stage": "validate", "message": "w", "timestamp": "2026-01-02T03:04:05Z"}, "bare"],
  "errors": [],
  "summary": {"total_stages": 3, "successful_stages": 2, "failed_stages": 1, "total_warnings": 1,
              "total_errors": 0, "total_artifacts": 1, "input_disks": 1, "output_disks": 1}
})";

const std::string kConversionResult =
    R"({"success": true, "converted_files": ["/out/disk-0.qcow2"], "report_path": "/out/report.json",)"
    R"( "duration_seconds": 1.5, "error": "", "warnings": ["w"],)"
    R"( "metadata": {"converter": "x", "stages": {"convert": {"success": true, "result": {"a": [1, 2]}}}}})";

const std::string kProfile =
    R"({"name": "nightly", "description": "d", "provider": "vsphere", "format": "ovf", "compress": true,)"
    R"( "parallel": 4, "power_off": false, "conversion_timeout": "2h"})";

const std::string kExportResult =
    R"({"id": "vm-42", "name": "web01", "datacenter": "DC0", "cpu": 2, "memory_mb": 4096, "firmware": "efi",)"
    R"( "secure_boot": false, "guest_os": "linux", "guest_os_name": "Ubuntu",)"
    R"( "disks": [{"id": "disk-0", "label": "Hard disk 1", "boot_order_hint": 0}],)"
    R"( "nics": [{"id": "nic-0", "mac": "00:50:56:aa:bb:cc", "network": "VM Network"}],)"
    R"( "powered_off_by_export": true})";

const std::string kSinkArtifact =
    R"({"kind": "disk", "id": "disk-0", "file_name": "disk-0.vmdk", "format": "vmdk", "expected_bytes": 1024})";

const std::string kConverterConfig =
    R"({"binary_path": "/usr/bin/hyper2kvm", "timeout_seconds": 60, "environment": {"A": "1"}})";

}  // namespace

TEST(HostileJson, ManifestReaderValidatorAndWriter) {
    fuzz(kManifest, [](const std::string& text) -> std::string {
        const core::ManifestReadResult read = core::parse_manifest(text);
        const auto issues = core::validate_read_result(read, core::ValidationOptions{false});
        if (read.parsed) {
            try {
                EXPECT_TRUE(core::parse_manifest(core::manifest_to_json(read.manifest)).parsed);
            } catch (const std::runtime_error&) {
                // Refusing to serialize is fine; crashing is not.
            }
        }
        return core::format_issues(issues);
    });
}

TEST(HostileJson, ConverterReportReader) {
    fuzz(kReport, [](const std::string& text) -> std::string {
        try {
            const pc::Report report = pc::parse_report(text, "report.json");
            // What the converters do with a report they read: write it back.
            (void)pc::report_to_json(report);
            return "";
        } catch (const pc::JsonError& error) {
            return error.what();
        }
    });
}

TEST(HostileJson, ConversionResultParser) {
    fuzz(kConversionResult, [](const std::string& text) -> std::string {
        core::ConversionOutcome outcome;
        if (!core::parse_conversion_result(text, outcome)) return outcome.error;
        // A converter re-emits metadata it was given; it must stay bounded too.
        pc::ConversionResult result;
        result.metadata_json = outcome.metadata_json;
        (void)pc::conversion_result_to_json(result);
        return "";
    });
}

TEST(HostileJson, ConverterMetadataFragments) {
    // Converters re-parse their own fragments (metadata, stage results) when
    // they write them; a hostile fragment must be dropped, not crash them.
    fuzz(kConversionResult, [](const std::string& text) -> std::string {
        pc::ConversionResult result;
        result.metadata_json = text;
        const std::string written = pc::conversion_result_to_json(result);
        pc::Report report;
        report.stages.push_back({"convert", true, 1.0, text, {}});
        // What a converter writes, the readers must accept.
        EXPECT_NO_THROW(pc::parse_report(pc::report_to_json(report), "report.json"));
        core::ConversionOutcome outcome;
        EXPECT_TRUE(core::parse_conversion_result(written, outcome)) << written.substr(0, 200);
        return outcome.metadata_json == "{}" && text != "{}" ? "dropped" : "";
    });
}

TEST(HostileJson, ConverterParameters) {
    fuzz(kConverterConfig, [](const std::string& text) -> std::string {
        try {
            (void)pc::parse_converter_config(text.c_str());
            (void)pc::parse_convert_options(text.c_str());
            return "";
        } catch (const hypersdk::cxx::Error& error) {
            return error.what();
        }
    });
}

TEST(HostileJson, ExportProfileReader) {
    fuzz(kProfile, [](const std::string& text) -> std::string {
        try {
            const core::ExportProfile profile = core::parse_profile_json(text, "profile");
            (void)core::profile_to_json(profile);
            return "";
        } catch (const core::ProfileError& error) {
            return error.what();
        }
    });
}

TEST(HostileJson, ProviderExportResult) {
    core::SinkRecord record;
    record.kind = "disk";
    record.id = "disk-0";
    record.file_name = "disk-0.vmdk";
    record.format = "vmdk";
    record.path = "/exports/web01/disk-0.vmdk";
    record.bytes = 1024;
    record.sha256 = "sha256:" + std::string(64, 'a');
    // The provider's document goes through core's typed reader, then into
    // the manifest: neither may crash, whatever the text.
    fuzz(kExportResult, [&](const std::string& text) -> std::string {
        const auto read = core::read_export_result(text);
        if (!read.value) return read.issues.empty() ? "unreadable" : read.issues.front();
        core::ExportManifestInput input;
        input.provider = "vsphere";
        input.export_result = *read.value;
        input.records = {record};
        input.output_dir = "/exports/web01";
        try {
            (void)core::manifest_to_json(core::build_export_manifest(input));
            return "";
        } catch (const std::runtime_error& error) {
            return error.what();
        }
    });
}

TEST(HostileJson, SinkArtifact) {
    fuzz(kSinkArtifact, [](const std::string& text) -> std::string {
        std::string error;
        const auto artifact = core::parse_sink_artifact(text, error);
        return artifact ? "" : error;
    });
}
