// The qemu-img converter plugin, loaded as the host loads it, converting real
// images of every source format; outputs are judged by qemu-img compare.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <thread>

#include "converter_harness.hpp"
#include "hypersdk/plugin_common/json_access.hpp"
#include "hypersdk/plugin_common/tool_text.hpp"
#include "test_images.hpp"

namespace fs = std::filesystem;
using namespace hypersdk::test;
using namespace std::chrono_literals;

namespace {

constexpr uint64_t kImageSize = 16 * 1024 * 1024;

// The source images are made once for the whole suite (qemu-img is quick,
// but eight formats add up on a shared 2-core machine).
class QemuImgConverter : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        sources_dir_ = std::make_unique<TempDir>();
        raw_ = *sources_dir_ / "pattern.raw";
        write_patterned_raw(raw_, kImageSize, 7);
        for (const auto& kind : all_source_kinds())
            images_.push_back(make_source_image(sources_dir_->path(), raw_, kind));
    }
    static void TearDownTestSuite() {
        images_.clear();
        sources_dir_.reset();
    }

    void SetUp() override { plugin_ = std::make_unique<LoadedConverter>(PLUGIN_PATH); }

    static const SourceImage& image(const std::string& kind) {
        return *std::find_if(images_.begin(), images_.end(), [&](const auto& i) { return i.id == kind; });
    }

    ManifestSpec spec_for(const std::vector<std::string>& kinds) const {
        ManifestSpec spec;
        int hint = 0;
        for (const auto& kind : kinds) {
            const auto& img = image(kind);
            spec.disks.push_back({img.id, img.manifest_format, img.path, hint++});
        }
        return spec;
    }

    std::string write(const ManifestSpec& spec) const {
        const std::string path = work_ / "artifact-manifest.json";
        write_manifest(path, spec);
        return path;
    }

    static inline std::unique_ptr<TempDir> sources_dir_;
    static inline std::string raw_;
    static inline std::vector<SourceImage> images_;
    TempDir work_;
    std::unique_ptr<LoadedConverter> plugin_;
};

std::vector<std::string> strings(const rapidjson::Value& array) {
    std::vector<std::string> out;
    for (const auto& v : array.GetArray()) out.emplace_back(v.GetString());
    return out;
}

}  // namespace

TEST_F(QemuImgConverter, DeclaresItsCapabilities) {
    EXPECT_STREQ(plugin_->descriptor().id, "org.hypersdk.converter.qemu-img");
    const auto& caps = *plugin_->converter().capabilities;
    std::vector<std::string> sources, targets;
    for (auto p = caps.supported_source_formats; *p != nullptr; ++p) sources.emplace_back(*p);
    for (auto p = caps.supported_target_formats; *p != nullptr; ++p) targets.emplace_back(*p);
    EXPECT_EQ(sources, (std::vector<std::string>{"vmdk", "vhd", "vhdx", "raw", "qcow2", "vdi"}));
    EXPECT_EQ(targets, (std::vector<std::string>{"qcow2", "raw", "vdi"}));
    EXPECT_FALSE(caps.supports_driver_injection);
    EXPECT_FALSE(caps.supports_os_detection);
    EXPECT_TRUE(caps.supports_validation);
    EXPECT_STREQ(caps.supported_providers[0], "*");
    EXPECT_EQ(caps.priority, 10);
    EXPECT_STREQ(caps.tool_name, "qemu-img");
    EXPECT_STREQ(caps.install_hint, "apt-get install qemu-utils");
}

TEST_F(QemuImgConverter, ValidateAndVersionUseTheInstalledQemuImg) {
    EXPECT_EQ(plugin_->validate("{}").status, HYPERSDK_OK);
    std::string output;
    ASSERT_EQ(run_command({"qemu-img", "--version"}, &output), 0);
    const auto v = plugin_->version("");
    EXPECT_EQ(v.status, HYPERSDK_OK) << v.error;
    EXPECT_EQ(v.text, hypersdk::plugin_common::extract_version(output));
    EXPECT_NE(v.text.find('.'), std::string::npos);

    const auto missing = plugin_->validate(R"({"binary_path": "/nonexistent/qemu-img"})");
    EXPECT_EQ(missing.status, HYPERSDK_ERR_TOOL_MISSING);
    EXPECT_NE(missing.error.find("/nonexistent/qemu-img"), std::string::npos) << missing.error;
    EXPECT_NE(missing.error.find("apt-get install qemu-utils"), std::string::npos) << missing.error;
}

TEST_F(QemuImgConverter, ConvertsEverySourceFormatToIdenticalQcow2WithReportAndProgress) {
    auto spec = spec_for(all_source_kinds());
    spec.disks[3].boot_order_hint = std::nullopt;  // default 999: converted last
    spec.validate = true;
    const auto r = plugin_->convert("{}", write(spec), R"({"stream_output": true})");
    ASSERT_EQ(r.status, HYPERSDK_OK) << r.error << "\n" << r.text;
    ASSERT_TRUE(r.result.IsObject()) << r.text;
    EXPECT_TRUE(r.result["success"].GetBool());
    EXPECT_STREQ(r.result["error"].GetString(), "");

    const std::string out_dir = work_ / "output";
    const auto files = strings(r.result["converted_files"]);
    ASSERT_EQ(files.size(), all_source_kinds().size());
    EXPECT_EQ(files.front(), out_dir + "/vmdk-sparse.qcow2");  // boot disk first
    EXPECT_EQ(files.back(), out_dir + "/vhd-fixed.qcow2");     // no hint: last
    for (const auto& kind : all_source_kinds()) {
        const auto& src = image(kind);
        const std::string out = out_dir + "/" + kind + ".qcow2";
        EXPECT_EQ(compare_images(src.path, src.qemu_format, out, "qcow2"), "") << kind;
        EXPECT_EQ(compare_images(raw_, "raw", out, "qcow2"), "") << kind;
    }
    EXPECT_TRUE(files_with_suffix(out_dir, ".part").empty());

    // Progress: weighted by bytes, monotonic, ending at the total.
    ASSERT_FALSE(r.progress.empty());
    uint64_t last = 0;
    for (const auto& [done, total] : r.progress) {
        EXPECT_GE(done, last);
        EXPECT_LE(done, total);
        last = done;
    }
    EXPECT_EQ(r.progress.back().first, r.progress.back().second);
    EXPECT_GT(r.progress.size(), all_source_kinds().size());

    // Streamed output: qemu-img check's verdict (progress redraws are not streamed).
    EXPECT_TRUE(std::any_of(r.output.begin(), r.output.end(), [](const auto& l) {
        return l.find("No errors were found") != std::string::npos;
    }));
    EXPECT_TRUE(std::none_of(r.output.begin(), r.output.end(),
                             [](const auto& l) { return l.find("/100%)") != std::string::npos; }));

    // report.json in hyper2kvm's shape.
    EXPECT_EQ(std::string(r.result["report_path"].GetString()), out_dir + "/report.json");
    rapidjson::Document report;
    report.Parse(read_file(out_dir + "/report.json"));
    ASSERT_FALSE(report.HasParseError());
    for (const char* key : {"version", "timestamp", "hyper2kvm_version", "input_manifest", "pipeline",
                            "artifacts", "warnings", "errors", "summary"})
        EXPECT_TRUE(report.HasMember(key)) << key;
    EXPECT_TRUE(report["hyper2kvm_version"].IsNull());
    EXPECT_STREQ(report["tool"].GetString(), "qemu-img");
    EXPECT_TRUE(report["pipeline"]["success"].GetBool());
    const auto& stages = report["pipeline"]["stages"];
    EXPECT_TRUE(stages["load_manifest"]["success"].GetBool());
    EXPECT_TRUE(stages["convert"]["success"].GetBool());
    EXPECT_EQ(stages["convert"]["result"]["converted_disks"].Size(), all_source_kinds().size());
    EXPECT_STREQ(stages["convert"]["result"]["converted_disks"][0]["input_format"].GetString(), "vmdk");
    EXPECT_TRUE(stages["validate"]["success"].GetBool());
    EXPECT_EQ(report["artifacts"].Size(), all_source_kinds().size());
    EXPECT_STREQ(report["artifacts"][0]["type"].GetString(), "converted_disk");
    EXPECT_EQ(report["summary"]["total_stages"].GetInt(), 3);
    EXPECT_EQ(report["summary"]["output_disks"].GetInt(), static_cast<int>(all_source_kinds().size()));
    EXPECT_STREQ(report["input_manifest"]["source_provider"].GetString(), "vsphere");

    EXPECT_TRUE(r.result["metadata"]["stages"]["validate"]["success"].GetBool());
}

TEST_F(QemuImgConverter, WritesRawAndVdiTargetsAndSkipsCheckingRaw) {
    for (const std::string target : {"raw", "vdi"}) {
        auto spec = spec_for({"vhd-fixed", "vmdk-stream"});
        spec.validate = true;
        spec.output_directory = work_ / ("out-" + target);
        spec.report_path = "reports/conversion.json";
        const auto r = plugin_->convert("{}", write(spec), R"({"target_format": ")" + target + R"("})");
        ASSERT_EQ(r.status, HYPERSDK_OK) << r.error;
        for (const auto& kind : {"vhd-fixed", "vmdk-stream"}) {
            const std::string out = spec.output_directory + "/" + kind + "." + target;
            EXPECT_EQ(compare_images(raw_, "raw", out, target), "") << out;
        }
        EXPECT_EQ(std::string(r.result["report_path"].GetString()),
                  spec.output_directory + "/reports/conversion.json");
        EXPECT_TRUE(fs::exists(spec.output_directory + "/reports/conversion.json"));
        const bool warned_raw = !r.warnings.empty() && r.warnings[0].stage == "validate";
        EXPECT_EQ(warned_raw, target == "raw");
    }
}

TEST_F(QemuImgConverter, CompressesQcow2WhenAsked) {
    auto spec = spec_for({"qcow2"});
    const auto r = plugin_->convert("{}", write(spec), R"({"compression_level": 6})");
    ASSERT_EQ(r.status, HYPERSDK_OK) << r.error;
    EXPECT_TRUE(r.result["metadata"]["compressed"].GetBool());
    EXPECT_NE(std::string(r.result["metadata"]["commands"][0].GetString()).find(" -c "), std::string::npos);
    EXPECT_EQ(compare_images(raw_, "raw", work_ / "output/qcow2.qcow2", "qcow2"), "");
}

TEST_F(QemuImgConverter, DryRunPrintsTheCommandsAndConvertsNothing) {
    const auto r =
        plugin_->convert("{}", write(spec_for({"vhd-dynamic", "vmdk-sparse"})), R"({"dry_run": true})");
    ASSERT_EQ(r.status, HYPERSDK_OK) << r.error;
    ASSERT_EQ(r.output.size(), 2u);
    EXPECT_NE(r.output[0].find("qemu-img convert -p -f vpc -O qcow2 " + image("vhd-dynamic").path + " " +
                               (work_ / "output/vhd-dynamic.qcow2.part").string()),
              std::string::npos)
        << r.output[0];
    EXPECT_NE(r.output[1].find("-f vmdk"), std::string::npos);
    EXPECT_FALSE(fs::exists(work_ / "output"));
    EXPECT_EQ(r.result["converted_files"].Size(), 0u);
    EXPECT_TRUE(r.result["metadata"]["dry_run"].GetBool());
}

TEST_F(QemuImgConverter, RefusesManifestsThatAskForGuestChanges) {
    auto spec = spec_for({"raw"});
    spec.fix = true;
    spec.inspect = true;
    const auto r = plugin_->convert("{}", write(spec), "{}");
    EXPECT_EQ(r.status, HYPERSDK_ERR_UNSUPPORTED);
    EXPECT_NE(r.error.find("pipeline.fix (driver injection) and pipeline.inspect (OS detection)"),
              std::string::npos)
        << r.error;
    EXPECT_FALSE(r.result["success"].GetBool());
    EXPECT_EQ(std::string(r.result["error"].GetString()), r.error);
    EXPECT_FALSE(fs::exists(work_ / "output/raw.qcow2"));
    // The report records the refusal.
    rapidjson::Document report;
    report.Parse(read_file(work_ / "output/report.json"));
    ASSERT_TRUE(report.IsObject());
    EXPECT_FALSE(report["pipeline"]["success"].GetBool());
    EXPECT_EQ(report["errors"].Size(), 1u);
}

// The manifest is validated as the host validates it, so a missing disk is a
// manifest error naming the key and the file.
TEST_F(QemuImgConverter, MissingSourceDiskIsNamed) {
    auto spec = spec_for({"raw"});
    spec.disks[0].path = work_ / "gone.img";
    const auto r = plugin_->convert("{}", write(spec), "{}");
    EXPECT_EQ(r.status, HYPERSDK_ERR_INVALID_ARGUMENT);
    EXPECT_NE(r.error.find("disks[0].local_path: file not found: \"" + (work_ / "gone.img").string() + "\""),
              std::string::npos)
        << r.error;
}

TEST_F(QemuImgConverter, CorruptSourceFailsWithQemuImgsMessageAndNoPartFile) {
    write_random_raw(work_ / "corrupt.vmdk", 1024 * 1024, 3);
    ManifestSpec spec;
    spec.disks.push_back({"corrupt", "vmdk", work_ / "corrupt.vmdk", 0});
    const auto r = plugin_->convert("{}", write(spec), "{}");
    EXPECT_EQ(r.status, HYPERSDK_ERR_TOOL_FAILED);
    EXPECT_NE(r.error.find("qemu-img convert of disk 'corrupt'"), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("exit code 1"), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("qemu-img:"), std::string::npos) << r.error;  // qemu-img's own words
    EXPECT_TRUE(files_with_suffix(work_.path(), ".part").empty());
    EXPECT_FALSE(fs::exists(work_ / "output/corrupt.qcow2"));
}

TEST_F(QemuImgConverter, CancellationKillsQemuImgAndRemovesThePartFile) {
    // Incompressible data into a compressed qcow2: slow enough to cancel mid-way.
    write_random_raw(work_ / "big.raw", 64 * 1024 * 1024, 11);
    ManifestSpec spec;
    spec.disks.push_back({"big", "raw", work_ / "big.raw", 0});
    const std::string part = work_ / "output/big.qcow2.part";
    LoadedConverter::Hooks hooks;
    bool part_seen = false;
    hooks.on_progress = [&](hypersdk::core::Job& job, uint64_t, uint64_t) {
        // Cancel once qemu-img really is writing the .part file.
        if (fs::exists(part)) {
            part_seen = true;
            job.cancel();
        }
    };
    const auto started = std::chrono::steady_clock::now();
    const auto r = plugin_->convert("{}", write(spec), R"({"compression_level": 1})", hooks);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 20s);
    EXPECT_TRUE(part_seen);
    EXPECT_EQ(r.status, HYPERSDK_ERR_CANCELLED) << r.error;
    EXPECT_NE(r.error.find("cancelled during qemu-img convert of disk 'big'"), std::string::npos) << r.error;
    EXPECT_FALSE(fs::exists(part));
    EXPECT_FALSE(fs::exists(work_ / "output/big.qcow2"));
    EXPECT_FALSE(r.result["success"].GetBool());
}

TEST_F(QemuImgConverter, BadOptionsNameTheKey) {
    const auto r = plugin_->convert("{}", write(spec_for({"raw"})), R"({"verbose": 7})");
    EXPECT_EQ(r.status, HYPERSDK_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(r.error, "convert options: key 'verbose' must be an integer >= 0 and <= 3, not 7");
    EXPECT_TRUE(r.result.IsObject());
    const auto bad_target = plugin_->convert("{}", write(spec_for({"raw"})), R"({"target_format": "vmdk"})");
    EXPECT_EQ(bad_target.status, HYPERSDK_ERR_UNSUPPORTED);
    EXPECT_NE(bad_target.error.find("target format 'vmdk'"), std::string::npos);
}
