// The boot proof's harness: boots a disk image under QEMU (TCG, q35, virtio
// disk and NIC, no outbound network, serial console to a file, OVMF for UEFI),
// waits a bounded time for the guest's "HYPERSDK-GUEST-BOOTED <id>" marker on
// the serial console, and kills QEMU. The image under test is never modified
// (-snapshot). A boot that does not reach the marker keeps its serial log
// under the build tree (guest/boot-logs/) and says where.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace hypersdk::test {

enum class Firmware { bios, uefi };

const char* firmware_name(Firmware firmware);  // "bios" or "uefi", as the manifest's vm.firmware

struct BootOptions {
    Firmware firmware = Firmware::bios;
    std::string format = "qcow2";     // the disk's format, given to QEMU explicitly
    std::string marker;               // the full marker line to wait for
    std::chrono::seconds limit{240};  // the whole boot, QEMU start to marker
    std::string log_name;             // serial log file name (unique per test)
};

struct BootResult {
    bool booted = false;       // the marker was seen
    bool qemu_exited = false;  // QEMU ended on its own (a reset with -no-reboot, an error)
    std::string stopped_by;    // the failure text that ended the wait early, if any
    std::chrono::seconds took{0};
    std::filesystem::path serial_log;  // kept only when the marker was not seen
    std::string serial_tail;           // its last lines
    std::string qemu_stderr;

    // For a failed assertion: what happened, where the log is, its last lines.
    std::string describe() const;
};

// The guest built by tests/guest/build-guest for this build tree.
struct GuestImage {
    std::filesystem::path dir;                            // BUILD/guest/current
    std::string id;                                       // its content hash
    std::filesystem::path disk(Firmware firmware) const;  // bios.raw or uefi.raw
    std::string marker(Firmware firmware) const;          // "HYPERSDK-GUEST-BOOTED <id>-<firmware>"
};

// Reads BUILD/guest/current; empty dir when the guest has not been built.
GuestImage built_guest();

// Boots `disk` and waits for `options.marker`. Also stops early, as a failed
// boot, on text that only a boot that went wrong prints (a kernel panic,
// initramfs's shell, the firmware finding nothing to boot).
BootResult boot(const std::filesystem::path& disk, const BootOptions& options);

}  // namespace hypersdk::test
