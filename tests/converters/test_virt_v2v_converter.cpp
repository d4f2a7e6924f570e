// The virt-v2v converter plugin without libguestfs (which is not installed
// here): validate() naming every missing piece, and convert() driving a fake
// virt-v2v script through the documented command line. The real run is in
// test_virt_v2v_guestfs.cpp (label "guestfs").
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>

#include "converter_harness.hpp"
#include "test_images.hpp"

namespace fs = std::filesystem;
using namespace hypersdk::test;

namespace {

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

class EnvGuard {
public:
    explicit EnvGuard(const char* name) : name_(name) {
        if (const char* v = std::getenv(name)) saved_ = v;
    }
    ~EnvGuard() {
        if (saved_) {
            ::setenv(name_, saved_->c_str(), 1);
        } else {
            ::unsetenv(name_);
        }
    }

private:
    const char* name_;
    std::optional<std::string> saved_;
};

class VirtV2vConverter : public ::testing::Test {
protected:
    void SetUp() override {
        plugin_ = std::make_unique<LoadedConverter>(PLUGIN_PATH);
        fs::create_directories(tools_ / "bin");
        fs::copy_file(FAKE_VIRT_V2V, tools_ / "bin/virt-v2v");  // tests/converters/fake-virt-v2v
        write_tool("nbdkit", "#!/bin/sh\necho nbdkit 1.32.5\n");
        write_tool("nbdcopy", "#!/bin/sh\necho nbdcopy 1.14.2\n");
        write_tool("qemu-nbd", "#!/bin/sh\necho qemu-nbd 7.2.0\n");
        std::ofstream(tools_ / "vmlinuz") << "not really a kernel";
    }
    void write_tool(const std::string& name, const std::string& text) {
        const std::string path = tools_ / ("bin/" + name);
        std::ofstream(path) << text;
        ::chmod(path.c_str(), 0755);
    }
    std::string fake_config(const std::string& extra_env = "") const {
        return R"({"binary_path": ")" + (tools_ / "bin/virt-v2v").string() +
               R"(", "environment": {"SUPERMIN_KERNEL": ")" + (tools_ / "vmlinuz").string() +
               R"(", "LIBGUESTFS_BACKEND_SETTINGS": "force_tcg", "FAKE_V2V_ARGS": ")" +
               (work_ / "args.txt").string() + "\"" + extra_env + "}}";
    }

    TempDir tools_, work_;
    std::unique_ptr<LoadedConverter> plugin_;
};

}  // namespace

TEST_F(VirtV2vConverter, DeclaresItsCapabilities) {
    EXPECT_STREQ(plugin_->descriptor().id, "org.hypersdk.converter.virt-v2v");
    const auto& caps = *plugin_->converter().capabilities;
    std::vector<std::string> targets;
    for (auto p = caps.supported_target_formats; *p != nullptr; ++p) targets.emplace_back(*p);
    EXPECT_EQ(targets, (std::vector<std::string>{"qcow2", "raw"}));
    EXPECT_TRUE(caps.supports_driver_injection);
    EXPECT_TRUE(caps.supports_os_detection);
    EXPECT_FALSE(caps.supports_validation);
    EXPECT_EQ(caps.priority, 50);
    EXPECT_STREQ(caps.tool_name, "virt-v2v");
}

TEST_F(VirtV2vConverter, ValidateNamesEverythingThatIsMissing) {
    for (const char* p : {"/usr/bin/virt-v2v", "/usr/local/bin/virt-v2v"})
        if (fs::exists(p)) GTEST_SKIP() << "virt-v2v is installed at " << p;
    TempDir empty;
    EnvGuard path("PATH"), home("HOME"), kernel("SUPERMIN_KERNEL"), backend("LIBGUESTFS_BACKEND_SETTINGS");
    ::setenv("PATH", empty.path().c_str(), 1);
    ::setenv("HOME", empty.path().c_str(), 1);
    ::unsetenv("SUPERMIN_KERNEL");
    ::unsetenv("LIBGUESTFS_BACKEND_SETTINGS");
    const auto r = plugin_->validate("{}");
    RecordProperty("message", r.error);
    EXPECT_EQ(r.status, HYPERSDK_ERR_TOOL_MISSING);
    EXPECT_TRUE(contains(r.error, "virt-v2v converter is not usable: virt-v2v not found")) << r.error;
    EXPECT_TRUE(contains(r.error, "apt-get install --no-install-recommends virt-v2v")) << r.error;
    if (!fs::exists("/usr/bin/nbdkit") && !fs::exists("/usr/sbin/nbdkit")) {
        EXPECT_TRUE(contains(r.error, "nbdkit not found")) << r.error;
    }
    bool readable_kernel = false;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator("/boot", ec))
        if (e.path().filename().string().rfind("vmlinuz-", 0) == 0 && ::access(e.path().c_str(), R_OK) == 0)
            readable_kernel = true;
    if (!readable_kernel) {
        EXPECT_TRUE(contains(r.error, "/boot/vmlinuz-*")) << r.error;
    }
    EXPECT_TRUE(contains(r.error, "LIBGUESTFS_BACKEND_SETTINGS=force_tcg")) << r.error;
}

TEST_F(VirtV2vConverter, ValidatePassesWithEveryPieceAndNamesTheOneThatIsMissing) {
    EnvGuard path("PATH");
    ::setenv("PATH", (tools_.path().string() + "/bin:/usr/bin:/bin").c_str(), 1);
    const auto ok = plugin_->validate(fake_config());
    EXPECT_EQ(ok.status, HYPERSDK_OK) << ok.error;

    const std::string no_kernel = R"({"binary_path": ")" + (tools_ / "bin/virt-v2v").string() +
                                  R"(", "environment": {"SUPERMIN_KERNEL": "/nonexistent/vmlinuz",
                                     "LIBGUESTFS_BACKEND_SETTINGS": "force_tcg"}})";
    const auto r = plugin_->validate(no_kernel);
    EXPECT_EQ(r.status, HYPERSDK_ERR_TOOL_FAILED);
    EXPECT_EQ(r.error,
              "virt-v2v converter is not usable: SUPERMIN_KERNEL=/nonexistent/vmlinuz is not a readable file "
              "(No such "
              "file or directory): point it at a kernel image the libguestfs appliance can boot");
    const auto v = plugin_->version(fake_config());
    EXPECT_EQ(v.text, "2.2.0");
}

// Debian's virt-v2v only recommends nbdcopy: without it the conversion died
// after ten minutes of FIX. validate() names it, and the package, at once.
TEST_F(VirtV2vConverter, ValidateNamesAMissingNbdcopyAndItsPackage) {
    for (const char* p : {"/usr/bin/nbdcopy", "/usr/local/bin/nbdcopy", "/usr/sbin/nbdcopy"})
        if (fs::exists(p)) GTEST_SKIP() << "nbdcopy is installed at " << p;
    fs::remove(tools_ / "bin/nbdcopy");
    EnvGuard path("PATH");
    ::setenv("PATH", (tools_.path().string() + "/bin:/usr/bin:/bin").c_str(), 1);
    const auto r = plugin_->validate(fake_config());
    EXPECT_EQ(r.status, HYPERSDK_ERR_TOOL_FAILED) << r.error;
    EXPECT_TRUE(contains(r.error, "nbdcopy not found on PATH")) << r.error;
    EXPECT_TRUE(contains(r.error, "apt-get install libnbd-bin")) << r.error;
}

TEST_F(VirtV2vConverter, ConvertsTheBootDiskWithTheDocumentedCommandLine) {
    TempDir images;
    write_patterned_raw(images / "disk.raw", 8 * 1024 * 1024, 9);
    const auto boot = make_source_image(images.path(), images / "disk.raw", "vhd-fixed");
    const auto data = make_source_image(images.path(), images / "disk.raw", "vmdk-sparse");
    ManifestSpec spec;
    spec.disks.push_back({"data", "vmdk", data.path, 1});
    spec.disks.push_back({"boot", "vhd", boot.path, 0});
    spec.vm_name = "web server";
    write_manifest(work_ / "m.json", spec);

    const auto r = plugin_->convert(fake_config(), work_ / "m.json", R"({"stream_output": true})");
    ASSERT_EQ(r.status, HYPERSDK_OK) << r.error << "\n" << r.text;
    const std::string out = work_ / "output";
    ASSERT_EQ(r.result["converted_files"].Size(), 1u);
    EXPECT_EQ(std::string(r.result["converted_files"][0].GetString()), out + "/web_server-sda");
    EXPECT_EQ(compare_images(images / "disk.raw", "raw", out + "/web_server-sda", "qcow2"), "");
    EXPECT_EQ(read_file(work_ / "args.txt"), "-i\ndisk\n-if\nvpc\n" + boot.path + "\n-o\nlocal\n-os\n" + out +
                                                 "\n-of\nqcow2\n-on\nweb_server\n");
    EXPECT_TRUE(std::any_of(r.warnings.begin(), r.warnings.end(), [](const auto& w) {
        return contains(w.message, "disk 'data' is not converted");
    }));
    EXPECT_TRUE(std::any_of(r.output.begin(), r.output.end(),
                            [](const auto& l) { return contains(l, "Finishing off"); }));
    EXPECT_EQ(std::string(r.result["report_path"].GetString()), out + "/report.json");

    // A second run refuses to overwrite the finished outputs.
    const auto again = plugin_->convert(fake_config(), work_ / "m.json", "{}");
    EXPECT_EQ(again.status, HYPERSDK_ERR_STATE);
    EXPECT_TRUE(contains(again.error, "already exists")) << again.error;
}

TEST_F(VirtV2vConverter, FailureSurfacesVirtV2vsErrorAndRemovesPartialOutputs) {
    TempDir images;
    write_patterned_raw(images / "disk.raw", 4 * 1024 * 1024, 9);
    ManifestSpec spec;
    spec.disks.push_back({"boot", "raw", images / "disk.raw", 0});
    write_manifest(work_ / "m.json", spec);
    const auto r = plugin_->convert(fake_config(R"(, "FAKE_V2V_MODE": "fail")"), work_ / "m.json", "{}");
    EXPECT_EQ(r.status, HYPERSDK_ERR_TOOL_FAILED);
    EXPECT_TRUE(contains(r.error, "virt-v2v failed (exit code 1)")) << r.error;
    EXPECT_TRUE(contains(r.error, "inspection could not detect the source guest")) << r.error;
    EXPECT_TRUE(files_with_suffix(work_ / "output", "-sda").empty());
}

// VALIDATE is the host's for a converter without the capability (it runs
// qemu-img check on the outputs), so a manifest that enables it converts.
TEST_F(VirtV2vConverter, LeavesTheValidateStageToTheHost) {
    TempDir images;
    write_patterned_raw(images / "disk.raw", 1024 * 1024 * 2, 9);
    ManifestSpec spec;
    spec.disks.push_back({"boot", "raw", images / "disk.raw", 0});
    spec.validate = true;
    write_manifest(work_ / "m.json", spec);
    const auto r = plugin_->convert(fake_config(), work_ / "m.json", "{}");
    EXPECT_EQ(r.status, HYPERSDK_OK) << r.error;
    EXPECT_FALSE(files_with_suffix(work_ / "output", "-sda").empty());
}
