// The single-command migration end to end: the real hyperexport binary, the
// real vSphere plugin, vcsim on 127.0.0.1, a real streamOptimized VMDK with
// content, the real qemu-img converter, and `qemu-img compare` as the judge.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "errors.hpp"
#include "images.hpp"
#include "nfc_download.hpp"
#include "nfc_lease.hpp"
#include "process.hpp"
#include "session.hpp"
#include "temp_dir.hpp"
#include "vcsim_fixture.hpp"

namespace fs = std::filesystem;
namespace vsphere = hypersdk::vsphere;
using namespace hypersdk::test;
using namespace std::chrono_literals;

namespace {

constexpr uint64_t kDiskBytes = 32ull * 1024 * 1024;
const char* const kVm = "DC0_H0_VM0";

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::vector<fs::path> files_with_extension(const fs::path& dir, const std::string& extension) {
    std::vector<fs::path> out;
    for (const auto& entry : fs::directory_iterator(dir))
        if (entry.path().extension() == extension) out.push_back(entry.path());
    std::sort(out.begin(), out.end());
    return out;
}

// The lease of the plugin's debug line "export lease <id> ready with N device URLs".
std::string ready_lease(const std::string& log) {
    std::smatch m;
    return std::regex_search(log, m, std::regex("export lease (\\S+) ready with ")) ? m[1].str() : "";
}

// What the plugin read back from the simulator after ending `lease`, e.g.
// "done" or "error (RequestCanceled: ...)".
std::string lease_end_state(const std::string& log, const std::string& lease) {
    const std::string needle = "export lease " + lease + " ended in state ";
    const size_t at = log.find(needle);
    if (at == std::string::npos) return "(not logged)";
    const size_t begin = at + needle.size();
    return log.substr(begin, log.find('\n', begin) - begin);
}

class ExportVcsim : public ::testing::Test {
protected:
    // incompressible: random bytes, so the streamOptimized VMDK stays as big
    // as the disk (for tests that need a download to take a while).
    void start(VcsimOptions options = {}, bool incompressible = false) {
        vcsim_ = std::make_unique<Vcsim>(options);
        const fs::path raw = dir_ / "source.raw";
        if (incompressible) {
            std::ifstream random("/dev/urandom", std::ios::binary);
            std::ofstream out(raw, std::ios::binary);
            std::vector<char> buffer(1 << 20);
            for (uint64_t done = 0; done < kDiskBytes; done += buffer.size()) {
                random.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
                out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
            }
        } else {
            write_patterned_raw(raw, kDiskBytes);
        }
        source_ = dir_ / "source.vmdk";
        for (const auto& variant : all_source_variants())
            if (variant.name == "vmdk-streamOptimized") convert_raw_to(raw, variant, source_);
        ASSERT_TRUE(fs::exists(source_));
        source_raw_ = raw;
        vcsim_->upload_file(source_, std::string(kVm) + "/disk1.vmdk");
        fs::create_directories(dir_ / "home");
    }

    // Profile "kvm": vsphere, output DIR/out, convert with qemu-img, power off,
    // plus `more` members; returns the environment that finds it.
    ProcessOptions kvm_profile(const std::string& more = "") const {
        const fs::path profiles = dir_ / "profiles";
        fs::create_directories(profiles);
        std::ofstream(profiles / "kvm.json")
            << R"({"name": "kvm", "provider": "vsphere", "output": ")" << (dir_ / "out").string()
            << R"(", "auto_convert": true, "converter": "qemu-img", "fix": false, "power_off": true)" << more
            << "}";
        return env({{"HYPEREXPORT_PROFILE_DIR", profiles.string()}});
    }

    ProcessOptions env(std::map<std::string, std::string> extra = {}) const {
        ProcessOptions options;
        options.env = {{"GOVC_URL", vcsim_->url()},
                       {"GOVC_USERNAME", vcsim_->username()},
                       {"GOVC_PASSWORD", vcsim_->password()},
                       {"GOVC_TLS_CA_CERTS", vcsim_->ca_file().string()},
                       {"PATH", "/usr/bin:/bin"},
                       {"HOME", (dir_ / "home").string()}};
        for (auto& [key, value] : extra) options.env[key] = value;
        options.unset_env = {"GOVC_INSECURE", "GOVC_DATACENTER", "HYPERSDK_PLUGIN_PATH"};
        options.timeout = 240s;
        return options;
    }

    std::vector<std::string> argv(std::vector<std::string> args) const {
        args.insert(args.begin(), {HYPEREXPORT_BINARY, "--no-default-plugin-dirs", "--plugin-dir",
                                   HYPERSDK_TEST_PLUGIN_DIR});
        return args;
    }

    ProcessResult hyperexport(std::vector<std::string> args, const ProcessOptions& options) const {
        return run_process(argv(std::move(args)), options);
    }

    // A session of the test's own on the simulator, through the client library.
    std::unique_ptr<vsphere::Session> client() const {
        vsphere::Config c;
        c.url = vcsim_->url();
        c.username = vcsim_->username();
        c.password = vcsim_->password();
        c.ca_file = vcsim_->ca_file().string();
        c.connect_timeout = 10s;
        c.soap_timeout = 30s;
        c.stall_timeout = 30s;
        auto session = std::make_unique<vsphere::Session>(c);
        session->login();
        return session;
    }

    // True while the simulator serves the disk URL of `lease` (the harness's
    // https://*/nfc/<lease>/disk-0.vmdk), false once it ended the lease (404).
    // vcsim keeps a lease private to the session that made it, so this URL is
    // what another session can check. Fetches only the last 16 bytes.
    bool lease_serves_disk(vsphere::Session& session, const std::string& lease) const {
        vsphere::LeaseDevice device;
        device.key = "disk-0";
        device.url = "https://*/nfc/" + lease + "/disk-0.vmdk";
        try {
            return vsphere::download_device(session, device, fs::file_size(source_) - 16, {}).bytes == 16;
        } catch (const vsphere::Error& e) {
            if (e.kind() == vsphere::ErrorKind::not_found) return false;
            throw;
        }
    }

    void expect_no_password(const ProcessResult& result) const {
        EXPECT_EQ(result.out.find(vcsim_->password()), std::string::npos);
        EXPECT_EQ(result.err.find(vcsim_->password()), std::string::npos);
    }

    TempDir dir_;
    std::unique_ptr<Vcsim> vcsim_;
    fs::path source_;
    fs::path source_raw_;
};

// A migration fixes the guest unless told not to: the manifest of a plain
// export asks for INSPECT and FIX, so a converter that only converts formats
// is refused with the way out named, before anything runs.
TEST_F(ExportVcsim, DefaultExportAsksForFixAndAFormatOnlyConverterIsRefused) {
    start();
    const fs::path out = dir_ / "out";
    const auto result = hyperexport({"--provider", "vsphere", "--vm", kVm, "--output", out.string(),
                                     "--power-off", "--convert", "--converter", "qemu-img"},
                                    env());
    EXPECT_EQ(result.exit_code, 4) << result.out << result.err;
    EXPECT_NE(result.err.find("no driver injection (manifest enables pipeline.fix)"), std::string::npos)
        << result.err;
    std::string manifest_text = read_text(out / "artifact-manifest.json");
    std::erase_if(manifest_text, [](char c) { return c == ' ' || c == '\n'; });
    EXPECT_NE(manifest_text.find(R"("inspect":{"enabled":true)"), std::string::npos) << manifest_text;
    EXPECT_NE(manifest_text.find(R"("fix":{"enabled":true)"), std::string::npos) << manifest_text;
    EXPECT_TRUE(files_with_extension(out, ".qcow2").empty());
}

TEST_F(ExportVcsim, ExportsManifestsAndConvertsWithQemuImg) {
    start();
    const fs::path out = dir_ / "out";
    const auto result =
        hyperexport({"--provider", "vsphere", "--vm", kVm, "--output", out.string(), "--power-off",
                     "--convert", "--converter", "qemu-img", "--fix=false", "--verify-manifest"},
                    env());
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    expect_no_password(result);
    EXPECT_NE(result.out.find("Export Summary"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("Converted Files (KVM-Ready):"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("SUCCESS"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("no: format conversion only"), std::string::npos) << result.out;

    const auto ovfs = files_with_extension(out, ".ovf");
    ASSERT_EQ(ovfs.size(), 1u);
    EXPECT_NE(read_text(ovfs[0]).find("Envelope"), std::string::npos);
    const auto vmdks = files_with_extension(out, ".vmdk");
    ASSERT_GE(vmdks.size(), 1u);
    EXPECT_TRUE(files_with_extension(out, ".part").empty());
    const fs::path manifest = out / "artifact-manifest.json";
    ASSERT_TRUE(fs::exists(manifest));
    const std::string manifest_text = read_text(manifest);
    EXPECT_EQ(manifest_text.find(vcsim_->password()), std::string::npos);

    // The manifest validates against hyper2kvm's schema...
    const auto schema =
        run_process({"python3", "-c",
                     "import json,sys,jsonschema;"
                     "jsonschema.validate(json.load(open(sys.argv[1])),json.load(open(sys.argv[2])))",
                     manifest.string(), HYPERSDK_MANIFEST_SCHEMA});
    EXPECT_EQ(schema.exit_code, 0) << schema.err;
    // ...says what a vSphere export should...
    EXPECT_NE(manifest_text.find("\"provider\": \"vsphere\""), std::string::npos) << manifest_text;
    EXPECT_NE(manifest_text.find("\"vm_name\": \"DC0_H0_VM0\""), std::string::npos);
    EXPECT_NE(manifest_text.find("\"boot_order_hint\": 0"), std::string::npos);
    EXPECT_NE(manifest_text.find("\"disk_type\": \"boot\""), std::string::npos);
    // ...and its checksums are those of the files.
    for (const auto& vmdk : vmdks)
        EXPECT_NE(manifest_text.find(sha256_of_file(vmdk)), std::string::npos) << vmdk;

    // The downloaded VMDK and the qcow2 hold exactly the uploaded disk.
    const auto qcow2s = files_with_extension(out, ".qcow2");
    ASSERT_EQ(qcow2s.size(), 1u) << result.out;
    std::string detail;
    EXPECT_TRUE(images_identical(qcow2s[0], "qcow2", source_raw_, "raw", &detail)) << detail;
    EXPECT_TRUE(images_identical(vmdks[0], "vmdk", source_raw_, "raw", &detail)) << detail;
}

TEST_F(ExportVcsim, JsonResultIncludesConversion) {
    start();
    const fs::path out = dir_ / "out";
    const auto result =
        hyperexport({"--provider", "vsphere", "--vm", kVm, "--output", out.string(), "--power-off",
                     "--convert", "--converter", "qemu-img", "--fix=false", "--json"},
                    env());
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    const auto check = run_process(
        {"python3", "-c",
         "import json,sys; d=json.loads(sys.stdin.read()); "
         "assert d['success'] and d['vm_name']=='DC0_H0_VM0' and d['conversion']['success'], d; "
         "assert any(f['kind']=='disk' and f['sha256'].startswith('sha256:') for f in d['files']), d"},
        [&] {
            ProcessOptions options;
            options.stdin_text = result.out;
            return options;
        }());
    EXPECT_EQ(check.exit_code, 0) << check.err << result.out;
}

// Packing the OVA fails after the export and the manifest are complete: the
// exit code says so (5), not "no manifest" (1), and the manifest is there.
TEST_F(ExportVcsim, AnOvaThatCannotBePackedExitsFiveWithTheManifestWritten) {
    start();
    const fs::path out = dir_ / "out";
    fs::create_directories(out / (std::string(kVm) + ".ova.part"));  // in the way of the package
    const auto result = hyperexport(
        {"--provider", "vsphere", "--vm", kVm, "--output", out.string(), "--power-off", "--format", "ova"},
        env());
    EXPECT_EQ(result.exit_code, 5) << result.out << result.err;
    EXPECT_NE(result.err.find("the exported files and the manifest are complete"), std::string::npos)
        << result.err;
    EXPECT_TRUE(fs::exists(out / "artifact-manifest.json"));
    EXPECT_FALSE(fs::exists(out / (std::string(kVm) + ".ova")));
}

TEST_F(ExportVcsim, OvaFormatPacksOvfFirstThenTheDisks) {
    start();
    const fs::path out = dir_ / "out";
    const auto result = hyperexport(
        {"--provider", "vsphere", "--vm", kVm, "--output", out.string(), "--power-off", "--format", "ova"},
        env());
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    const fs::path ova = out / (std::string(kVm) + ".ova");
    ASSERT_TRUE(fs::exists(ova)) << result.out;
    EXPECT_FALSE(fs::exists(ova.string() + ".part"));
    EXPECT_NE(result.out.find("OVA Package"), std::string::npos) << result.out;
    // An independent reader (Python's tarfile): OVF first, then the disk,
    // byte for byte the loose files the manifest names.
    const auto check = run_process(
        {"python3", "-c",
         "import sys, tarfile, hashlib, os\n"
         "out = sys.argv[1]\n"
         "with tarfile.open(sys.argv[2]) as t:\n"
         "    names = t.getnames()\n"
         "    assert names[0].endswith('.ovf'), names\n"
         "    assert any(n.endswith('.vmdk') for n in names[1:]), names\n"
         "    for m in t.getmembers():\n"
         "        inside = hashlib.sha256(t.extractfile(m).read()).hexdigest()\n"
         "        loose = hashlib.sha256(open(os.path.join(out, m.name), 'rb').read()).hexdigest()\n"
         "        assert inside == loose, m.name\n",
         out.string(), ova.string()});
    EXPECT_EQ(check.exit_code, 0) << check.err;
    EXPECT_TRUE(fs::exists(out / "artifact-manifest.json"));
}

TEST_F(ExportVcsim, ProfileSuppliesDefaultsAndFlagsWin) {
    start();
    const fs::path out = dir_ / "out";
    const auto result =
        hyperexport({"--vm", kVm, "--profile", "kvm", "--target-format", "qcow2"},
                    kvm_profile(R"(, "manifest_target_format": "raw", "manifest_checksum": false)"));
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_EQ(files_with_extension(out, ".qcow2").size(), 1u) << result.out;  // the flag beat "raw"
    const std::string manifest = read_text(out / "artifact-manifest.json");
    EXPECT_EQ(manifest.find("\"checksum\""), std::string::npos) << manifest;  // from the profile
}

TEST_F(ExportVcsim, FalseOnTheCommandLineBeatsAProfilesTrue) {
    start();
    const fs::path out = dir_ / "out";
    const ProcessOptions options = kvm_profile();

    // --power-off=false: the running VM is refused, as without the profile.
    const auto refused = hyperexport({"--vm", kVm, "--profile", "kvm", "--power-off=false"}, options);
    EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
    EXPECT_NE(refused.err.find("--power-off"), std::string::npos) << refused.err;
    EXPECT_TRUE(files_with_extension(out, ".vmdk").empty());

    // --convert=false: exported, not converted.
    const auto exported = hyperexport({"--vm", kVm, "--profile", "kvm", "--convert=false"}, options);
    ASSERT_EQ(exported.exit_code, 0) << exported.out << exported.err;
    EXPECT_EQ(files_with_extension(out, ".vmdk").size(), 1u);
    EXPECT_TRUE(files_with_extension(out, ".qcow2").empty()) << exported.out;
}

TEST_F(ExportVcsim, FailedConversionExitsFourAndKeepsTheExport) {
    start();
    const fs::path out = dir_ / "out";
    const auto result = hyperexport({"--provider", "vsphere", "--vm", kVm, "--output", out.string(),
                                     "--power-off", "--convert", "--converter", "no-such-converter"},
                                    env());
    EXPECT_EQ(result.exit_code, 4) << result.out << result.err;
    EXPECT_NE(result.err.find("conversion failed"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("hyperexport convert --manifest"), std::string::npos) << result.err;
    const fs::path manifest = out / "artifact-manifest.json";
    ASSERT_TRUE(fs::exists(manifest));
    const auto verify = hyperexport({"manifest", "verify", manifest.string()}, env());
    EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

TEST_F(ExportVcsim, DryRunWritesNothing) {
    start();
    const fs::path out = dir_ / "out";
    const auto result =
        hyperexport({"--provider", "vsphere", "--vm", kVm, "--output", out.string(), "--dry-run"}, env());
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_NE(result.out.find("Export Plan"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("DC0_H0_VM0"), std::string::npos);
    EXPECT_FALSE(fs::exists(out));
}

TEST_F(ExportVcsim, WrongPasswordFailsWithoutShowingIt) {
    start();
    const fs::path out = dir_ / "out";
    const auto result =
        hyperexport({"--provider", "vsphere", "--vm", kVm, "--output", out.string(), "--power-off"},
                    env({{"GOVC_PASSWORD", "wrong-Secret-99"}}));
    EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
    EXPECT_NE(
        result.err.find("hyperexport: vSphere rejected the credentials for hypersdk at " + vcsim_->url()),
        std::string::npos)
        << result.err;
    EXPECT_EQ(result.out.find("wrong-Secret-99"), std::string::npos);
    EXPECT_EQ(result.err.find("wrong-Secret-99"), std::string::npos);
    EXPECT_FALSE(fs::exists(out / "artifact-manifest.json"));
}

TEST_F(ExportVcsim, UnknownVmFails) {
    start();
    const auto result = hyperexport(
        {"--provider", "vsphere", "--vm", "no-such-vm", "--output", (dir_ / "out").string(), "--power-off"},
        env());
    EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
    EXPECT_NE(result.err.find("VM 'no-such-vm' not found"), std::string::npos) << result.err;
    expect_no_password(result);
}

TEST_F(ExportVcsim, PoweredOnVmNeedsPowerOff) {
    start();
    const fs::path out = dir_ / "out";
    const auto result = hyperexport({"--provider", "vsphere", "--vm", kVm, "--output", out.string()}, env());
    EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
    EXPECT_NE(result.err.find("--power-off"), std::string::npos) << result.err;
    EXPECT_TRUE(files_with_extension(out, ".vmdk").empty());
    EXPECT_FALSE(fs::exists(out / "artifact-manifest.json"));
}

TEST_F(ExportVcsim, UntrustedCertificateIsRefused) {
    start();
    ProcessOptions options = env();
    options.env.erase("GOVC_TLS_CA_CERTS");
    options.unset_env.push_back("GOVC_TLS_CA_CERTS");
    const auto result = hyperexport(
        {"--provider", "vsphere", "--vm", kVm, "--output", (dir_ / "out").string(), "--power-off"}, options);
    EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
    EXPECT_NE(result.err.find("cannot verify the certificate"), std::string::npos) << result.err;
    expect_no_password(result);
}

TEST_F(ExportVcsim, ThumbprintPinIsEnoughToTrust) {
    start();
    ProcessOptions options = env();
    options.env.erase("GOVC_TLS_CA_CERTS");
    options.unset_env.push_back("GOVC_TLS_CA_CERTS");
    const auto result =
        hyperexport({"--provider", "vsphere", "--vm", kVm, "--output", (dir_ / "out").string(), "--power-off",
                     "--thumbprint", vcsim_->thumbprint_sha256()},
                    options);
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
}

TEST_F(ExportVcsim, CtrlCLeavesPartFilesAndReRunResumes) {
    VcsimOptions options;
    options.nfc_rate = 4 * 1024 * 1024;  // 32 MiB take ~8 s: time to interrupt
    start(options, true);
    const fs::path out = dir_ / "out";
    // Debug logging: the plugin names its lease and the state it ended in.
    const std::vector<std::string> args = {"--log-level", "debug",    "--provider", "vsphere",    "--vm",
                                           kVm,           "--output", out.string(), "--power-off"};
    const auto session = client();
    std::string aborted;
    {
        BackgroundProcess run(argv(args), env());
        // Wait until some bytes of a disk are on disk.
        bool started = false;
        for (int i = 0; i < 300 && !started; ++i) {
            std::this_thread::sleep_for(100ms);
            if (fs::exists(out))
                for (const auto& part : files_with_extension(out, ".part"))
                    if (part.stem().extension() == ".vmdk" && fs::file_size(part) > 1024 * 1024)
                        started = true;
        }
        ASSERT_TRUE(started) << run.err();
        aborted = ready_lease(run.err());
        ASSERT_FALSE(aborted.empty()) << run.err();
        // The lease is live before Ctrl-C, so the check after it can tell.
        EXPECT_TRUE(lease_serves_disk(*session, aborted));
        run.send_signal(SIGINT);
        const auto result = run.wait(30s);
        EXPECT_FALSE(result.timed_out);
        EXPECT_EQ(result.exit_code, 1) << result.err;
        EXPECT_NE(result.err.find("cancelled"), std::string::npos) << result.err;
        // Aborted on the simulator: state error with the abort's fault, not ready or done.
        EXPECT_EQ(lease_end_state(result.err, aborted).rfind("error (RequestCanceled", 0), 0u) << result.err;
    }
    // Asked directly, from another session: the simulator holds the lease as aborted.
    const vsphere::LeaseStatus aborted_status =
        vsphere::lease_status(*session, vsphere::MoRef{"HttpNfcLease", aborted});
    EXPECT_EQ(aborted_status.state, vsphere::LeaseState::error) << vsphere::to_string(aborted_status.state);
    EXPECT_NE(aborted_status.error.find("RequestCanceled"), std::string::npos) << aborted_status.error;
    EXPECT_FALSE(lease_serves_disk(*session, aborted));
    EXPECT_FALSE(files_with_extension(out, ".part").empty());
    EXPECT_TRUE(files_with_extension(out, ".vmdk").empty());
    EXPECT_FALSE(fs::exists(out / "artifact-manifest.json"));

    const auto result = hyperexport(args, env());
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_NE(result.out.find("[INFO] Resuming "), std::string::npos) << result.out;  // not a fresh download
    const std::string completed = ready_lease(result.err);
    ASSERT_FALSE(completed.empty()) << result.err;
    EXPECT_NE(completed, aborted);
    EXPECT_EQ(lease_end_state(result.err, completed), "done") << result.err;
    EXPECT_EQ(vsphere::lease_status(*session, vsphere::MoRef{"HttpNfcLease", completed}).state,
              vsphere::LeaseState::done);
    EXPECT_FALSE(lease_serves_disk(*session, completed));
    EXPECT_TRUE(files_with_extension(out, ".part").empty());
    const auto vmdks = files_with_extension(out, ".vmdk");
    ASSERT_EQ(vmdks.size(), 1u);
    std::string detail;
    EXPECT_TRUE(images_identical(vmdks[0], "vmdk", source_raw_, "raw", &detail)) << detail;
    EXPECT_NE(read_text(out / "artifact-manifest.json").find(sha256_of_file(vmdks[0])), std::string::npos);
}

// A hang-up (the terminal or ssh session closed) and SIGTERM do what Ctrl-C
// does: the lease is aborted on the server, the .part files stay, no manifest.
TEST_F(ExportVcsim, HangUpAndTermAbortTheLeaseLikeCtrlC) {
    VcsimOptions options;
    options.nfc_rate = 4 * 1024 * 1024;
    start(options, true);
    const auto session = client();
    for (const int signal_number : {SIGHUP, SIGTERM}) {
        const fs::path out = dir_ / ("out-" + std::to_string(signal_number));
        const std::vector<std::string> args = {"--log-level", "debug",    "--provider", "vsphere",    "--vm",
                                               kVm,           "--output", out.string(), "--power-off"};
        BackgroundProcess run(argv(args), env());
        bool started = false;
        for (int i = 0; i < 300 && !started; ++i) {
            std::this_thread::sleep_for(100ms);
            if (fs::exists(out))
                for (const auto& part : files_with_extension(out, ".part"))
                    if (part.stem().extension() == ".vmdk" && fs::file_size(part) > 1024 * 1024)
                        started = true;
        }
        ASSERT_TRUE(started) << run.err();
        const std::string lease = ready_lease(run.err());
        ASSERT_FALSE(lease.empty()) << run.err();
        run.send_signal(signal_number);
        const auto result = run.wait(30s);
        ASSERT_FALSE(result.timed_out) << strsignal(signal_number);
        EXPECT_EQ(result.exit_code, 1) << strsignal(signal_number) << ": " << result.err;
        EXPECT_NE(result.err.find("cancelled"), std::string::npos) << result.err;
        EXPECT_EQ(vsphere::lease_status(*session, vsphere::MoRef{"HttpNfcLease", lease}).state,
                  vsphere::LeaseState::error)
            << strsignal(signal_number);
        EXPECT_FALSE(files_with_extension(out, ".part").empty());
        EXPECT_FALSE(fs::exists(out / "artifact-manifest.json"));
    }
}

TEST_F(ExportVcsim, VmsListsTheInventory) {
    start();
    const auto table = hyperexport({"vms", "--provider", "vsphere"}, env());
    ASSERT_EQ(table.exit_code, 0) << table.err;
    EXPECT_NE(table.out.find("NAME"), std::string::npos);
    EXPECT_NE(table.out.find(kVm), std::string::npos) << table.out;
    const auto json = hyperexport({"vms", "--provider", "vsphere", "--json"}, env());
    ASSERT_EQ(json.exit_code, 0) << json.err;
    EXPECT_NE(json.out.find("\"power_state\""), std::string::npos) << json.out;
}

// The real password inside --url or GOVC_URL, against a simulator that would
// accept it: refused before any connection, with how to pass the user and the
// password instead, and the password never printed.
TEST_F(ExportVcsim, PasswordInTheUrlIsRefusedAndNeverPrinted) {
    start();
    const std::string url = vcsim_->url();
    ASSERT_EQ(url.rfind("https://", 0), 0u) << url;
    const std::string with_password = "https://" + vcsim_->username() + ":" + vcsim_->password() + "@" +
                                      url.substr(std::string("https://").size());
    const auto by_flag = hyperexport({"vms", "--provider", "vsphere", "--url", with_password}, env());
    const auto by_env = hyperexport({"vms", "--provider", "vsphere"}, env({{"GOVC_URL", with_password}}));
    for (const auto* result : {&by_flag, &by_env}) {
        EXPECT_NE(result->exit_code, 0) << result->out;
        EXPECT_EQ(result->out.find(kVm), std::string::npos) << "connected with the password in the URL";
        EXPECT_EQ((result->out + result->err).find(vcsim_->password()), std::string::npos)
            << "password printed:\n"
            << result->out << result->err;
        EXPECT_NE(result->err.find("must not hold a user name or password"), std::string::npos)
            << result->err;
        EXPECT_NE(result->err.find("give the URL as " + url), std::string::npos) << result->err;
        EXPECT_NE(result->err.find("--password-file FILE (or GOVC_PASSWORD)"), std::string::npos)
            << result->err;
    }
}

// Command-line handling needs no server.
ProcessResult hyperexport_offline(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {HYPEREXPORT_BINARY, "--no-default-plugin-dirs", "--plugin-dir",
                                     HYPERSDK_TEST_PLUGIN_DIR};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessOptions options;
    options.unset_env = {"GOVC_URL", "GOVC_USERNAME", "GOVC_PASSWORD"};
    options.timeout = 30s;
    return run_process(argv, options);
}

TEST(ExportCli, HelpListsEveryOption) {
    // Without --provider: the host's options, and how to see a provider's.
    const auto general = hyperexport_offline({"export", "--help"});
    ASSERT_EQ(general.exit_code, 0) << general.err;
    // Every provider plugin of the build is named (the clouds may be switched off).
    const auto installed = general.out.find("Add --provider NAME to see that provider's options (installed: ");
    ASSERT_NE(installed, std::string::npos) << general.out;
    const std::string names = general.out.substr(installed, general.out.find('\n', installed) - installed);
    EXPECT_NE(names.find("vsphere)"), std::string::npos) << names;
    EXPECT_EQ(general.out.find("--username"), std::string::npos) << general.out;
    // With it: the provider's declared options, with their govc variables.
    const auto result = hyperexport_offline({"export", "--provider", "vsphere", "--help"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    for (const char* option : {"--provider",
                               "--vm",
                               "--instance",
                               "--output",
                               "--format",
                               "--convert",
                               "--converter",
                               "--compress",
                               "--fix",
                               "--manifest-checksum",
                               "--verify-manifest",
                               "--profile",
                               "--parallel",
                               "--direct-io",
                               "--conversion-timeout",
                               "--stream-conversion",
                               "--hyper2kvm-binary",
                               "--qemu-img-binary",
                               "--power-off",
                               "--dry-run",
                               "--quiet",
                               "--json",
                               "--url",
                               "--username",
                               "--password-file",
                               "--password-env",
                               "--insecure",
                               "--thumbprint",
                               "--ca-file",
                               "--datacenter",
                               "[env: GOVC_URL]",
                               "[env: GOVC_PASSWORD]",
                               "Options of the vsphere provider"})
        EXPECT_NE(result.out.find(option), std::string::npos) << option;
    EXPECT_EQ(result.out.find("--password "), std::string::npos);
    const auto top = hyperexport_offline({"--help"});
    EXPECT_NE(top.out.find("export "), std::string::npos);
    EXPECT_NE(top.out.find("vms "), std::string::npos);
}

TEST(ExportCli, UsageErrorsAreOneLineExitTwo) {
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"--provider", "vsphere", "--output", "/tmp/x"},
             {"--provider", "vsphere", "--vm", "v"},
             {"--vm", "v", "--output", "/tmp/x"},
             {"--provider", "vsphere", "--vm", "v", "--output", "/tmp/x", "--format", "zip"},
             {"--provider", "vsphere", "--vm", "v", "--output", "/tmp/x", "--parallel", "0"},
             {"--provider", "vsphere", "--vm", "v", "--output", "/tmp/x", "--conversion-timeout", "soon"},
             {"--provider", "vsphere", "--vm", "v", "--output", "/tmp/x", "--password", "x"},
             {"--provider", "vsphere", "--vm", "v", "--output", "/tmp/x", "--profile", "no-such-profile"},
             {"vms"}}) {
        const auto result = hyperexport_offline(args);
        EXPECT_EQ(result.exit_code, 2) << args.back() << ": " << result.err;
        EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
        EXPECT_EQ(result.err.rfind("hyperexport: ", 0), 0u) << result.err;
    }
}

TEST(ExportCli, UnknownProviderNamesTheInstalledOnes) {
    const auto result = hyperexport_offline({"--provider", "nimbus", "--vm", "v", "--output", "/tmp/x"});
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_NE(result.err.find("no provider plugin for 'nimbus'"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("vsphere"), std::string::npos) << result.err;
}

}  // namespace
