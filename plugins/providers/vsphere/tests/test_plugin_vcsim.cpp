// The built plugin (hypersdk-vsphere.so), loaded by core's own registry
// (tests/support/provider_harness.hpp) with core's FileSinkFactory, run
// against the real vcsim: list/describe, a full OVF export whose disk
// must match the uploaded VMDK byte for byte, the powered-on refusal, power
// off on request, wrong credentials, cancellation, the lease keep-alive, and
// the OVF descriptor from OvfManager.CreateDescriptor or generated.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <pugixml.hpp>

#include <atomic>
#include <fstream>
#include <regex>
#include <sstream>

#include "images.hpp"
#include "inventory.hpp"
#include "nfc_lease.hpp"
#include "provider_harness.hpp"
#include "task.hpp"
#include "temp_dir.hpp"
#include "vcsim_config.hpp"
#include "vm_config.hpp"

namespace hypersdk::vsphere {
namespace {

using hypersdk::test::ProviderCall;
using hypersdk::test::ProviderHarness;
using hypersdk::test::RecordingSinkFactory;
using hypersdk::test::Vcsim;
using hypersdk::test::VcsimOptions;

constexpr const char* kVm = "DC0_H0_VM0";
// The Annotation of descriptors made by the harness's CreateDescriptor.
constexpr const char* kServerAnnotation =
    "Created by vcsim OvfManager.CreateDescriptor (hypersdk test harness)";

std::string config_json(const Vcsim& sim, const std::string& password) {
    return R"({"url":")" + sim.url() + R"(","username":")" + sim.username() + R"(","password":")" + password +
           R"(","ca_file":")" + sim.ca_file().string() + R"("})";
}

rapidjson::Document parse(const std::string& text) {
    rapidjson::Document doc;
    doc.Parse(text.c_str());
    return doc;
}

// Captures what the plugin logs through the host (spdlog's default logger).
class LogCapture {
public:
    LogCapture() : sink_(std::make_shared<spdlog::sinks::ostream_sink_mt>(stream_)) {
        previous_ = spdlog::default_logger();
        auto logger = std::make_shared<spdlog::logger>("capture", sink_);
        logger->set_level(spdlog::level::trace);
        spdlog::set_default_logger(logger);
    }
    ~LogCapture() { spdlog::set_default_logger(previous_); }
    std::string text() {
        sink_->flush();
        return stream_.str();
    }
    // The lease the plugin reported ready ("" if none).
    std::string lease() {
        std::smatch m;
        const std::string t = text();
        return std::regex_search(t, m, std::regex("export lease (\\S+) ready")) ? m[1].str() : "";
    }
    int count(const std::string& needle) {
        const std::string t = text();
        int n = 0;
        for (size_t p = t.find(needle); p != std::string::npos; p = t.find(needle, p + 1)) ++n;
        return n;
    }

private:
    std::ostringstream stream_;
    std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink_;
    std::shared_ptr<spdlog::logger> previous_;
};

class VspherePlugin : public ::testing::Test {
protected:
    // A real streamOptimized VMDK with content: 64 MiB virtual, patterned.
    static void SetUpTestSuite() {
        dir_ = new hypersdk::test::TempDir();
        const auto raw = *dir_ / "source.raw";
        hypersdk::test::write_patterned_raw(raw, 64u << 20);
        for (const auto& v : hypersdk::test::all_source_variants())
            if (v.name == "vmdk-streamOptimized")
                hypersdk::test::convert_raw_to(raw, v, *dir_ / "source.vmdk");
    }
    static void TearDownTestSuite() { delete dir_; }
    static std::filesystem::path vmdk() { return *dir_ / "source.vmdk"; }

    void start(VcsimOptions options = {}) {
        ASSERT_GT(std::filesystem::file_size(vmdk()), 1u << 20);
        sim_ = std::make_unique<Vcsim>(options);
        sim_->upload_file(vmdk(), "DC0_H0_VM0/disk1.vmdk");
        plugin_ = std::make_unique<ProviderHarness>(PLUGIN_DIR, "vsphere");
        const ProviderCall r = plugin_->open(config_json(*sim_, sim_->password()), &session_);
        ASSERT_EQ(r.status, HYPERSDK_OK) << r.error;
        ASSERT_NE(session_, nullptr);
        client_ = std::make_unique<Session>(test::config_for(*sim_));
        client_->login();
        out_ = std::make_unique<hypersdk::test::TempDir>();
        sinks_ = std::make_unique<RecordingSinkFactory>(out_->path());
    }
    void TearDown() override {
        if (plugin_ && session_ != nullptr) plugin_->close(session_);
    }

    std::string power_state() { return find_vm(*client_, kVm).power_state; }
    // vcsim keeps a lease private to the session that created it: the plugin
    // reads the server's state of the ended lease and logs it.
    static std::string lease_state(LogCapture& log, const std::string& lease) {
        const std::string t = log.text();
        const std::string needle = "export lease " + lease + " ended in state ";
        const size_t at = t.find(needle);
        if (at == std::string::npos) return "(not logged)";
        const size_t begin = at + needle.size();
        return t.substr(begin, t.find_first_of(" \n", begin) - begin);
    }

    static hypersdk::test::TempDir* dir_;
    std::unique_ptr<Vcsim> sim_;
    std::unique_ptr<ProviderHarness> plugin_;
    hypersdk_provider_session* session_ = nullptr;
    std::unique_ptr<Session> client_;
    std::unique_ptr<hypersdk::test::TempDir> out_;
    std::unique_ptr<RecordingSinkFactory> sinks_;
};
hypersdk::test::TempDir* VspherePlugin::dir_ = nullptr;

TEST(VspherePluginDescriptor, DeclaresIdentityAndCapabilities) {
    ProviderHarness plugin(PLUGIN_DIR, "vsphere");
    const auto& d = plugin.descriptor();
    EXPECT_STREQ(d.id, "org.hypersdk.provider.vsphere");
    EXPECT_STREQ(d.name, "vsphere");
    EXPECT_EQ(d.kinds, HYPERSDK_PLUGIN_KIND_PROVIDER);
    EXPECT_EQ(d.thread_model, HYPERSDK_THREAD_MODEL_PARALLEL);
    const auto* caps = plugin.provider().capabilities;
    EXPECT_STREQ(caps->provider_name, "vsphere");
    EXPECT_STREQ(caps->export_formats[0], "ovf");
    EXPECT_EQ(caps->export_formats[1], nullptr) << "ova must not be claimed until it is packed";
    EXPECT_STREQ(caps->auth_methods[0], "password");
    EXPECT_FALSE(caps->exports_powered_on);
    EXPECT_FALSE(caps->supports_incremental);
}

TEST(VspherePluginDescriptor, MissingUrlOrUserNamesTheFlagAndVariable) {
    ProviderHarness plugin(PLUGIN_DIR, "vsphere");
    hypersdk_provider_session* s = nullptr;
    ProviderCall r = plugin.open(R"({"username":"u","password":"secret-pw"})", &s);
    EXPECT_EQ(r.status, HYPERSDK_ERR_INVALID_ARGUMENT);
    EXPECT_NE(r.error.find("GOVC_URL"), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("--url"), std::string::npos) << r.error;
    EXPECT_EQ(s, nullptr);
    r = plugin.open(R"({"url":"https://127.0.0.1:1/sdk","password":"secret-pw"})", &s);
    EXPECT_EQ(r.status, HYPERSDK_ERR_INVALID_ARGUMENT);
    EXPECT_NE(r.error.find("GOVC_USERNAME"), std::string::npos) << r.error;
    EXPECT_EQ(r.error.find("secret-pw"), std::string::npos);
}

TEST_F(VspherePlugin, WrongPasswordIsRejectedWithoutShowingIt) {
    start();
    hypersdk_provider_session* s = nullptr;
    const ProviderCall r = plugin_->open(config_json(*sim_, "Wrong-Pa55word"), &s);
    EXPECT_EQ(r.status, HYPERSDK_ERR_AUTH);
    EXPECT_EQ(r.error, "vSphere rejected the credentials for " + sim_->username() + " at " + sim_->url() +
                           ": check the password (--password-file, --password-env or GOVC_PASSWORD) and the "
                           "user name (--username or GOVC_USERNAME)");
    EXPECT_EQ(r.error.find("Wrong-Pa55word"), std::string::npos);
    EXPECT_EQ(s, nullptr);
}

TEST_F(VspherePlugin, ListsAndDescribesVms) {
    start();
    const ProviderCall list = plugin_->list_vms(session_);
    ASSERT_EQ(list.status, HYPERSDK_OK) << list.error;
    const auto vms = parse(list.text);
    ASSERT_TRUE(vms.IsArray()) << list.text;
    bool found = false;
    for (const auto& vm : vms.GetArray()) {
        if (std::string(vm["name"].GetString()) != kVm) continue;
        found = true;
        EXPECT_STREQ(vm["power_state"].GetString(), "poweredOn");
        EXPECT_STREQ(vm["path"].GetString(), "/DC0/vm/DC0_H0_VM0");
        EXPECT_EQ(std::string(vm["id"].GetString()).rfind("vm-", 0), 0u);
        EXPECT_GT(vm["cpu"].GetInt(), 0);
        EXPECT_GT(vm["disk_bytes"].GetUint64(), 0u);
    }
    EXPECT_TRUE(found) << list.text;

    const ProviderCall d = plugin_->describe_vm(session_, "/DC0/vm/DC0_H0_VM0");
    ASSERT_EQ(d.status, HYPERSDK_OK) << d.error;
    const auto vm = parse(d.text);
    ASSERT_TRUE(vm.IsObject()) << d.text;
    EXPECT_STREQ(vm["name"].GetString(), kVm);
    EXPECT_STREQ(vm["datacenter"].GetString(), "DC0");
    ASSERT_EQ(vm["disks"].Size(), 1u) << d.text;
    EXPECT_STREQ(vm["disks"][0]["id"].GetString(), "disk-0");
    EXPECT_STREQ(vm["disks"][0]["format"].GetString(), "vmdk");
    EXPECT_EQ(vm["disks"][0]["boot_order_hint"].GetInt(), 0);
    ASSERT_GE(vm["nics"].Size(), 1u);
    EXPECT_EQ(std::string(vm["nics"][0]["mac"].GetString()).size(), 17u);

    const ProviderCall missing = plugin_->describe_vm(session_, "no-such-vm");
    EXPECT_EQ(missing.status, HYPERSDK_ERR_NOT_FOUND) << missing.error;
}

TEST_F(VspherePlugin, PoweredOnVmIsRefusedAndLeftRunning) {
    start();
    ASSERT_EQ(power_state(), "poweredOn");
    const ProviderCall r = plugin_->export_vm(session_, kVm, R"({"format":"ovf"})", sinks_.get());
    EXPECT_EQ(r.status, HYPERSDK_ERR_STATE);
    EXPECT_NE(r.error.find("--power-off"), std::string::npos) << r.error;
    EXPECT_EQ(power_state(), "poweredOn");
    EXPECT_TRUE(sinks_->opens().empty());
}

TEST_F(VspherePlugin, OvaIsRefusedAsNotImplemented) {
    start();
    const ProviderCall r =
        plugin_->export_vm(session_, kVm, R"({"format":"ova","power_off":true})", sinks_.get());
    EXPECT_EQ(r.status, HYPERSDK_ERR_UNSUPPORTED);
    EXPECT_NE(r.error.find("export as ovf"), std::string::npos) << r.error;
    EXPECT_EQ(power_state(), "poweredOn");
}

TEST_F(VspherePlugin, ExportsWithPowerOffByteForByteWithOvf) {
    start();
    LogCapture log;
    const ProviderCall r =
        plugin_->export_vm(session_, kVm, R"({"format":"ovf","power_off":true,"parallel":2})", sinks_.get());
    ASSERT_EQ(r.status, HYPERSDK_OK) << r.error;
    EXPECT_EQ(power_state(), "poweredOff");

    const auto result = parse(r.text);
    ASSERT_TRUE(result.IsObject()) << r.text;
    EXPECT_TRUE(result["powered_off_by_export"].GetBool());
    EXPECT_STREQ(result["export_method"].GetString(), "nfc-lease");
    // 0.24.2's simulator (by default) has no CreateDescriptor: generated, said at info.
    EXPECT_STREQ(result["descriptor_source"].GetString(), "generated");
    EXPECT_NE(log.text().find("OVF descriptor of DC0_H0_VM0: generated from the VM's configuration"),
              std::string::npos)
        << log.text();
    EXPECT_TRUE(r.warnings.empty());
    EXPECT_STREQ(result["datacenter"].GetString(), "DC0");
    EXPECT_STREQ(result["disks"][0]["id"].GetString(), "disk-0");
    ASSERT_EQ(result["files"].Size(), 2u) << r.text;
    EXPECT_STREQ(result["files"][0]["kind"].GetString(), "descriptor");
    EXPECT_STREQ(result["files"][0]["file_name"].GetString(), "DC0_H0_VM0.ovf");
    EXPECT_STREQ(result["files"][1]["kind"].GetString(), "disk");
    EXPECT_STREQ(result["files"][1]["id"].GetString(), "disk-0");
    EXPECT_STREQ(result["files"][1]["file_name"].GetString(), "DC0_H0_VM0-disk-0.vmdk");
    EXPECT_EQ(r.text.find(sim_->password()), std::string::npos);

    const auto disk = *out_ / "DC0_H0_VM0-disk-0.vmdk";
    ASSERT_TRUE(std::filesystem::exists(disk));
    EXPECT_EQ(hypersdk::test::sha256_of_file(disk), hypersdk::test::sha256_of_file(vmdk()));
    EXPECT_FALSE(std::filesystem::exists(disk.string() + ".part"));
    for (const auto& s : sinks_->opens()) EXPECT_EQ(s.close_status, HYPERSDK_OK) << s.file_name;

    const std::string lease = log.lease();
    ASSERT_FALSE(lease.empty()) << log.text();
    EXPECT_EQ(lease_state(log, lease), "done");

    // The OVF parses and references the disk file with its size and capacity.
    pugi::xml_document ovf;
    ASSERT_TRUE(ovf.load_file((*out_ / "DC0_H0_VM0.ovf").c_str()));
    const auto env = ovf.child("Envelope");
    const auto file = env.child("References").child("File");
    EXPECT_STREQ(file.attribute("ovf:href").value(), "DC0_H0_VM0-disk-0.vmdk");
    EXPECT_EQ(file.attribute("ovf:size").as_ullong(), std::filesystem::file_size(disk));
    const auto d = env.child("DiskSection").child("Disk");
    EXPECT_STREQ(d.attribute("ovf:fileRef").value(), "file1");
    EXPECT_EQ(d.attribute("ovf:capacity").as_ullong(), result["disks"][0]["capacity_bytes"].GetUint64());
    const auto system = env.child("VirtualSystem");
    EXPECT_STREQ(system.attribute("ovf:id").value(), kVm);
    const auto hw = system.child("VirtualHardwareSection");
    int cpu = 0, memory = 0, disks = 0, nics = 0, controllers = 0;
    for (auto item : hw.children("Item")) {
        const int type = item.child("rasd:ResourceType").text().as_int();
        cpu += type == 3;
        memory += type == 4;
        disks += type == 17;
        nics += type == 10;
        controllers += type == 5 || type == 6 || type == 20;
        if (type == 17) {
            EXPECT_STREQ(item.child_value("rasd:HostResource"), "ovf:/disk/vmdisk1");
        }
    }
    EXPECT_EQ(cpu, 1);
    EXPECT_EQ(memory, 1);
    EXPECT_EQ(disks, 1);
    EXPECT_EQ(controllers, 1);
    EXPECT_EQ(nics, static_cast<int>(result["nics"].Size()));
    EXPECT_FALSE(env.child("NetworkSection").child("Network").empty());
}

TEST_F(VspherePlugin, WritesTheServersDescriptorWhenItHasCreateDescriptor) {
    start({.ovf_create_descriptor = "on"});
    LogCapture log;
    const ProviderCall r =
        plugin_->export_vm(session_, kVm, R"({"format":"ovf","power_off":true})", sinks_.get());
    ASSERT_EQ(r.status, HYPERSDK_OK) << r.error;
    EXPECT_TRUE(r.warnings.empty()) << r.warnings.front().message;
    const auto result = parse(r.text);
    EXPECT_STREQ(result["descriptor_source"].GetString(), "server") << r.text;
    EXPECT_NE(log.text().find("OVF descriptor of DC0_H0_VM0: from the server's OvfManager.CreateDescriptor"),
              std::string::npos)
        << log.text();
    EXPECT_EQ(lease_state(log, log.lease()), "done");

    const auto disk = *out_ / "DC0_H0_VM0-disk-0.vmdk";
    EXPECT_EQ(hypersdk::test::sha256_of_file(disk), hypersdk::test::sha256_of_file(vmdk()));
    // The server's bytes, as written: its annotation, our file names and sizes.
    pugi::xml_document ovf;
    ASSERT_TRUE(ovf.load_file((*out_ / "DC0_H0_VM0.ovf").c_str()));
    const auto env = ovf.child("Envelope");
    EXPECT_STREQ(env.child("VirtualSystem").child("AnnotationSection").child_value("Annotation"),
                 kServerAnnotation);
    EXPECT_STREQ(env.child("VirtualSystem").attribute("ovf:id").value(), kVm);
    const auto file = env.child("References").child("File");
    EXPECT_STREQ(file.attribute("ovf:href").value(), "DC0_H0_VM0-disk-0.vmdk");
    EXPECT_EQ(file.attribute("ovf:size").as_ullong(), std::filesystem::file_size(disk));
    EXPECT_TRUE(file.next_sibling("File").empty());
    EXPECT_EQ(env.child("DiskSection").child("Disk").attribute("ovf:capacity").as_ullong(),
              result["disks"][0]["capacity_bytes"].GetUint64());
    EXPECT_EQ(result["files"][0]["bytes"].GetUint64(), std::filesystem::file_size(*out_ / "DC0_H0_VM0.ovf"));
}

// A server whose CreateDescriptor answers something unusable: the export
// still succeeds with the generated descriptor, and a job warning says why.
void expect_generated_with_warning(const ProviderCall& r, const std::filesystem::path& ovf_path,
                                   const std::string& reason) {
    ASSERT_EQ(r.status, HYPERSDK_OK) << r.error;
    EXPECT_STREQ(parse(r.text)["descriptor_source"].GetString(), "generated") << r.text;
    ASSERT_EQ(r.warnings.size(), 1u);
    EXPECT_NE(r.warnings[0].message.find(reason), std::string::npos) << r.warnings[0].message;
    EXPECT_NE(r.warnings[0].message.find("generated from the VM's configuration instead"), std::string::npos)
        << r.warnings[0].message;
    pugi::xml_document ovf;
    ASSERT_TRUE(ovf.load_file(ovf_path.c_str()));
    EXPECT_STREQ(ovf.child("Envelope").child("References").child("File").attribute("ovf:href").value(),
                 "DC0_H0_VM0-disk-0.vmdk");
    std::ifstream in(ovf_path);
    const std::string text((std::istreambuf_iterator<char>(in)), {});
    EXPECT_EQ(text.find(kServerAnnotation), std::string::npos);
}

TEST_F(VspherePlugin, ServerDescriptorWithErrorsFallsBackWithAWarning) {
    start({.ovf_create_descriptor = "error"});
    const ProviderCall r =
        plugin_->export_vm(session_, kVm, R"({"format":"ovf","power_off":true})", sinks_.get());
    expect_generated_with_warning(r, *out_ / "DC0_H0_VM0.ovf",
                                  "NotSupported: harness: a device of DC0_H0_VM0");
}

TEST_F(VspherePlugin, ServerDescriptorThatIsNotXmlFallsBackWithAWarning) {
    start({.ovf_create_descriptor = "invalid"});
    const ProviderCall r =
        plugin_->export_vm(session_, kVm, R"({"format":"ovf","power_off":true})", sinks_.get());
    expect_generated_with_warning(r, *out_ / "DC0_H0_VM0.ovf", "the OVF descriptor is not XML");
}

// Device URLs on another host (an ESXi host behind vCenter, here the harness's
// second NFC listener with its own certificate): trusted by the lease's
// sslThumbprint while TLS verification stays on.
TEST_F(VspherePlugin, ExportsFromAnotherHostTrustedByTheLeaseThumbprint) {
    start({.nfc_other_host = true});
    const ProviderCall r =
        plugin_->export_vm(session_, kVm, R"({"format":"ovf","power_off":true})", sinks_.get());
    ASSERT_EQ(r.status, HYPERSDK_OK) << r.error;
    EXPECT_EQ(hypersdk::test::sha256_of_file(*out_ / "DC0_H0_VM0-disk-0.vmdk"),
              hypersdk::test::sha256_of_file(vmdk()));
}

TEST_F(VspherePlugin, WrongLeaseThumbprintFailsTheExportAndKeepsNothingComplete) {
    start({.nfc_other_host = true,
           .nfc_thumbprint = "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33"});
    const ProviderCall r =
        plugin_->export_vm(session_, kVm, R"({"format":"ovf","power_off":true})", sinks_.get());
    EXPECT_EQ(r.status, HYPERSDK_ERR_NETWORK) << r.error;
    EXPECT_NE(r.error.find("host " + sim_->nfc_host()), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("does not match the sslThumbprint"), std::string::npos) << r.error;
    EXPECT_FALSE(std::filesystem::exists(*out_ / "DC0_H0_VM0-disk-0.vmdk"));
    EXPECT_FALSE(std::filesystem::exists(*out_ / "DC0_H0_VM0.ovf"));
}

TEST_F(VspherePlugin, CancelMidDownloadAbortsTheLeaseAndKeepsThePart) {
    start({.nfc_rate = 1 << 20});  // 1 MiB/s: the download takes seconds
    power_off_vm(*client_, find_vm(*client_, kVm).ref, std::chrono::seconds(30));
    LogCapture log;
    const auto began = std::chrono::steady_clock::now();
    const ProviderCall r = plugin_->export_vm(session_, kVm, R"({"format":"ovf"})", sinks_.get(),
                                              [](core::Job& job, uint64_t done, uint64_t) {
                                                  if (done > (512u << 10)) job.cancel();
                                              });
    EXPECT_EQ(r.status, HYPERSDK_ERR_CANCELLED) << r.error;
    EXPECT_NE(r.error.find("cancelled"), std::string::npos) << r.error;
    EXPECT_LT(std::chrono::steady_clock::now() - began, std::chrono::seconds(20));
    const auto records = sinks_->opens();
    ASSERT_EQ(records.size(), 1u);
    EXPECT_NE(records[0].close_status, HYPERSDK_OK);
    EXPECT_NE(records[0].close_status, 1) << "sink left open";
    const auto disk = *out_ / "DC0_H0_VM0-disk-0.vmdk";
    EXPECT_FALSE(std::filesystem::exists(disk));
    ASSERT_TRUE(std::filesystem::exists(disk.string() + ".part"));
    EXPECT_LT(std::filesystem::file_size(disk.string() + ".part"), std::filesystem::file_size(vmdk()));
    EXPECT_FALSE(std::filesystem::exists(*out_ / "DC0_H0_VM0.ovf"));
    const std::string lease = log.lease();
    ASSERT_FALSE(lease.empty()) << log.text();
    EXPECT_EQ(lease_state(log, lease), "error");
    EXPECT_NE(log.text().find("RequestCanceled"), std::string::npos) << log.text();
    EXPECT_EQ(power_state(), "poweredOff");
}

TEST_F(VspherePlugin, KeepsTheLeaseAliveDuringASlowDownloadAndResumes) {
    const auto size = static_cast<int64_t>(std::filesystem::file_size(vmdk()));
    start({.nfc_rate = std::max<int64_t>(256 << 10, size / 3)});  // about 3 s
    power_off_vm(*client_, find_vm(*client_, kVm).ref, std::chrono::seconds(30));
    // An earlier run cancelled after a quarter of the disk: core keeps its
    // .part and resume record, and the next export continues from there with Range.
    const ProviderCall first = plugin_->export_vm(session_, kVm, R"({"format":"ovf"})", sinks_.get(),
                                                  [&](core::Job& job, uint64_t done, uint64_t) {
                                                      if (done >= static_cast<uint64_t>(size / 4))
                                                          job.cancel();
                                                  });
    ASSERT_EQ(first.status, HYPERSDK_ERR_CANCELLED) << first.error;
    const auto part = *out_ / "DC0_H0_VM0-disk-0.vmdk.part";
    ASSERT_TRUE(std::filesystem::exists(part));
    const uint64_t kept = std::filesystem::file_size(part);
    ASSERT_GT(kept, 0u);
    sinks_ = std::make_unique<RecordingSinkFactory>(out_->path());
    LogCapture log;
    std::atomic<uint64_t> lowest{UINT64_MAX};
    const ProviderCall r =
        plugin_->export_vm(session_, kVm, R"({"format":"ovf","lease_keepalive_seconds":0.25})", sinks_.get(),
                           [&](core::Job&, uint64_t done, uint64_t) {
                               if (done < lowest) lowest = done;
                           });
    ASSERT_EQ(r.status, HYPERSDK_OK) << r.error;
    EXPECT_GE(lowest.load(), kept) << "restarted from 0 instead of resuming";
    EXPECT_FALSE(parse(r.text)["powered_off_by_export"].GetBool());
    EXPECT_GE(log.count("keep-alive: progress"), 3) << log.text();
    EXPECT_EQ(hypersdk::test::sha256_of_file(*out_ / "DC0_H0_VM0-disk-0.vmdk"),
              hypersdk::test::sha256_of_file(vmdk()));
    const std::string lease = log.lease();
    ASSERT_FALSE(lease.empty());
    EXPECT_EQ(lease_state(log, lease), "done");
    EXPECT_TRUE(r.warnings.empty());
}

}  // namespace
}  // namespace hypersdk::vsphere
