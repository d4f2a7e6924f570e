// vSphere end to end with a real guest: the guest, as a streamOptimized VMDK,
// becomes the disk of a VM in vcsim (its firmware set to match: BIOS or EFI);
// `hyperexport --provider vsphere --vm ... --convert` exports and converts it
// with qemu-img (format only, --fix=false) or virt-v2v (inspect + fix, the
// default); the result boots under QEMU with the firmware the manifest names.
#include <gtest/gtest.h>
#include <unistd.h>

#include <iostream>

#include "boot_harness.hpp"
#include "exported_guest_boot.hpp"
#include "guest_conversion.hpp"
#include "inventory.hpp"
#include "session.hpp"
#include "task.hpp"
#include "temp_dir.hpp"
#include "vcsim_fixture.hpp"

namespace fs = std::filesystem;
namespace vsphere = hypersdk::vsphere;
using namespace hypersdk::test;
using namespace std::chrono_literals;

namespace {

const char* const kVm = "DC0_H0_VM0";

class GuestVsphere : public ::testing::Test {
protected:
    void SetUp() override {
        guest_ = built_guest();
        ASSERT_FALSE(guest_.id.empty()) << "no guest image under " HYPERSDK_GUEST_DIR
                                           "/current: run tests/guest/build-guest (ctest's guest_build)";
        fs::create_directories(dir_ / "home");
    }

    // vcsim with the guest as kVm's disk and the VM's firmware set to match.
    void start_with_guest(Firmware firmware) {
        const fs::path vmdk = dir_ / "guest.vmdk";
        run_qemu_tool("qemu-img", {"convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=streamOptimized",
                                   guest_.disk(firmware).string(), vmdk.string()});
        ASSERT_FALSE(HasFailure());
        vcsim_ = std::make_unique<Vcsim>();
        vcsim_->upload_file(vmdk, std::string(kVm) + "/disk1.vmdk");
        fs::remove(vmdk);
        set_firmware(firmware == Firmware::uefi ? "efi" : "bios");
    }

    // ReconfigVM_Task with config.firmware, as an administrator sets it.
    void set_firmware(const std::string& vsphere_firmware) const {
        vsphere::Config config;
        config.url = vcsim_->url();
        config.username = vcsim_->username();
        config.password = vcsim_->password();
        config.ca_file = vcsim_->ca_file().string();
        vsphere::Session session(config);
        session.login();
        const auto vm = vsphere::find_vm(session, kVm);
        const auto task = vsphere::to_moref(
            session
                .call(vsphere::Call("ReconfigVM_Task", vm.ref)
                          .param_xml("<spec><firmware>" + vsphere_firmware + "</firmware></spec>"))
                .returnval());
        vsphere::wait_for_task(session, task, 60s);
    }

    ProcessOptions env(std::chrono::seconds timeout) const {
        ProcessOptions options;
        options.env = {{"GOVC_URL", vcsim_->url()},
                       {"GOVC_USERNAME", vcsim_->username()},
                       {"GOVC_PASSWORD", vcsim_->password()},
                       {"GOVC_TLS_CA_CERTS", vcsim_->ca_file().string()},
                       {"PATH", "/usr/sbin:/usr/bin:/sbin:/bin"},
                       {"HOME", (dir_ / "home").string()}};
        // No usable /dev/kvm (these machines, most CI): virt-v2v's appliance
        // must run under TCG, and its converter refuses to start unless told.
        if (::access("/dev/kvm", R_OK | W_OK) != 0) {
            options.env["LIBGUESTFS_BACKEND"] = "direct";
            options.env["LIBGUESTFS_BACKEND_SETTINGS"] = "force_tcg";
        }
        options.unset_env = {"GOVC_INSECURE", "GOVC_DATACENTER"};
        options.timeout = timeout;
        return options;
    }

    // Exports kVm with --convert and the extra arguments, boots the boot disk
    // the conversion's report lists with the firmware the manifest names, and
    // returns hyperexport's result for further checks.
    ProcessResult export_convert_and_boot(Firmware firmware, std::vector<std::string> extra,
                                          std::chrono::seconds timeout) {
        const fs::path out = dir_ / "out";
        std::vector<std::string> args{"--provider", "vsphere",     "--vm",      kVm,     "--output",
                                      out.string(), "--power-off", "--convert", "--json"};
        args.insert(args.end(), extra.begin(), extra.end());
        auto result = run_hyperexport(args, env(timeout));
        EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
        if (result.exit_code != 0) return result;
        EXPECT_EQ(result.out.find(vcsim_->password()), std::string::npos);
        EXPECT_EQ(result.err.find(vcsim_->password()), std::string::npos);

        // The manifest says how the VM booted on vSphere; QEMU boots it that way.
        EXPECT_TRUE(export_boots_with(out, result.out, guest_, firmware));
        return result;
    }

    // virt-v2v inspected the guest: the converter records what it found in
    // report.json (pipeline.stages.inspect.result.guest, docs/converters.md).
    void expect_inspected_debian_12() const {
        const fs::path report = dir_ / "out" / "report.json";
        const std::string prefix = "pipeline.stages.inspect.result.guest.";
        EXPECT_EQ(json_member(report, prefix + "distro"), "debian") << read_text(report);
        EXPECT_EQ(json_member(report, prefix + "version").rfind("12", 0), 0u) << read_text(report);
    }

    GuestImage guest_;
    TempDir dir_;
    std::unique_ptr<Vcsim> vcsim_;
};

}  // namespace

// Only with ./scripts/test --all: the VMDK convert and the virt-v2v BIOS tests cover BIOS by default.
TEST_F(GuestVsphere, SlowBiosVmConvertedWithQemuImgBoots) {
    start_with_guest(Firmware::bios);
    ASSERT_FALSE(HasFailure());
    export_convert_and_boot(Firmware::bios, {"--converter", "qemu-img", "--fix=false"}, 900s);
}

TEST_F(GuestVsphere, UefiVmConvertedWithQemuImgBoots) {
    start_with_guest(Firmware::uefi);
    ASSERT_FALSE(HasFailure());
    export_convert_and_boot(Firmware::uefi, {"--converter", "qemu-img", "--fix=false"}, 900s);
}

// The default migration: INSPECT + FIX by virt-v2v (~11 min under TCG).
TEST_F(GuestVsphere, BiosVmConvertedWithVirtV2vBoots) {
    start_with_guest(Firmware::bios);
    ASSERT_FALSE(HasFailure());
    if (export_convert_and_boot(Firmware::bios, {"--converter", "virt-v2v"}, 2400s).exit_code == 0)
        expect_inspected_debian_12();
}

// Only with ./scripts/test --all ("Slow" in the name: label guest-slow).
TEST_F(GuestVsphere, SlowUefiVmConvertedWithVirtV2vBoots) {
    start_with_guest(Firmware::uefi);
    ASSERT_FALSE(HasFailure());
    if (export_convert_and_boot(Firmware::uefi, {"--converter", "virt-v2v"}, 2400s).exit_code == 0)
        expect_inspected_debian_12();
}
