// The guest itself boots, BIOS and UEFI (this proves the harness), and does
// not when the disk, the bootloader or the firmware setting is wrong: the
// boot tests of every conversion path are only worth something if a broken
// guest fails them. The broken copies are qcow2 overlays over the cached
// guest, damaged with qemu-io, so the guest itself is never touched.
#include <gtest/gtest.h>

#include <sstream>

#include "boot_harness.hpp"
#include "guest_conversion.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using namespace hypersdk::test;
using namespace std::chrono_literals;

namespace {

// Long enough for a good boot under TCG on a loaded 2-core machine (35-60 s
// measured) to have reached the marker; a broken one mostly stops sooner
// (the harness ends the wait on a panic, initramfs's shell, OVMF's shell).
constexpr auto kBrokenBootLimit = 90s;
constexpr uint64_t kMiB = 1024 * 1024;

class GuestBoot : public ::testing::Test {
protected:
    void SetUp() override {
        guest_ = built_guest();
        ASSERT_FALSE(guest_.id.empty()) << "no guest image under " HYPERSDK_GUEST_DIR
                                           "/current: run tests/guest/build-guest (ctest's guest_build)";
    }

    BootResult boot_image(const fs::path& disk, const std::string& format, Firmware firmware,
                          Firmware built_for, std::chrono::seconds limit = 300s) const {
        return boot(disk, {.firmware = firmware,
                           .format = format,
                           .marker = guest_.marker(built_for),
                           .limit = limit,
                           .log_name = ""});
    }

    // An overlay over the guest with `damage` (qemu-io commands) applied.
    fs::path broken_copy(Firmware firmware, const std::vector<std::string>& damage) const {
        const fs::path overlay = dir_ / "broken.qcow2";
        make_overlay(guest_.disk(firmware), "raw", overlay);
        for (const auto& command : damage)
            run_qemu_tool("qemu-io", {"-f", "qcow2", "-c", command, overlay.string()});
        return overlay;
    }

    GuestImage guest_;
    TempDir dir_;
};

}  // namespace

TEST_F(GuestBoot, BiosGuestBootsToItsMarker) {
    const auto result = boot_image(guest_.disk(Firmware::bios), "raw", Firmware::bios, Firmware::bios);
    EXPECT_TRUE(result.booted) << result.describe();
}

TEST_F(GuestBoot, UefiGuestBootsToItsMarker) {
    const auto result = boot_image(guest_.disk(Firmware::uefi), "raw", Firmware::uefi, Firmware::uefi);
    EXPECT_TRUE(result.booted) << result.describe();
}

// The marker names the image: the BIOS guest's marker is not the UEFI one's,
// so a test cannot pass on the wrong guest.
TEST_F(GuestBoot, MarkerNamesTheVariant) {
    EXPECT_NE(guest_.marker(Firmware::bios), guest_.marker(Firmware::uefi));
    const std::string bios_id = read_text(guest_.dir / "id");
    EXPECT_NE(guest_.marker(Firmware::bios).find(guest_.id), std::string::npos) << bios_id;
}

// Break each once: the bootloader (MBR boot code, its signature and GRUB's
// core image in the gap before the first partition; the partition table stays).
TEST_F(GuestBoot, BiosGuestWithItsBootloaderWipedDoesNotBoot) {
    const auto disk = broken_copy(Firmware::bios, {"write -P 0 0 440", "write -P 0 510 2",
                                                   "write -z 512 " + std::to_string(kMiB - 512)});
    const auto result = boot_image(disk, "qcow2", Firmware::bios, Firmware::bios, kBrokenBootLimit);
    EXPECT_FALSE(result.booted) << result.describe();
    EXPECT_EQ(result.serial_tail.find("Linux version"), std::string::npos) << "no kernel may start";
}

// The bootloader on UEFI: the EFI system partition (first partition, 1 MiB..129 MiB) zeroed.
TEST_F(GuestBoot, UefiGuestWithItsEfiSystemPartitionWipedDoesNotBoot) {
    const auto disk =
        broken_copy(Firmware::uefi, {"write -z " + std::to_string(kMiB) + " " + std::to_string(128 * kMiB)});
    const auto result = boot_image(disk, "qcow2", Firmware::uefi, Firmware::uefi, kBrokenBootLimit);
    EXPECT_FALSE(result.booted) << result.describe();
    EXPECT_EQ(read_text(result.serial_log).find("Linux version"), std::string::npos) << "no kernel may start";
}

// The firmware setting: the UEFI guest (GPT, ESP, no BIOS boot code) started
// with BIOS. SeaBIOS runs the protective MBR's empty boot code and hangs, so
// this one always waits out its bound: --all only (BiosGuestBootedAsUefi
// below breaks the firmware setting by default, in ~20 s).
TEST_F(GuestBoot, SlowUefiGuestBootedAsBiosDoesNotBoot) {
    const auto result =
        boot_image(guest_.disk(Firmware::uefi), "raw", Firmware::bios, Firmware::uefi, kBrokenBootLimit);
    EXPECT_FALSE(result.booted) << result.describe();
}

// ... and the BIOS guest (MBR, no ESP) started with UEFI.
TEST_F(GuestBoot, BiosGuestBootedAsUefiDoesNotBoot) {
    const auto result =
        boot_image(guest_.disk(Firmware::bios), "raw", Firmware::uefi, Firmware::bios, kBrokenBootLimit);
    EXPECT_FALSE(result.booted) << result.describe();
}

// The disk: the root file system's contents damaged where GRUB does not look
// but the boot needs them: the blocks of systemd (/sbin/init) zeroed, found
// with debugfs on the cached disk (read-only). GRUB still loads the kernel;
// the kernel must have started, and init cannot.
TEST_F(GuestBoot, BiosGuestWithACorruptedRootFileSystemDoesNotBoot) {
    const uint64_t root_start = kMiB;  // the BIOS disk's only partition (tests/guest/build-guest)
    const auto blocks =
        run_process({"debugfs", "-R", "blocks /usr/lib/systemd/systemd",
                     guest_.disk(Firmware::bios).string() + "?offset=" + std::to_string(root_start)});
    ASSERT_EQ(blocks.exit_code, 0) << blocks.err;
    std::vector<std::string> damage;
    std::istringstream numbers(blocks.out);
    for (uint64_t block = 0; numbers >> block;)
        damage.push_back("write -z " + std::to_string(root_start + block * 4096) + " 4096");
    ASSERT_FALSE(damage.empty()) << "debugfs found no blocks for systemd: " << blocks.out << blocks.err;
    const auto disk = broken_copy(Firmware::bios, damage);
    const auto result = boot_image(disk, "qcow2", Firmware::bios, Firmware::bios, kBrokenBootLimit);
    EXPECT_FALSE(result.booted) << result.describe();
    EXPECT_NE(read_text(result.serial_log).find("Linux version"), std::string::npos)
        << "the kernel must have started: only the root file system's contents are broken\n"
        << result.describe();
}
