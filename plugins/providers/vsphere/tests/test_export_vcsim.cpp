// ExportVm, the lease life cycle and disk downloads against the real vcsim:
// a real streamOptimized VMDK goes up into a VM's datastore file and must come
// back through the NFC device URL byte for byte. Also OvfManager.CreateDescriptor
// (absent from 0.24.2, added by the harness on request) and the checks a
// server's descriptor must pass. And device URLs on another host than the
// session's (the harness's second NFC listener), trusted by the lease's sslThumbprint.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <pugixml.hpp>

#include <atomic>
#include <fstream>
#include <memory>

#include "errors.hpp"
#include "images.hpp"
#include "inventory.hpp"
#include "nfc_download.hpp"
#include "nfc_lease.hpp"
#include "ovf_manager.hpp"
#include "task.hpp"
#include "temp_dir.hpp"
#include "vcsim_config.hpp"
#include "vm_config.hpp"

namespace hypersdk::vsphere {
namespace {

using hypersdk::test::Vcsim;
using hypersdk::test::VcsimOptions;
using test::config_for;

// "sha256:<hex>" of bytes fed in pieces, as the host's sink will compute it.
class Sha256 {
public:
    Sha256() : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
        EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr);
    }
    void add(const char* data, size_t n) { EVP_DigestUpdate(ctx_.get(), data, n); }
    std::string hex() {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned len = 0;
        EVP_DigestFinal_ex(ctx_.get(), md, &len);
        std::string out = "sha256:";
        char byte[3];
        for (unsigned i = 0; i < len; ++i) {
            std::snprintf(byte, sizeof byte, "%02x", md[i]);
            out += byte;
        }
        return out;
    }

private:
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
};

std::string read_all(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

class VsphereExport : public ::testing::Test {
protected:
    // One real streamOptimized VMDK (with data) for the whole suite.
    static void SetUpTestSuite() {
        dir_ = new hypersdk::test::TempDir();
        const auto raw = *dir_ / "source.raw";
        hypersdk::test::write_patterned_raw(raw, 24u << 20);
        for (const auto& v : hypersdk::test::all_source_variants()) {
            if (v.name == "vmdk-streamOptimized")
                hypersdk::test::convert_raw_to(raw, v, *dir_ / "source.vmdk");
        }
        vmdk_ = new std::string(read_all(*dir_ / "source.vmdk"));
    }
    static void TearDownTestSuite() {
        delete vmdk_;
        delete dir_;
    }

    // Starts vcsim, uploads the VMDK as DC0_H0_VM0's disk, powers it off, logs in.
    void start(VcsimOptions options = {}) {
        ASSERT_GT(vmdk_->size(), 1u << 20) << "qemu-img made no streamOptimized VMDK";
        sim_ = std::make_unique<Vcsim>(options);
        sim_->upload_file(*dir_ / "source.vmdk", "DC0_H0_VM0/disk1.vmdk");
        session_ = std::make_unique<Session>(config_for(*sim_));
        session_->login();
        vm_ = describe_vm(*session_, find_vm(*session_, "DC0_H0_VM0"));
    }

    void power_off() { power_off_vm(*session_, vm_.ref, std::chrono::seconds(30)); }

    LeaseInfo export_ready(MoRef& lease) {
        lease = export_vm(*session_, vm_.ref);
        return wait_for_lease_ready(*session_, lease, std::chrono::seconds(30));
    }

    static hypersdk::test::TempDir* dir_;
    static std::string* vmdk_;
    std::unique_ptr<Vcsim> sim_;
    std::unique_ptr<Session> session_;
    VmInfo vm_;
};
hypersdk::test::TempDir* VsphereExport::dir_ = nullptr;
std::string* VsphereExport::vmdk_ = nullptr;

TEST_F(VsphereExport, PoweredOnVmIsRefused) {
    start();
    try {
        export_vm(*session_, vm_.ref);
        FAIL() << "ExportVm of a running VM succeeded";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::invalid_state);
        EXPECT_NE(std::string(e.what()).find("--power-off"), std::string::npos) << e.what();
    }
}

TEST_F(VsphereExport, DownloadsTheDiskByteForByteAndCompletes) {
    start({.lease_init_delay = std::chrono::milliseconds(700)});  // the wait loop must really wait
    power_off();
    power_off();  // already off: not an error
    MoRef lease = export_vm(*session_, vm_.ref);
    EXPECT_EQ(lease_status(*session_, lease).state, LeaseState::initializing);
    LeaseInfo info = wait_for_lease_ready(*session_, lease, std::chrono::seconds(30));
    EXPECT_EQ(info.entity, vm_.ref);
    ASSERT_EQ(vm_.disks.size(), 1u);
    const LeaseDevice* device = device_for_disk(info, vm_, vm_.disks[0]);
    ASSERT_NE(device, nullptr);
    EXPECT_NE(device->url.find("https://*/nfc/"), std::string::npos) << device->url;

    Sha256 sha;
    uint64_t last_position = 0, last_total = 0;
    int progress_calls = 0;
    DownloadCallbacks cb;
    cb.on_data = [&](const char* d, size_t n) { sha.add(d, n); };
    cb.on_progress = [&](uint64_t pos, uint64_t total) {
        EXPECT_GE(pos, last_position);
        last_position = pos;
        last_total = total;
        ++progress_calls;
    };
    cb.on_restart = [] { ADD_FAILURE() << "restart on a download from 0"; };
    DownloadResult r = download_device(*session_, *device, 0, cb);
    EXPECT_EQ(r.status, 206);  // asked as "Range: bytes=0-", so the answer names the size
    EXPECT_EQ(r.bytes, vmdk_->size());
    EXPECT_EQ(last_position, vmdk_->size());
    EXPECT_EQ(last_total, vmdk_->size());
    EXPECT_GT(progress_calls, 0);
    EXPECT_EQ(sha.hex(), hypersdk::test::sha256_of_file(*dir_ / "source.vmdk"));

    lease_progress(*session_, lease, 100);
    lease_complete(*session_, lease);
    EXPECT_EQ(lease_status(*session_, lease).state, LeaseState::done);
    // A completed lease no longer serves its disks.
    try {
        download_device(*session_, *device, 0, {});
        FAIL() << "download after complete";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::not_found) << e.what();
    }
}

TEST_F(VsphereExport, AbortLeavesTheLeaseInErrorState) {
    start();
    power_off();
    MoRef lease;
    LeaseInfo info = export_ready(lease);
    lease_abort(*session_, lease);
    LeaseStatus status = lease_status(*session_, lease);
    EXPECT_EQ(status.state, LeaseState::error);
    EXPECT_NE(status.error.find("RequestCanceled"), std::string::npos) << status.error;
    EXPECT_THROW(wait_for_lease_ready(*session_, lease, std::chrono::seconds(5)), Error);
}

TEST_F(VsphereExport, ResumesFromAnOffsetWithRange) {
    start();
    power_off();
    MoRef lease;
    LeaseInfo info = export_ready(lease);
    const LeaseDevice* device = device_for_disk(info, vm_, vm_.disks[0]);
    ASSERT_NE(device, nullptr);
    const uint64_t offset = vmdk_->size() / 3 + 7;
    std::string tail;
    DownloadCallbacks cb;
    cb.on_data = [&](const char* d, size_t n) { tail.append(d, n); };
    cb.on_restart = [] { ADD_FAILURE() << "server supports Range, no restart expected"; };
    DownloadResult r = download_device(*session_, *device, offset, cb);
    EXPECT_EQ(r.status, 206);
    EXPECT_EQ(r.start_offset, offset);
    EXPECT_EQ(r.total, vmdk_->size());
    EXPECT_FALSE(r.restarted);
    EXPECT_TRUE(vmdk_->substr(0, offset) + tail == *vmdk_) << "resumed bytes differ";

    // Resuming a download that is already complete fetches nothing.
    DownloadResult done = download_device(*session_, *device, vmdk_->size(), {});
    EXPECT_EQ(done.bytes, 0u);
    lease_complete(*session_, lease);
}

TEST_F(VsphereExport, ServerIgnoringRangeSignalsRestartFromZero) {
    start({.nfc_range = false});  // vcsim's own NFC handler (with our GET fix): no Range
    power_off();
    MoRef lease;
    LeaseInfo info = export_ready(lease);
    const LeaseDevice* device = device_for_disk(info, vm_, vm_.disks[0]);
    ASSERT_NE(device, nullptr);
    std::string kept = vmdk_->substr(0, 1000);  // what a partial file would hold
    int restarts = 0;
    DownloadCallbacks cb;
    cb.on_restart = [&] {
        ++restarts;
        kept.clear();
    };
    cb.on_data = [&](const char* d, size_t n) { kept.append(d, n); };
    DownloadResult r = download_device(*session_, *device, 1000, cb);
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(r.restarted);
    EXPECT_EQ(restarts, 1);
    EXPECT_EQ(r.start_offset, 0u);
    EXPECT_TRUE(kept == *vmdk_) << "restarted download differs";
    lease_complete(*session_, lease);
}

TEST_F(VsphereExport, CancelStopsADownloadMidway) {
    start({.nfc_rate = 2 << 20});  // 2 MiB/s: the download takes seconds
    power_off();
    MoRef lease;
    LeaseInfo info = export_ready(lease);
    const LeaseDevice* device = device_for_disk(info, vm_, vm_.disks[0]);
    ASSERT_NE(device, nullptr);
    std::atomic<uint64_t> got{0};
    DownloadCallbacks cb;
    cb.on_data = [&](const char*, size_t n) { got += n; };
    cb.is_cancelled = [&] { return got > (1u << 20); };
    const auto start = std::chrono::steady_clock::now();
    try {
        download_device(*session_, *device, 0, cb);
        FAIL() << "not cancelled";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::cancelled) << e.what();
    }
    EXPECT_LT(got.load(), vmdk_->size());
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
    lease_abort(*session_, lease);
    EXPECT_EQ(lease_status(*session_, lease).state, LeaseState::error);
}

TEST_F(VsphereExport, ServerKilledMidDownloadSaysWhereToResume) {
    start({.nfc_rate = 4 << 20});
    power_off();
    MoRef lease;
    LeaseInfo info = export_ready(lease);
    const LeaseDevice* device = device_for_disk(info, vm_, vm_.disks[0]);
    ASSERT_NE(device, nullptr);
    uint64_t got = 0;
    DownloadCallbacks cb;
    cb.on_data = [&](const char*, size_t n) {
        got += n;
        if (got > (1u << 20) && sim_->pid() > 0) sim_->kill_now();
    };
    try {
        download_device(*session_, *device, 0, cb);
        FAIL() << "download survived the server";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::transport) << e.what();
        EXPECT_NE(std::string(e.what()).find("after " + std::to_string(got) + " bytes"), std::string::npos)
            << e.what() << " (got " << got << ")";
    }
    EXPECT_LT(got, vmdk_->size());
}

// An ESXi host behind vCenter: device URLs on a second listener whose
// certificate is not in the CA file; the lease carries its SHA-1.
class VsphereDeviceHost : public VsphereExport {
protected:
    const LeaseDevice& ready_device(MoRef& lease) {
        power_off();
        info_ = export_ready(lease);
        const LeaseDevice* device = device_for_disk(info_, vm_, vm_.disks[0]);
        EXPECT_NE(device, nullptr);
        if (device == nullptr) throw std::runtime_error("no device");
        EXPECT_NE(device->url.find("https://" + sim_->nfc_host() + "/nfc/"), std::string::npos)
            << device->url;
        EXPECT_NE(sim_->nfc_host(), sim_->host());
        return *device;
    }
    std::string download(const LeaseDevice& device, Session& session) {
        Sha256 sha;
        DownloadCallbacks cb;
        cb.on_data = [&](const char* d, size_t n) { sha.add(d, n); };
        download_device(session, device, 0, cb);
        return sha.hex();
    }
    // The message of the Error(tls) the download fails with ("" if none).
    std::string tls_failure(const LeaseDevice& device) {
        try {
            download(device, *session_);
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::tls) << e.what();
            return e.what();
        }
        ADD_FAILURE() << "the download from " << device.url << " succeeded";
        return "";
    }
    LeaseInfo info_;
};

TEST_F(VsphereDeviceHost, LeaseThumbprintTrustsTheOtherHostWithVerificationOn) {
    start({.nfc_other_host = true});
    ASSERT_FALSE(config_for(*sim_).insecure);
    MoRef lease;
    const LeaseDevice& device = ready_device(lease);
    EXPECT_EQ(device.ssl_thumbprint, sim_->nfc_thumbprint_sha1());
    EXPECT_NE(device.ssl_thumbprint, sim_->thumbprint_sha1());
    EXPECT_EQ(download(device, *session_), hypersdk::test::sha256_of_file(*dir_ / "source.vmdk"));
    // The session's own pin is for the session's host; the lease's pin still applies there.
    Config pinned = config_for(*sim_);
    pinned.ca_file.clear();
    pinned.thumbprint = sim_->thumbprint_sha256();
    Session by_pin(pinned);
    by_pin.login();
    EXPECT_EQ(download(device, by_pin), hypersdk::test::sha256_of_file(*dir_ / "source.vmdk"));
    lease_complete(*session_, lease);
}

TEST_F(VsphereDeviceHost, WrongLeaseThumbprintFailsNamingHostAndMismatch) {
    const std::string wrong = "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33";
    start({.nfc_other_host = true, .nfc_thumbprint = wrong});
    MoRef lease;
    const LeaseDevice& device = ready_device(lease);
    EXPECT_EQ(device.ssl_thumbprint, wrong);
    const std::string message = tls_failure(device);
    EXPECT_NE(message.find("host " + sim_->nfc_host()), std::string::npos) << message;
    EXPECT_NE(message.find("does not match the sslThumbprint " + wrong), std::string::npos) << message;
    EXPECT_NE(message.find(sim_->nfc_thumbprint_sha1()), std::string::npos) << message;
    lease_abort(*session_, lease);
}

TEST_F(VsphereDeviceHost, OtherHostWithoutThumbprintIsNotSilentlyTrusted) {
    start({.nfc_other_host = true, .nfc_thumbprint = "none"});
    MoRef lease;
    const LeaseDevice& device = ready_device(lease);
    EXPECT_TRUE(device.ssl_thumbprint.empty());
    // The CA file trusts the session's host, not this one.
    const std::string message = tls_failure(device);
    EXPECT_NE(message.find("cannot verify the certificate of host " + sim_->nfc_host()), std::string::npos)
        << message;
    EXPECT_NE(message.find("gives no sslThumbprint"), std::string::npos) << message;
    // Nor does a session pin that would match the session's host.
    Config pinned = config_for(*sim_);
    pinned.thumbprint = sim_->thumbprint_sha1();
    Session by_pin(pinned);
    by_pin.login();
    EXPECT_THROW(download(device, by_pin), Error);
    // --insecure still turns verification off.
    Config insecure = config_for(*sim_);
    insecure.ca_file.clear();
    insecure.insecure = true;
    Session unverified(insecure);
    unverified.login();
    EXPECT_EQ(download(device, unverified), hypersdk::test::sha256_of_file(*dir_ / "source.vmdk"));
    lease_abort(*session_, lease);
}

TEST_F(VsphereExport, SimulatorWithoutCreateDescriptorMeansNoServerDescriptor) {
    start();
    ASSERT_FALSE(session_->service_content().ovf_manager.empty());
    // What 0.24.2 really answers (our harness keeps that answer by default).
    try {
        session_->call(
            Call("CreateDescriptor", session_->service_content().ovf_manager).param("obj", vm_.ref));
        FAIL() << "CreateDescriptor answered";
    } catch (const Error& e) {
        EXPECT_EQ(e.fault_type(), "MethodNotFound") << e.what();
    }
    EXPECT_FALSE(create_ovf_descriptor(*session_, vm_.ref, "x", {}).has_value());
}

TEST_F(VsphereExport, CreateDescriptorReferencesTheFilesItIsGiven) {
    start({.ovf_create_descriptor = "on"});
    power_off();
    MoRef lease;
    LeaseInfo info = export_ready(lease);
    const LeaseDevice* device = device_for_disk(info, vm_, vm_.disks[0]);
    ASSERT_NE(device, nullptr);
    const std::vector<OvfFileRef> files{{device->key, "My VM-disk-0.vmdk", 12345}};
    auto result = create_ovf_descriptor(*session_, vm_.ref, "My VM", files);
    ASSERT_TRUE(result.has_value());
    EXPECT_TRUE(result->errors.empty());
    EXPECT_NO_THROW(check_ovf_descriptor(result->descriptor, files)) << result->descriptor;
    pugi::xml_document doc;
    ASSERT_TRUE(doc.load_string(result->descriptor.c_str()));
    const auto file = doc.child("Envelope").child("References").child("File");
    EXPECT_STREQ(file.attribute("ovf:href").value(), "My VM-disk-0.vmdk");
    EXPECT_EQ(file.attribute("ovf:size").as_ullong(), 12345u);
    EXPECT_STREQ(doc.child("Envelope").child("VirtualSystem").attribute("ovf:id").value(), "My VM");
    EXPECT_EQ(doc.child("Envelope").child("DiskSection").child("Disk").attribute("ovf:capacity").as_ullong(),
              vm_.disks[0].capacity_bytes);
    lease_complete(*session_, lease);
}

TEST_F(VsphereExport, CreateDescriptorErrorsAreReported) {
    start({.ovf_create_descriptor = "error"});
    auto result = create_ovf_descriptor(*session_, vm_.ref, "", {});
    ASSERT_TRUE(result.has_value());
    ASSERT_EQ(result->errors.size(), 1u);
    EXPECT_EQ(result->errors[0], "NotSupported: harness: a device of DC0_H0_VM0 cannot be described");
}

// The checks of an untrusted descriptor, without a server.
std::string check_error(const std::string& descriptor, const std::vector<OvfFileRef>& files) {
    try {
        check_ovf_descriptor(descriptor, files);
        return "";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::protocol);
        return e.what();
    }
}

TEST(VsphereOvfDescriptorCheck, AcceptsAnEnvelopeReferencingExactlyTheFiles) {
    const std::vector<OvfFileRef> files{{"2000", "vm-disk-0.vmdk", 1}, {"2001", "vm-disk-1.vmdk", 2}};
    const std::string refs = R"(<References><File ovf:id="f1" ovf:href="vm-disk-0.vmdk"/>)"
                             R"(<File ovf:id="f2" ovf:href="vm-disk-1.vmdk"/></References>)";
    EXPECT_EQ(check_error(R"(<?xml version="1.0"?><Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" )"
                          R"(xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1">)" +
                              refs + "</Envelope>",
                          files),
              "");
    EXPECT_EQ(
        check_error(R"(<ovf:Envelope xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/2"><ovf:References>)"
                    R"(<ovf:File ovf:href="vm-disk-0.vmdk"/><ovf:File ovf:href="vm-disk-1.vmdk"/>)"
                    R"(</ovf:References></ovf:Envelope>)",
                    files),
        "");
}

TEST(VsphereOvfDescriptorCheck, RefusesWhatIsNotTheExportsOvf) {
    const std::vector<OvfFileRef> files{{"2000", "vm-disk-0.vmdk", 1}};
    const std::string ns =
        R"( xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1")";
    EXPECT_EQ(check_error("", files), "the OVF descriptor is empty");
    EXPECT_NE(check_error("<Envelope", files).find("is not XML"), std::string::npos);
    EXPECT_EQ(check_error("<html" + ns + "/>", files),
              "the OVF descriptor's root element is <html>, not an OVF Envelope");
    EXPECT_NE(check_error(R"(<Envelope xmlns="urn:other"/>)", files).find("namespace 'urn:other'"),
              std::string::npos);
    EXPECT_EQ(check_error("<Envelope" + ns + "/>", files),
              "the OVF descriptor does not reference the exported file vm-disk-0.vmdk");
    EXPECT_EQ(
        check_error("<Envelope" + ns +
                        R"(><References><File ovf:href="vm-disk-0.vmdk"/><File ovf:href="../etc/passwd"/>)"
                        "</References></Envelope>",
                    files),
        "the OVF descriptor references '../etc/passwd', which is not one of the exported files");
    EXPECT_NE(check_error(std::string(17u << 20, ' '), files).find("is too large: 17825792 bytes"),
              std::string::npos);
}

}  // namespace
}  // namespace hypersdk::vsphere
