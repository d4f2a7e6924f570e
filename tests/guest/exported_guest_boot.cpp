#include "exported_guest_boot.hpp"

#include "guest_conversion.hpp"

namespace hypersdk::test {

using namespace std::chrono_literals;

::testing::AssertionResult export_boots_with(const std::filesystem::path& export_dir,
                                             const std::string& json_stdout, const GuestImage& guest,
                                             Firmware firmware) {
    const std::string manifest_firmware = json_member(export_dir / "artifact-manifest.json", "vm.firmware");
    if (manifest_firmware != firmware_name(firmware))
        return ::testing::AssertionFailure() << "the manifest's vm.firmware is '" << manifest_firmware
                                             << "', but the VM boots with " << firmware_name(firmware);
    const auto boot_disk = boot_disk_of_conversion(json_stdout);
    if (!boot_disk.error.empty()) return ::testing::AssertionFailure() << boot_disk.error;
    const auto booted = boot(boot_disk.path, {.firmware = firmware,
                                              .format = boot_disk.format,
                                              .marker = guest.marker(firmware),
                                              .limit = 300s,
                                              .log_name = ""});
    if (!booted.booted) return ::testing::AssertionFailure() << booted.describe();
    return ::testing::AssertionSuccess() << "booted in " << booted.took.count() << " s";
}

}  // namespace hypersdk::test
