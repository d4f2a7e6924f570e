// The virt-v2v converter against the real virt-v2v (libguestfs, ~660 MB, not
// installed by default). Label "guestfs": ./scripts/test --all runs it. Each
// test skips, saying why, when virt-v2v is absent.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <vector>

#include "converter_harness.hpp"
#include "hypersdk/plugin_common/binary_lookup.hpp"
#include "test_images.hpp"

namespace fs = std::filesystem;
using namespace hypersdk::test;

namespace {

// The appliance needs TCG on these machines (KVM fails in them).
const char* kConfig =
    R"({"environment": {"LIBGUESTFS_BACKEND_SETTINGS": "force_tcg"}, "timeout_seconds": 900})";

class VirtV2vGuestfs : public ::testing::Test {
protected:
    void SetUp() override {
        if (!hypersdk::plugin_common::find_executable("virt-v2v", "").found())
            GTEST_SKIP() << "virt-v2v is not installed (apt-get install --no-install-recommends virt-v2v "
                            "libguestfs-tools nbdkit linux-image-amd64)";
        plugin_ = std::make_unique<LoadedConverter>(PLUGIN_PATH);
    }
    TempDir work_;
    std::unique_ptr<LoadedConverter> plugin_;
};

}  // namespace

TEST_F(VirtV2vGuestfs, ValidatePassesOnAMachineWithLibguestfs) {
    const auto r = plugin_->validate(kConfig);
    EXPECT_EQ(r.status, HYPERSDK_OK) << r.error;
}

// A disk without an operating system: virt-v2v's inspection must fail, and
// its own message must reach the caller with no output left behind.
TEST_F(VirtV2vGuestfs, BlankDiskFailsInspectionWithVirtV2vsMessage) {
    write_patterned_raw(work_ / "blank.raw", 64 * 1024 * 1024, 1);
    ManifestSpec spec;
    spec.disks.push_back({"boot", "raw", work_ / "blank.raw", 0});
    write_manifest(work_ / "m.json", spec);
    const auto r = plugin_->convert(kConfig, work_ / "m.json", R"({"stream_output": true})");
    EXPECT_EQ(r.status, HYPERSDK_ERR_TOOL_FAILED) << r.text;
    EXPECT_NE(r.error.find("virt-v2v: error: "), std::string::npos) << r.error;
    // Nothing but the report: no disk, no XML, no staging directory.
    std::vector<std::string> left;
    for (const auto& e : fs::directory_iterator(work_ / "output"))
        if (e.path().filename() != "report.json") left.push_back(e.path().filename().string());
    EXPECT_EQ(left, std::vector<std::string>{});
    // virt-v2v's real stage lines were read: the run stopped in inspection.
    rapidjson::Document report;
    report.Parse(read_file(work_ / "output/report.json").c_str());
    ASSERT_TRUE(report.IsObject());
    ASSERT_TRUE(report["pipeline"]["stages"].HasMember("inspect")) << read_file(work_ / "output/report.json");
    EXPECT_FALSE(report["pipeline"]["stages"]["inspect"]["success"].GetBool());
    EXPECT_TRUE(std::any_of(r.output.begin(), r.output.end(), [](const std::string& line) {
        return line.find("] Inspecting the source") != std::string::npos;
    }));
}

// A real guest image, when the operator provides one (none can be built offline).
TEST_F(VirtV2vGuestfs, ConvertsARealGuestImage) {
    const char* image = std::getenv("HYPERSDK_V2V_GUEST_IMAGE");
    if (image == nullptr || !fs::exists(image))
        GTEST_SKIP()
            << "set HYPERSDK_V2V_GUEST_IMAGE to a bootable guest disk image (qcow2 or raw) to run this";
    std::string info;
    run_command({"qemu-img", "info", "--output=json", image}, &info);
    const std::string format = info.find("\"format\": \"qcow2\"") != std::string::npos ? "qcow2" : "raw";
    ManifestSpec spec;
    spec.disks.push_back({"boot", format, image, 0});
    write_manifest(work_ / "m.json", spec);
    const auto r = plugin_->convert(kConfig, work_ / "m.json", R"({"stream_output": true})");
    ASSERT_EQ(r.status, HYPERSDK_OK) << r.error;
    ASSERT_GE(r.result["converted_files"].Size(), 1u);
    EXPECT_EQ(std::string(r.result["converted_files"][0].GetString()),
              (work_ / "output/boot.qcow2").string());
    ASSERT_TRUE(r.result.HasMember("artifacts"));
    EXPECT_STREQ(r.result["artifacts"][0]["kind"].GetString(), "libvirt_domain_xml");
    rapidjson::Document report;
    report.Parse(read_file(work_ / "output/report.json").c_str());
    ASSERT_TRUE(report.IsObject());
    const auto& guest = report["pipeline"]["stages"]["inspect"]["result"]["guest"];
    EXPECT_TRUE(guest["distro"].IsString()) << "virt-v2v's inspection found no OS";
    std::string check;
    EXPECT_EQ(run_command({"qemu-img", "check", r.result["converted_files"][0].GetString()}, &check), 0)
        << check;
}
