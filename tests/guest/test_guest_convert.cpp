// `hyperexport manifest create` over the guest as VMDK, VHD and VHDX (made
// with qemu-img convert, as other hypervisors hand disks over), then
// `hyperexport convert` with the qemu-img converter: the qcow2 it writes boots.
// The converted disk is found as a user finds it: convert --json names
// report.json, whose artifacts[] lists the converted disks.
#include <gtest/gtest.h>

#include "boot_harness.hpp"
#include "guest_conversion.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using namespace hypersdk::test;
using namespace std::chrono_literals;

namespace {

struct SourceFormat {
    std::string name;                   // test name part
    std::string extension;              // file name extension
    std::vector<std::string> qemu_img;  // qemu-img convert -O ... options
    Firmware firmware;
};

// Test names and failure messages show the format by name, not its bytes.
void PrintTo(const SourceFormat& format, std::ostream* out) {
    *out << format.name;
}

class GuestConvert : public ::testing::TestWithParam<SourceFormat> {
protected:
    void SetUp() override {
        guest_ = built_guest();
        ASSERT_FALSE(guest_.id.empty()) << "no guest image under " HYPERSDK_GUEST_DIR
                                           "/current: run tests/guest/build-guest (ctest's guest_build)";
        fs::create_directories(dir_ / "home");
    }

    GuestImage guest_;
    TempDir dir_;
};

}  // namespace

TEST_P(GuestConvert, ManifestCreateThenConvertWithQemuImgBoots) {
    const SourceFormat& source = GetParam();
    const fs::path disk = dir_ / ("guest." + source.extension);
    std::vector<std::string> convert_args{"convert", "-f", "raw"};
    convert_args.insert(convert_args.end(), source.qemu_img.begin(), source.qemu_img.end());
    convert_args.push_back(guest_.disk(source.firmware).string());
    convert_args.push_back(disk.string());
    run_qemu_tool("qemu-img", convert_args);
    ASSERT_FALSE(HasFailure());

    ProcessOptions options;
    options.env = {{"HOME", (dir_ / "home").string()}, {"PATH", "/usr/bin:/bin"}};
    options.timeout = 600s;
    const fs::path manifest = dir_ / "artifact-manifest.json";
    const fs::path output = dir_ / "out";
    const auto created =
        run_hyperexport({"--quiet", "manifest", "create", "--disk", disk.string(), "--vm-name",
                         "hypersdk-guest", "--output", manifest.string(), "--output-dir", output.string()},
                        options);
    ASSERT_EQ(created.exit_code, 0) << created.out << created.err;

    const auto converted = run_hyperexport(
        {"convert", "--manifest", manifest.string(), "--converter", "qemu-img", "--json"}, options);
    ASSERT_EQ(converted.exit_code, 0) << converted.out << converted.err;
    const auto boot_disk = boot_disk_of_conversion(converted.out);
    ASSERT_TRUE(boot_disk.error.empty()) << boot_disk.error;
    EXPECT_EQ(boot_disk.format, "qcow2");
    EXPECT_EQ(boot_disk.path.parent_path(), output);

    const auto result = boot(boot_disk.path, {.firmware = source.firmware,
                                              .format = boot_disk.format,
                                              .marker = guest_.marker(source.firmware),
                                              .limit = 300s,
                                              .log_name = ""});
    EXPECT_TRUE(result.booted) << result.describe();
}

// VMDK (monolithic sparse, as VMware Workstation writes), VHD (dynamic, as
// Hyper-V and Azure) and VHDX; the UEFI guest once, as VHDX. Only the VMDK
// runs by default; the "Slow" ones (label guest-slow) with ./scripts/test
// --all, to keep .ci/run inside its hour (docs/testing.md, "Boot proof").
INSTANTIATE_TEST_SUITE_P(
    Formats, GuestConvert,
    ::testing::Values(SourceFormat{"BiosVmdk", "vmdk", {"-O", "vmdk"}, Firmware::bios},
                      SourceFormat{"SlowBiosVhd",
                                   "vhd",
                                   {"-O", "vpc", "-o", "subformat=dynamic,force_size=on"},
                                   Firmware::bios},
                      SourceFormat{"SlowBiosVhdx", "vhdx", {"-O", "vhdx"}, Firmware::bios},
                      SourceFormat{"SlowUefiVhdx", "vhdx", {"-O", "vhdx"}, Firmware::uefi}),
    [](const ::testing::TestParamInfo<SourceFormat>& info) { return info.param.name; });
