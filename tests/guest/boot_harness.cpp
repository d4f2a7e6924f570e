#include "boot_harness.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <array>
#include <fstream>
#include <sstream>
#include <thread>

#include "process.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace hypersdk::test {

namespace {

const char* const kOvmfCode = "/usr/share/OVMF/OVMF_CODE.fd";
const char* const kOvmfVars = "/usr/share/OVMF/OVMF_VARS.fd";

// Printed only by a boot that went wrong; seeing one ends the wait at once
// instead of at the limit. None of them can appear in a boot that succeeds.
constexpr std::array kFailureTexts = {
    "Kernel panic",                                 // the kernel gave up
    "(initramfs)",                                  // initramfs-tools dropped to its shell
    "Gave up waiting for root file system device",  // initramfs-tools
    "You are in emergency mode",                    // systemd
    "No bootable device",                           // SeaBIOS
    "No bootable option or device was found",       // OVMF (BdsDxe)
    "Nothing to boot: ",                            // iPXE, which OVMF tries after the disk failed
    "Shell>",                                       // OVMF fell through to its UEFI shell
    "grub rescue>",                                 // GRUB without its modules or config
};

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string last_lines(const std::string& text, size_t count) {
    size_t begin = text.size();
    if (begin > 0 && text[begin - 1] == '\n') --begin;  // the final newline ends the last line
    for (size_t line = 0; line < count && begin > 0; ++line) {
        const size_t newline = text.rfind('\n', begin - 1);
        if (newline == std::string::npos) return text;
        begin = newline;
    }
    return begin < text.size() && text[begin] == '\n' ? text.substr(begin + 1) : text;
}

// A file name from the running test's name, so each test keeps its own log.
std::string current_test_log_name() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = info ? std::string(info->test_suite_name()) + "." + info->name() : "boot";
    for (char& c : name)
        if (c == '/') c = '_';
    return name + ".serial.log";
}

}  // namespace

const char* firmware_name(Firmware firmware) {
    return firmware == Firmware::uefi ? "uefi" : "bios";
}

fs::path GuestImage::disk(Firmware firmware) const {
    return dir / (std::string(firmware_name(firmware)) + ".raw");
}

std::string GuestImage::marker(Firmware firmware) const {
    return "HYPERSDK-GUEST-BOOTED " + id + "-" + firmware_name(firmware);
}

GuestImage built_guest() {
    GuestImage image;
    const fs::path current = fs::path(HYPERSDK_GUEST_DIR) / "current";
    std::string id = read_text(current / "id");
    while (!id.empty() && (id.back() == '\n' || id.back() == ' ')) id.pop_back();
    if (id.empty()) return image;
    image.dir = fs::canonical(current);
    image.id = id;
    return image;
}

std::string BootResult::describe() const {
    std::ostringstream text;
    if (booted) {
        text << "booted to its marker in " << took.count() << " s";
        return text.str();
    }
    text << "no boot marker after " << took.count() << " s";
    if (!stopped_by.empty()) text << " (stopped early on \"" << stopped_by << "\")";
    if (qemu_exited) text << " (QEMU exited on its own)";
    text << "\nserial log kept: " << serial_log.string() << "\n--- its last lines ---\n" << serial_tail;
    if (!qemu_stderr.empty()) text << "\n--- QEMU's stderr ---\n" << qemu_stderr;
    return text.str();
}

BootResult boot(const fs::path& disk, const BootOptions& options) {
    TempDir work;
    const fs::path serial = work / "serial.log";
    std::vector<std::string> argv = {
        "qemu-system-x86_64", "-machine", "q35", "-accel", "tcg", "-m", "1024", "-smp", "1", "-nodefaults",
        "-no-user-config", "-display", "none",
        // A reset ends QEMU (a panicking or rebooting guest fails fast); SeaBIOS
        // resets at once when it finds nothing to boot.
        "-no-reboot", "-boot", "reboot-timeout=0",
        // The image under test is never written: writes go to a temporary overlay.
        "-snapshot", "-drive", "file=" + disk.string() + ",format=" + options.format + ",if=virtio",
        // A virtio NIC as a migrated VM has, but no way out: restrict=on.
        "-nic", "user,model=virtio-net-pci,restrict=on", "-serial", "file:" + serial.string()};
    if (options.firmware == Firmware::uefi) {
        // OVMF writes its variables: each boot gets its own copy.
        const fs::path vars = work / "OVMF_VARS.fd";
        fs::copy_file(kOvmfVars, vars);
        for (const std::string& drive :
             {"if=pflash,format=raw,unit=0,readonly=on,file=" + std::string(kOvmfCode),
              "if=pflash,format=raw,unit=1,file=" + vars.string()}) {
            argv.push_back("-drive");
            argv.push_back(drive);
        }
    }

    BootResult result;
    const auto start = std::chrono::steady_clock::now();
    const auto deadline = start + options.limit;
    BackgroundProcess qemu(argv,
                           {.env = {}, .unset_env = {}, .timeout = options.limit + 30s, .stdin_text = ""});
    std::string log;
    while (std::chrono::steady_clock::now() < deadline) {
        log = read_text(serial);
        if (log.find(options.marker) != std::string::npos) {
            result.booted = true;
            break;
        }
        for (const char* failure : kFailureTexts)
            if (log.find(failure) != std::string::npos) result.stopped_by = failure;
        if (!result.stopped_by.empty()) break;
        if (!process_group_alive(qemu.pid())) {
            result.qemu_exited = true;
            break;
        }
        std::this_thread::sleep_for(500ms);
    }
    result.took = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start);
    qemu.send_signal(SIGKILL);
    qemu.wait(10s);
    result.qemu_stderr = qemu.err();
    log = read_text(serial);
    if (!result.booted && log.find(options.marker) != std::string::npos) result.booted = true;
    if (!result.booted) {
        const fs::path kept_dir = fs::path(HYPERSDK_GUEST_DIR) / "boot-logs";
        fs::create_directories(kept_dir);
        result.serial_log =
            kept_dir / (options.log_name.empty() ? current_test_log_name() : options.log_name);
        fs::copy_file(serial, result.serial_log, fs::copy_options::overwrite_existing);
        result.serial_tail = last_lines(log, 25);
    }
    return result;
}

}  // namespace hypersdk::test
