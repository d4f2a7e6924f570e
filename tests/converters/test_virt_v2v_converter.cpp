// The virt-v2v converter plugin without libguestfs (which is not installed
// here): validate() naming every missing piece, and convert() driving a fake
// virt-v2v script through the documented command line. The real run is in
// test_virt_v2v_guestfs.cpp (label "guestfs").
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <ostream>
#include <vector>

#include "converter_harness.hpp"
#include "test_images.hpp"

namespace fs = std::filesystem;
using namespace hypersdk::test;

namespace {

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// Entries of `dir` whose names start with `prefix` (virt-v2v's staging directories).
std::vector<std::string> entries_starting_with(const fs::path& dir, const std::string& prefix) {
    std::vector<std::string> found;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.path().filename().string().rfind(prefix, 0) == 0) found.push_back(e.path().filename().string());
    return found;
}

rapidjson::Document read_json(const std::string& path) {
    rapidjson::Document d;
    d.Parse(read_file(path).c_str());
    return d;
}

// Every converted or leftover file in the output directory, but the report.
std::vector<std::string> outputs_besides_report(const fs::path& dir) {
    std::vector<std::string> found;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.path().filename() != "report.json") found.push_back(e.path().filename().string());
    return found;
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

    // work_/m.json over one raw disk of patterned data (images_/disk.raw).
    ManifestSpec one_raw_disk(const std::string& id, uint64_t size, uint32_t seed) {
        write_patterned_raw(images_ / "disk.raw", size, seed);
        ManifestSpec spec;
        spec.disks.push_back({id, "raw", images_ / "disk.raw", 0});
        write_manifest(work_ / "m.json", spec);
        return spec;
    }

    TempDir tools_, work_, images_;
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

// virt-v2v runs nbdkit (its file plugin, its cow filter), nbdcopy and qemu-nbd
// by name: without one a conversion failed after ten minutes of FIX.
// validate() names each, and its package, at once.
struct MissingHelper {
    std::string name;
    std::string tool;    // removed from PATH, or replaced by a failing one
    std::string script;  // the replacement; empty = removed
    std::string expected;
    std::string package;  // removed tools: named when the tool is nowhere on this machine
};

void PrintTo(const MissingHelper& helper, std::ostream* os) {
    *os << helper.name;
}

class VirtV2vMissingHelper : public VirtV2vConverter, public ::testing::WithParamInterface<MissingHelper> {};

TEST_P(VirtV2vMissingHelper, ValidateNamesItAndItsPackage) {
    const auto& helper = GetParam();
    fs::remove(tools_ / ("bin/" + helper.tool));
    if (!helper.script.empty()) write_tool(helper.tool, helper.script);
    EnvGuard path("PATH");
    ::setenv("PATH", (tools_.path().string() + "/bin").c_str(), 1);  // the system's nbdkit is not on it
    const auto r = plugin_->validate(fake_config());
    RecordProperty("message", r.error);
    EXPECT_EQ(r.status, HYPERSDK_ERR_TOOL_FAILED) << r.error;
    EXPECT_TRUE(contains(r.error, helper.expected)) << r.error;
    EXPECT_FALSE(contains(r.error, "virt-v2v not found")) << r.error;
    if (helper.package.empty()) return;
    // Installed elsewhere on this machine (it is, where libguestfs is): that
    // it is not on virt-v2v's PATH is the problem; else the package to install.
    bool elsewhere = false;
    for (const char* dir : {"/usr/local/bin", "/usr/bin", "/usr/sbin", "/sbin"})
        elsewhere = elsewhere || fs::exists(fs::path(dir) / helper.tool);
    EXPECT_TRUE(contains(r.error, elsewhere ? helper.tool + " is at " : "apt-get install " + helper.package))
        << r.error;
    if (elsewhere) {
        EXPECT_TRUE(contains(r.error, "but not on the PATH virt-v2v runs with")) << r.error;
    }
}

const char* const kNbdkitWithout = R"(#!/bin/sh
for a in "$@"; do
  case "$a" in
    %s) echo "nbdkit: error: cannot open %s: No such file or directory" >&2; exit 1 ;;
  esac
done
echo nbdkit 1.32.5
)";

std::string nbdkit_without(const std::string& word, const std::string& file) {
    char text[512];
    std::snprintf(text, sizeof text, kNbdkitWithout, word.c_str(), file.c_str());
    return text;
}

INSTANTIATE_TEST_SUITE_P(
    EachHelper, VirtV2vMissingHelper,
    ::testing::Values(
        MissingHelper{"nbdkit", "nbdkit", "", "virt-v2v serves disks to the appliance", "nbdkit"},
        MissingHelper{"nbdcopy", "nbdcopy", "", "(virt-v2v copies the disks with it; ", "libnbd-bin"},
        MissingHelper{"qemu_nbd", "qemu-nbd", "", "(virt-v2v opens non-raw disks", "qemu-utils"},
        MissingHelper{
            "nbdkit_file_plugin", "nbdkit",
            nbdkit_without("file", "/usr/lib/x86_64-linux-gnu/nbdkit/plugins/nbdkit-file-plugin.so"),
            "nbdkit's file plugin does not work", ""},
        MissingHelper{
            "nbdkit_cow_filter", "nbdkit",
            nbdkit_without("--filter=cow", "/usr/lib/x86_64-linux-gnu/nbdkit/filters/nbdkit-cow-filter.so"),
            "nbdkit's cow filter does not work", ""}),
    [](const auto& info) { return info.param.name; });

TEST_F(VirtV2vConverter, ValidateNamesTheFailingNbdkitPluginsOutput) {
    fs::remove(tools_ / "bin/nbdkit");
    write_tool("nbdkit",
               nbdkit_without("file", "/usr/lib/x86_64-linux-gnu/nbdkit/plugins/nbdkit-file-plugin.so"));
    EnvGuard path("PATH");
    ::setenv("PATH", (tools_.path().string() + "/bin").c_str(), 1);
    const auto r = plugin_->validate(fake_config());
    EXPECT_TRUE(contains(r.error, "install with: apt-get install nbdkit")) << r.error;
    EXPECT_TRUE(contains(r.error, "nbdkit-file-plugin.so: No such file or directory")) << r.error;
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
    // Named like every converter's output: <disk id>.<format>.
    ASSERT_EQ(r.result["converted_files"].Size(), 1u);
    EXPECT_EQ(std::string(r.result["converted_files"][0].GetString()), out + "/boot.qcow2");
    EXPECT_EQ(compare_images(images / "disk.raw", "raw", out + "/boot.qcow2", "qcow2"), "");
    // virt-v2v wrote into a private staging directory, gone now.
    const std::string args = read_file(work_ / "args.txt");
    const std::string before_os =
        "-i\ndisk\n-if\nvpc\n" + boot.path + "\n-o\nlocal\n-os\n" + out + "/.virt-v2v-";
    EXPECT_EQ(args.substr(0, before_os.size()), before_os) << args;
    EXPECT_TRUE(contains(args, "\n-of\nqcow2\n-on\nweb_server\n")) << args;
    EXPECT_TRUE(entries_starting_with(out, ".virt-v2v-").empty());
    EXPECT_EQ(outputs_besides_report(out).size(), 2u);  // boot.qcow2, web_server.xml
    EXPECT_TRUE(std::any_of(r.warnings.begin(), r.warnings.end(), [](const auto& w) {
        return contains(w.message, "disk 'data' is not converted");
    }));
    EXPECT_TRUE(std::any_of(r.output.begin(), r.output.end(),
                            [](const auto& l) { return contains(l, "Finishing off"); }));
    EXPECT_EQ(std::string(r.result["report_path"].GetString()), out + "/report.json");

    // The domain XML is listed, and its disk points at the renamed file.
    ASSERT_TRUE(r.result.HasMember("artifacts"));
    ASSERT_EQ(r.result["artifacts"].Size(), 1u);
    EXPECT_STREQ(r.result["artifacts"][0]["kind"].GetString(), "libvirt_domain_xml");
    EXPECT_EQ(std::string(r.result["artifacts"][0]["path"].GetString()), out + "/web_server.xml");
    const std::string xml = read_file(out + "/web_server.xml");
    EXPECT_TRUE(contains(xml, "<source file=\"" + out + "/boot.qcow2\"")) << xml;
    EXPECT_FALSE(contains(xml, ".virt-v2v-")) << xml;
    EXPECT_TRUE(contains(xml, "http://debian.org/debian/12")) << xml;
    struct stat st {};
    ASSERT_EQ(::stat((out + "/web_server.xml").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);

    // A second run without --force refuses to overwrite the finished outputs, before running virt-v2v.
    fs::remove(work_ / "args.txt");
    const auto again = plugin_->convert(fake_config(), work_ / "m.json", "{}");
    EXPECT_EQ(again.status, HYPERSDK_ERR_STATE);
    EXPECT_TRUE(contains(again.error, out + "/boot.qcow2 already exists")) << again.error;
    EXPECT_TRUE(contains(again.error, "--force")) << again.error;
    EXPECT_FALSE(fs::exists(work_ / "args.txt")) << "virt-v2v ran although its output exists";
    EXPECT_TRUE(read_json(out + "/report.json")["pipeline"]["success"].GetBool()) << "the first run's report";
    EXPECT_EQ(compare_images(images / "disk.raw", "raw", out + "/boot.qcow2", "qcow2"), "");
}

// Only the XML is there (an earlier run's, or someone's): refused as well.
TEST_F(VirtV2vConverter, NeverReplacesAnExistingDomainXml) {
    ManifestSpec spec = one_raw_disk("disk-0", 2 * 1024 * 1024, 3);
    spec.vm_name = "web";
    write_manifest(work_ / "m.json", spec);
    fs::create_directories(work_ / "output");
    std::ofstream(work_ / "output/web.xml") << "<domain>mine</domain>";
    const auto r = plugin_->convert(fake_config(), work_ / "m.json", "{}");
    EXPECT_EQ(r.status, HYPERSDK_ERR_STATE) << r.error;
    EXPECT_EQ(read_file(work_ / "output/web.xml"), "<domain>mine</domain>");
    EXPECT_FALSE(fs::exists(work_ / "output/disk-0.qcow2"));
}

// --force (convert option "overwrite"): earlier outputs are swapped out only
// when the new run succeeds. A run that fails between its renames puts back
// what it had already replaced.
TEST_F(VirtV2vConverter, ForceReplacesEarlierOutputsOnlyWhenTheRunSucceeds) {
    ManifestSpec spec = one_raw_disk("disk-0", 2 * 1024 * 1024, 3);
    spec.vm_name = "web";
    write_manifest(work_ / "m.json", spec);
    ASSERT_EQ(plugin_->convert(fake_config(), work_ / "m.json", "{}").status, HYPERSDK_OK);
    const fs::path out = work_ / "output";
    fs::copy_file(images_ / "disk.raw", work_ / "first.raw");
    const std::string first_xml = read_file(out / "web.xml");
    write_patterned_raw(images_ / "disk.raw", 2 * 1024 * 1024, 4);  // the source changed since

    // The domain XML's place turns into a directory while virt-v2v copies: the
    // disk was already swapped in when its move fails, and is swapped back.
    LoadedConverter::Hooks hooks;
    hooks.on_output = [&](hypersdk::core::Job&, std::string_view line) {
        if (line.find("] Copying disk 1/1") == std::string_view::npos) return;
        fs::remove(out / "web.xml");
        fs::create_directory(out / "web.xml");
    };
    const auto failed = plugin_->convert(fake_config(), work_ / "m.json", R"({"overwrite": true})", hooks);
    EXPECT_EQ(failed.status, HYPERSDK_ERR_STATE) << failed.error;
    EXPECT_TRUE(contains(failed.error, out.string() + "/web.xml exists and is not a file")) << failed.error;
    EXPECT_EQ(compare_images(work_ / "first.raw", "raw", out / "disk-0.qcow2", "qcow2"), "")
        << "the earlier output was not put back";
    EXPECT_TRUE(entries_starting_with(out, ".virt-v2v-").empty());

    fs::remove(out / "web.xml");
    std::ofstream(out / "web.xml") << first_xml;
    const auto replaced = plugin_->convert(fake_config(), work_ / "m.json", R"({"overwrite": true})");
    ASSERT_EQ(replaced.status, HYPERSDK_OK) << replaced.error;
    EXPECT_EQ(compare_images(images_ / "disk.raw", "raw", out / "disk-0.qcow2", "qcow2"), "");
    EXPECT_TRUE(contains(read_file(out / "web.xml"), "<source file=\"" + (out / "disk-0.qcow2").string()));
    EXPECT_TRUE(entries_starting_with(out, ".virt-v2v-").empty())
        << "the replaced files are gone with staging";
    struct stat st {};
    ASSERT_EQ(::stat((out / "disk-0.qcow2").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
}

// The host's record names this job's earlier outputs (convert option
// "replaceable"): those are replaced without --force, and nothing else is.
TEST_F(VirtV2vConverter, EarlierOutputsTheHostNamesAreReplacedWithoutForce) {
    ManifestSpec spec = one_raw_disk("disk-0", 2 * 1024 * 1024, 3);
    spec.vm_name = "web";
    write_manifest(work_ / "m.json", spec);
    ASSERT_EQ(plugin_->convert(fake_config(), work_ / "m.json", "{}").status, HYPERSDK_OK);
    const std::string disk = (work_ / "output/disk-0.qcow2").string();
    const std::string xml = (work_ / "output/web.xml").string();

    const auto only_disk =
        plugin_->convert(fake_config(), work_ / "m.json", R"({"replaceable": [")" + disk + R"("]})");
    EXPECT_EQ(only_disk.status, HYPERSDK_ERR_STATE) << only_disk.error;
    EXPECT_TRUE(contains(only_disk.error, xml + " already exists")) << only_disk.error;

    write_patterned_raw(images_ / "disk.raw", 2 * 1024 * 1024, 5);
    const auto both = plugin_->convert(fake_config(), work_ / "m.json",
                                       R"({"replaceable": [")" + disk + R"(", ")" + xml + R"("]})");
    ASSERT_EQ(both.status, HYPERSDK_OK) << both.error;
    EXPECT_EQ(compare_images(images_ / "disk.raw", "raw", disk, "qcow2"), "");
}

// Not even --force replaces a source disk, here a hard link to it at the XML's name.
TEST_F(VirtV2vConverter, ForceNeverReplacesASourceDisk) {
    ManifestSpec spec = one_raw_disk("disk-0", 2 * 1024 * 1024, 3);
    spec.vm_name = "web";
    write_manifest(work_ / "m.json", spec);
    fs::create_directories(work_ / "output");
    fs::create_hard_link(images_ / "disk.raw", work_ / "output/web.xml");
    const auto r = plugin_->convert(fake_config(), work_ / "m.json", R"({"overwrite": true})");
    EXPECT_EQ(r.status, HYPERSDK_ERR_STATE) << r.error;
    EXPECT_TRUE(contains(r.error, "is a source disk")) << r.error;
    EXPECT_FALSE(fs::exists(work_ / "args.txt")) << "virt-v2v ran";
    EXPECT_EQ(fs::hard_link_count(images_ / "disk.raw"), 2u);
    EXPECT_FALSE(fs::exists(work_ / "output/disk-0.qcow2"));
}

// -i ova: virt-v2v numbers the disks in the OVF's order (here the data disk
// first); each output is named after the manifest disk it came from, and the
// result lists the boot disk first.
TEST_F(VirtV2vConverter, OvaInputNamesEachOutputAfterItsManifestDisk) {
    TempDir export_dir;
    write_patterned_raw(export_dir / "boot.raw", 4 * 1024 * 1024, 1);
    write_patterned_raw(export_dir / "data.raw", 6 * 1024 * 1024, 2);
    const auto boot = make_source_image(export_dir.path(), export_dir / "boot.raw", "vmdk-sparse");
    fs::rename(boot.path, export_dir / "web-disk1.vmdk");
    const auto data = make_source_image(export_dir.path(), export_dir / "data.raw", "vmdk-sparse");
    fs::rename(data.path, export_dir / "web-disk2.vmdk");
    std::ofstream(export_dir / "web.ovf") << R"(<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"
  xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData">
  <References>
    <File ovf:id="file1" ovf:href="web-disk1.vmdk"/>
    <File ovf:id="file2" ovf:href="web-disk2.vmdk"/>
  </References>
  <DiskSection>
    <Disk ovf:diskId="vmdisk1" ovf:fileRef="file1" ovf:capacity="4194304"/>
    <Disk ovf:diskId="vmdisk2" ovf:fileRef="file2" ovf:capacity="6291456"/>
  </DiskSection>
  <VirtualSystem ovf:id="web">
    <VirtualHardwareSection>
      <Item><rasd:InstanceID>3</rasd:InstanceID><rasd:ResourceType>17</rasd:ResourceType>
        <rasd:HostResource>ovf:/disk/vmdisk2</rasd:HostResource></Item>
      <Item><rasd:InstanceID>4</rasd:InstanceID><rasd:ResourceType>17</rasd:ResourceType>
        <rasd:HostResource>ovf:/disk/vmdisk1</rasd:HostResource></Item>
    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>
)";
    ManifestSpec spec;
    spec.disks.push_back({"disk-0", "vmdk", export_dir / "web-disk1.vmdk", 0});
    spec.disks.push_back({"disk-1", "vmdk", export_dir / "web-disk2.vmdk", 1});
    spec.vm_name = "web";
    write_manifest(work_ / "m.json", spec);
    const auto r = plugin_->convert(fake_config(), work_ / "m.json", "{}");
    ASSERT_EQ(r.status, HYPERSDK_OK) << r.error;
    const std::string out = work_ / "output";
    EXPECT_TRUE(contains(read_file(work_ / "args.txt"), "-i\nova\n" + export_dir.path().string() + "\n"));
    ASSERT_EQ(r.result["converted_files"].Size(), 2u);
    EXPECT_EQ(std::string(r.result["converted_files"][0].GetString()), out + "/disk-0.qcow2");
    EXPECT_EQ(std::string(r.result["converted_files"][1].GetString()), out + "/disk-1.qcow2");
    EXPECT_EQ(compare_images(export_dir / "boot.raw", "raw", out + "/disk-0.qcow2", "qcow2"), "");
    EXPECT_EQ(compare_images(export_dir / "data.raw", "raw", out + "/disk-1.qcow2", "qcow2"), "");
    const std::string xml = read_file(out + "/web.xml");
    EXPECT_TRUE(contains(xml, "<source file=\"" + out + "/disk-1.qcow2\" />")) << xml;
    EXPECT_TRUE(contains(xml, "<source file=\"" + out + "/disk-0.qcow2\" />")) << xml;
    EXPECT_LT(xml.find("disk-1.qcow2"), xml.find("disk-0.qcow2")) << "vda is the OVF's first disk";
    EXPECT_TRUE(r.warnings.empty()) << r.warnings.front().message;
}

// Progress follows virt-v2v's stage lines and nbdcopy's bar: it only goes up,
// sits in the copy's share while the bar moves, ends at the total; the stage
// lines are shown, the bar and the other chatter are not (no stream_output).
TEST_F(VirtV2vConverter, ProgressFollowsTheStagesAndTheCopyBar) {
    one_raw_disk("disk-0", 4 * 1024 * 1024, 5);
    const auto r = plugin_->convert(fake_config(), work_ / "m.json", "{}");
    ASSERT_EQ(r.status, HYPERSDK_OK) << r.error;
    ASSERT_FALSE(r.progress.empty());
    const uint64_t total = r.progress.back().second;
    EXPECT_EQ(total, 4u * 1024 * 1024);
    EXPECT_EQ(r.progress.back().first, total);
    std::vector<double> fractions;
    for (size_t i = 0; i < r.progress.size(); ++i) {
        EXPECT_EQ(r.progress[i].second, total);
        if (i > 0) {
            EXPECT_GE(r.progress[i].first, r.progress[i - 1].first) << "progress went back at " << i;
        }
        fractions.push_back(static_cast<double>(r.progress[i].first) / static_cast<double>(total));
    }
    std::string seen;
    for (double f : fractions) seen += std::to_string(f) + " ";
    // The bar's 37% and 64% of the one disk, within the copy's share (0.80-0.97).
    EXPECT_TRUE(std::any_of(fractions.begin(), fractions.end(), [](double f) {
        return f > 0.85 && f < 0.87;
    })) << seen;
    EXPECT_TRUE(
        std::any_of(fractions.begin(), fractions.end(), [](double f) { return f > 0.90 && f < 0.92; }));
    // Before copying, the guest's conversion: 0.10.
    EXPECT_TRUE(
        std::any_of(fractions.begin(), fractions.end(), [](double f) { return f > 0.099 && f < 0.101; }));
    const auto shown = [&](const std::string& part) {
        return std::any_of(r.output.begin(), r.output.end(),
                           [&](const auto& l) { return contains(l, part); });
    };
    EXPECT_TRUE(shown("] Inspecting the source"));  // written in two pieces by the fake
    EXPECT_TRUE(shown("] Converting Debian GNU/Linux 12 (bookworm) to run on KVM"));
    EXPECT_TRUE(shown("] Copying disk 1/1"));
    EXPECT_FALSE(shown("% [")) << "nbdcopy's bar is progress, not output";
    EXPECT_FALSE(shown("This guest has virtio drivers installed")) << "not streaming";
}

// report.json says what virt-v2v found: the product from its "Converting ..."
// line, distro and version from the libosinfo id of its domain XML, the
// firmware, and what each stage cost on virt-v2v's clock.
TEST_F(VirtV2vConverter, ReportRecordsTheInspectedGuest) {
    ManifestSpec spec = one_raw_disk("disk-0", 2 * 1024 * 1024, 5);
    const auto r = plugin_->convert(fake_config(), work_ / "m.json", "{}");
    ASSERT_EQ(r.status, HYPERSDK_OK) << r.error;
    const auto report = read_json(work_ / "output/report.json");
    ASSERT_TRUE(report.IsObject());
    const auto& stages = report["pipeline"]["stages"];
    for (const char* name : {"inspect", "fix", "convert"}) {
        ASSERT_TRUE(stages.HasMember(name)) << name;
        EXPECT_TRUE(stages[name]["success"].GetBool()) << name;
        EXPECT_GT(stages[name]["result"]["virt_v2v_stages"].Size(), 0u) << name;
    }
    const auto& guest = stages["inspect"]["result"]["guest"];
    EXPECT_STREQ(guest["distro"].GetString(), "debian");
    EXPECT_STREQ(guest["version"].GetString(), "12");
    EXPECT_STREQ(guest["product"].GetString(), "Debian GNU/Linux 12 (bookworm)");
    EXPECT_STREQ(guest["osinfo"].GetString(), "http://debian.org/debian/12");
    EXPECT_STREQ(guest["firmware"].GetString(), "bios");
    EXPECT_STREQ(stages["fix"]["result"]["virt_v2v_stages"][0]["name"].GetString(),
                 "Converting Debian GNU/Linux 12 (bookworm) to run on KVM");
    EXPECT_EQ(std::string(stages["convert"]["result"]["domain_xml"].GetString()),
              (work_ / "output/test-vm.xml").string());
    bool xml_artifact = false;
    for (const auto& a : report["artifacts"].GetArray())
        xml_artifact = xml_artifact || std::string(a["type"].GetString()) == "libvirt_domain_xml";
    EXPECT_TRUE(xml_artifact);

    // Another guest, another answer: nothing is assumed.
    TempDir other;
    spec.output_directory = other.path();
    write_manifest(work_ / "m2.json", spec);
    const auto fedora = plugin_->convert(
        fake_config(
            R"(, "FAKE_V2V_PRODUCT": "Fedora Linux 38", "FAKE_V2V_OSINFO": "http://fedoraproject.org/fedora/38",)"
            R"( "FAKE_V2V_FIRMWARE": "uefi")"),
        work_ / "m2.json", "{}");
    ASSERT_EQ(fedora.status, HYPERSDK_OK) << fedora.error;
    const auto report2 = read_json(other / "report.json");
    const auto& guest2 = report2["pipeline"]["stages"]["inspect"]["result"]["guest"];
    EXPECT_STREQ(guest2["distro"].GetString(), "fedora");
    EXPECT_STREQ(guest2["version"].GetString(), "38");
    EXPECT_STREQ(guest2["product"].GetString(), "Fedora Linux 38");
    EXPECT_STREQ(guest2["firmware"].GetString(), "uefi");
}

TEST_F(VirtV2vConverter, FailureSurfacesVirtV2vsErrorAndRemovesPartialOutputs) {
    one_raw_disk("boot", 4 * 1024 * 1024, 9);
    const auto r = plugin_->convert(fake_config(R"(, "FAKE_V2V_MODE": "fail")"), work_ / "m.json", "{}");
    EXPECT_EQ(r.status, HYPERSDK_ERR_TOOL_FAILED);
    EXPECT_TRUE(contains(r.error, "virt-v2v failed (exit code 1)")) << r.error;
    EXPECT_TRUE(contains(r.error, "virt-v2v: error: inspection could not detect the source guest"))
        << r.error;
    EXPECT_EQ(outputs_besides_report(work_ / "output"), std::vector<std::string>{});
    const auto report = read_json(work_ / "output/report.json");
    EXPECT_FALSE(report["pipeline"]["success"].GetBool());
    EXPECT_FALSE(report["pipeline"]["stages"]["inspect"]["success"].GetBool());
    EXPECT_TRUE(contains(report["pipeline"]["stages"]["inspect"]["error"].GetString(), "could not detect"));
    EXPECT_STREQ(report["errors"][0]["stage"].GetString(), "inspect");
}

// nbdcopy's own error line reaches the error and the report, even when
// virt-v2v's debugging output buries it under dozens of lines.
TEST_F(VirtV2vConverter, NbdcopysErrorReachesTheErrorAndTheReport) {
    one_raw_disk("disk-0", 4 * 1024 * 1024, 9);
    const auto r = plugin_->convert(
        fake_config(R"(, "FAKE_V2V_MODE": "nbdcopy-fail", "FAKE_V2V_NOISE": "40")"), work_ / "m.json", "{}");
    EXPECT_EQ(r.status, HYPERSDK_ERR_TOOL_FAILED);
    EXPECT_TRUE(contains(r.error, "nbdcopy: nbd+unix:///?socket=")) << r.error;
    EXPECT_TRUE(contains(r.error, "nbd_pread: Input/output error")) << r.error;
    EXPECT_TRUE(contains(r.error, "virt-v2v: error: nbdcopy command failed")) << r.error;
    EXPECT_FALSE(contains(r.error, "% [")) << r.error;
    EXPECT_EQ(outputs_besides_report(work_ / "output"), std::vector<std::string>{});
    const auto report = read_json(work_ / "output/report.json");
    const auto& stages = report["pipeline"]["stages"];
    EXPECT_TRUE(stages["inspect"]["success"].GetBool());
    EXPECT_TRUE(stages["fix"]["success"].GetBool());
    EXPECT_FALSE(stages["convert"]["success"].GetBool());
    EXPECT_TRUE(contains(report["errors"][0]["message"].GetString(), "nbd_pread: Input/output error"));
}

// virt-v2v wrote a disk more than the input has: nothing is guessed, nothing kept.
TEST_F(VirtV2vConverter, UnexpectedOutputsAreRefusedAndRemoved) {
    one_raw_disk("disk-0", 2 * 1024 * 1024, 9);
    const auto r =
        plugin_->convert(fake_config(R"(, "FAKE_V2V_MODE": "extra-disk")"), work_ / "m.json", "{}");
    EXPECT_EQ(r.status, HYPERSDK_ERR_TOOL_FAILED);
    EXPECT_TRUE(contains(r.error, "wrote 2 disk(s)")) << r.error;
    EXPECT_EQ(outputs_besides_report(work_ / "output"), std::vector<std::string>{});
}

// Cancelled mid-copy: virt-v2v's process group is killed and neither its
// partial disk nor the staging directory is left.
TEST_F(VirtV2vConverter, CancellationRemovesThePartialOutputs) {
    one_raw_disk("disk-0", 2 * 1024 * 1024, 4);
    LoadedConverter::Hooks hooks;
    bool copying = false;
    hooks.on_output = [&](hypersdk::core::Job& job, std::string_view line) {
        if (line.find("] Copying disk 1/1") == std::string_view::npos) return;
        copying = true;
        job.cancel();
    };
    const auto started = std::chrono::steady_clock::now();
    const auto r =
        plugin_->convert(fake_config(R"(, "FAKE_V2V_MODE": "hang")"), work_ / "m.json", "{}", hooks);
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));
    EXPECT_TRUE(copying);
    EXPECT_EQ(r.status, HYPERSDK_ERR_CANCELLED) << r.error;
    EXPECT_EQ(outputs_besides_report(work_ / "output"), std::vector<std::string>{});
}

// VALIDATE is the host's for a converter without the capability (it runs
// qemu-img check on the outputs), so a manifest that enables it converts.
TEST_F(VirtV2vConverter, LeavesTheValidateStageToTheHost) {
    ManifestSpec spec = one_raw_disk("boot", 1024 * 1024 * 2, 9);
    spec.validate = true;
    write_manifest(work_ / "m.json", spec);
    const auto r = plugin_->convert(fake_config(), work_ / "m.json", "{}");
    EXPECT_EQ(r.status, HYPERSDK_OK) << r.error;
    EXPECT_TRUE(fs::exists(work_ / "output/boot.qcow2"));
}
