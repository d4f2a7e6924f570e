// Disk format detection on real images made by qemu-img.
#include <hypersdk/core/manifest_disk_format.hpp>

#include <gtest/gtest.h>

#include "manifest_test_support.hpp"

namespace {

using hypersdk::core::detect_disk_format;
using manifest_test::shell_quote;
using manifest_test::TempDir;
namespace fs = std::filesystem;

fs::path make_image(const TempDir& dir, const std::string& name, const std::string& qemu_format,
                    const std::string& options = "") {
    const fs::path path = dir / name;
    const auto result = manifest_test::run_command("qemu-img create -q -f " + qemu_format + " " +
                                                   (options.empty() ? "" : "-o " + options + " ") +
                                                   shell_quote(path.string()) + " 4M");
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return path;
}

TEST(DiskFormat, DetectsEveryFormatQemuImgWrites) {
    TempDir dir;
    EXPECT_EQ(detect_disk_format(make_image(dir, "sparse.vmdk", "vmdk")), "vmdk");
    EXPECT_EQ(detect_disk_format(make_image(dir, "stream.vmdk", "vmdk", "subformat=streamOptimized")),
              "vmdk");
    // monolithicFlat: a text descriptor plus a separate extent.
    EXPECT_EQ(detect_disk_format(make_image(dir, "flat.vmdk", "vmdk", "subformat=monolithicFlat")), "vmdk");
    EXPECT_EQ(detect_disk_format(dir / "flat-flat.vmdk"), "raw");
    EXPECT_EQ(detect_disk_format(make_image(dir, "disk.qcow2", "qcow2")), "qcow2");
    EXPECT_EQ(detect_disk_format(make_image(dir, "dynamic.vhd", "vpc")), "vhd");
    // A fixed VHD has its only "conectix" in the footer.
    EXPECT_EQ(detect_disk_format(make_image(dir, "fixed.vhd", "vpc", "subformat=fixed,force_size=on")),
              "vhd");
    EXPECT_EQ(detect_disk_format(make_image(dir, "disk.vhdx", "vhdx")), "vhdx");
    EXPECT_EQ(detect_disk_format(make_image(dir, "disk.vdi", "vdi")), "vdi");
    EXPECT_EQ(detect_disk_format(make_image(dir, "disk.img", "raw")), "raw");
}

TEST(DiskFormat, SmallAndUnusualFiles) {
    TempDir dir;
    manifest_test::write_file(dir / "empty", "");
    EXPECT_EQ(detect_disk_format(dir / "empty"), "raw");
    manifest_test::write_file(dir / "tiny", "QFI");
    EXPECT_EQ(detect_disk_format(dir / "tiny"), "raw");
    manifest_test::write_file(dir / "magic-only", "QFI\xfb");
    EXPECT_EQ(detect_disk_format(dir / "magic-only"), "qcow2");
    EXPECT_THROW(detect_disk_format(dir / "absent"), std::system_error);
}

}  // namespace
