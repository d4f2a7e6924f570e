// Disk format detection on real images made by qemu-img.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <hypersdk/core/manifest_disk_format.hpp>
#include <hypersdk/manifest/regular_file.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <future>

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

// `manifest create --disk FIFO` blocked in open() until a writer came.
TEST(DiskFormat, RefusesAFifoWithoutBlocking) {
    TempDir dir;
    const fs::path fifo = dir / "disk.fifo";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    auto outcome = std::async(std::launch::async, [&]() -> std::string {
        try {
            return "detected " + detect_disk_format(fifo);
        } catch (const hypersdk::manifest::UnreadableFileError& error) {
            return error.what();
        }
    });
    if (outcome.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
        // Unblock the reader so the test can end, then fail.
        const int writer = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
        if (writer >= 0) ::close(writer);
        FAIL() << "detect_disk_format blocked opening a FIFO";
    }
    EXPECT_EQ(outcome.get(), "cannot read " + fifo.string() + ": it is a FIFO, not a regular file");
    EXPECT_THROW(detect_disk_format("/dev/zero"), hypersdk::manifest::UnreadableFileError);
}

}  // namespace
