// The files `hyperexport export` creates, against vcsim with the real vSphere
// plugin: never through a planted symlink, private by default, and a ".part"
// resumed only when its resume record proves it came from the same source.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "files_test_support.hpp"
#include "images.hpp"
#include "temp_dir.hpp"
#include "vcsim_fixture.hpp"

namespace fs = std::filesystem;
using namespace hypersdk::test;
using namespace hypersdk::test::files;
using namespace std::chrono_literals;

namespace {

constexpr uint64_t kDiskBytes = 32ull * 1024 * 1024;
const char* const kVm = "DC0_H0_VM0";
const std::string kDiskName = std::string(kVm) + "-disk-0.vmdk";
const std::string kOvfName = std::string(kVm) + ".ovf";
const std::string kOvaName = std::string(kVm) + ".ova";

class ExportFiles : public ::testing::Test {
protected:
    // The disk the simulator serves: streamOptimized, random bytes when
    // `incompressible` (so a rate limit makes the download take a while).
    void make_source(bool incompressible = false) {
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
        source_raw_ = raw;
        source_ = dir_ / "source.vmdk";
        for (const auto& variant : all_source_variants())
            if (variant.name == "vmdk-streamOptimized") convert_raw_to(raw, variant, source_);
        ASSERT_TRUE(fs::exists(source_));
    }

    void start(VcsimOptions options = {}) {
        if (source_.empty()) make_source();
        vcsim_ = std::make_unique<Vcsim>(options);
        vcsim_->upload_file(source_, std::string(kVm) + "/disk1.vmdk");
        fs::create_directories(dir_ / "elsewhere");
    }

    ProcessOptions env() const {
        ProcessOptions options;
        options.env = {{"GOVC_URL", vcsim_->url()},
                       {"GOVC_USERNAME", vcsim_->username()},
                       {"GOVC_PASSWORD", vcsim_->password()},
                       {"GOVC_TLS_CA_CERTS", vcsim_->ca_file().string()}};
        options.unset_env = {"GOVC_INSECURE", "GOVC_DATACENTER"};
        options.timeout = 240s;
        return options;
    }

    std::vector<std::string> export_args(const fs::path& out, std::vector<std::string> extra = {}) const {
        std::vector<std::string> args = {"--provider", "vsphere",    "--vm",       kVm,
                                         "--output",   out.string(), "--power-off"};
        args.insert(args.end(), extra.begin(), extra.end());
        return args;
    }

    ProcessResult run(std::vector<std::string> args) const {
        return hyperexport(std::move(args), dir_ / "home", env());
    }

    fs::path plant(const fs::path& at) {
        const fs::path victim = dir_ / "elsewhere" / (at.filename().string() + ".victim");
        write_victim(victim);
        fs::create_symlink(victim, at);
        return victim;
    }

    void expect_untouched(const fs::path& victim) {
        // Compared, not printed: a victim written through holds disk bytes.
        EXPECT_TRUE(read_text(victim) == "victim: must never be written through a planted symlink\n")
            << victim;
    }

    // The exported disk holds exactly the source, and `manifest verify` agrees.
    void expect_exported_disk(const fs::path& out) {
        ASSERT_TRUE(is_regular_file_not_symlink(out / kDiskName));
        std::string detail;
        EXPECT_TRUE(images_identical(out / kDiskName, "vmdk", source_raw_, "raw", &detail)) << detail;
        EXPECT_EQ(sha256_of_file(out / kDiskName), sha256_of_file(source_));
        const auto verify = run({"manifest", "verify", (out / "artifact-manifest.json").string()});
        EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
    }

    TempDir dir_;
    std::unique_ptr<Vcsim> vcsim_;
    fs::path source_;
    fs::path source_raw_;
};

TEST_F(ExportFiles, PlantedSymlinksAreNeverFollowed) {
    start();
    const fs::path out = dir_ / "out";
    fs::create_directories(out);
    std::vector<fs::path> victims;
    for (const std::string& name : {kDiskName + ".part", kDiskName, kDiskName + ".resume.json",
                                    kOvfName + ".part", kOvfName, std::string("artifact-manifest.json.part"),
                                    std::string("artifact-manifest.json"), kOvaName + ".part", kOvaName})
        victims.push_back(plant(out / name));
    const auto result = run(export_args(out, {"--format", "ova"}));
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    for (const auto& victim : victims) expect_untouched(victim);
    for (const std::string& name : {kDiskName, kOvfName, std::string("artifact-manifest.json"), kOvaName})
        EXPECT_TRUE(is_regular_file_not_symlink(out / name)) << name;
    expect_exported_disk(out);
}

TEST_F(ExportFiles, EveryCreatedFileIsPrivateByDefaultOrGroupReadableWhenAsked) {
    start();
    for (const bool group : {false, true}) {
        const fs::path parent = dir_ / (group ? "group" : "private");
        const fs::path out = parent / "out";  // both levels created by the export
        std::vector<std::string> extra = {"--format", "ova"};
        if (group) extra.push_back("--group-readable");
        const auto result = run(export_args(out, extra));
        ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
        EXPECT_EQ(mode_of(parent), group ? 0750u : 0700u);
        EXPECT_EQ(mode_of(out), group ? 0750u : 0700u);
        size_t files = 0;
        for (const auto& entry : fs::directory_iterator(out)) {
            EXPECT_EQ(mode_of(entry.path()), group ? 0640u : 0600u) << entry.path();
            ++files;
        }
        EXPECT_EQ(files, 4u);  // disk, OVF, OVA, manifest
    }
}

TEST_F(ExportFiles, AForeignPartWithoutAResumeRecordIsStartedOver) {
    start();
    const fs::path out = dir_ / "out";
    fs::create_directories(out);
    std::ofstream(out / (kDiskName + ".part"), std::ios::binary) << "29 bytes that are not a disk";
    const auto result = run(export_args(out));
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_EQ(result.out.find("Resuming"), std::string::npos) << result.out;
    EXPECT_NE((result.out + result.err).find("not resuming " + kDiskName + ".part"), std::string::npos)
        << result.out << result.err;
    expect_exported_disk(out);
    EXPECT_FALSE(fs::exists(out / (kDiskName + ".resume.json")));
}

TEST_F(ExportFiles, APartRecordedForAnotherSourceIsStartedOver) {
    start();
    const fs::path out = dir_ / "out";
    fs::create_directories(out);
    std::ofstream(out / (kDiskName + ".part"), std::ios::binary) << "29 bytes that are not a disk";
    std::ofstream(out / (kDiskName + ".resume.json"))
        << R"({"version": 1, "provider": "org.hypersdk.provider.vsphere", "vm": "DC0_H0_VM0", "kind": "disk",)"
        << R"( "id": "disk-0", "file_name": ")" << kDiskName << R"(", "format": "vmdk",)"
        << R"( "source_key": "another VM's disk"})";
    const auto result = run(export_args(out));
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_EQ(result.out.find("Resuming"), std::string::npos) << result.out;
    EXPECT_NE((result.out + result.err).find("written for another source"), std::string::npos)
        << result.out << result.err;
    expect_exported_disk(out);
}

TEST_F(ExportFiles, ResumeFalseStartsAnInterruptedDiskOver) {
    make_source(true);
    VcsimOptions options;
    options.nfc_rate = 8 * 1024 * 1024;  // 32 MiB take ~4 s: time to interrupt
    start(options);
    const fs::path out = dir_ / "out";
    const fs::path part = out / (kDiskName + ".part");
    {
        std::vector<std::string> args = export_args(out);
        args.insert(args.begin(), {HYPEREXPORT_BINARY, "--no-default-plugin-dirs", "--plugin-dir",
                                   HYPERSDK_TEST_PLUGIN_DIR});
        ProcessOptions options = env();
        options.env["HOME"] = (dir_ / "home").string();
        BackgroundProcess interrupted(args, options);
        bool started = false;
        for (int i = 0; i < 300 && !started; ++i) {
            std::this_thread::sleep_for(100ms);
            std::error_code ec;
            started = fs::file_size(part, ec) > 1024 * 1024 && !ec;
        }
        ASSERT_TRUE(started) << interrupted.err();
        interrupted.send_signal(SIGINT);
        EXPECT_EQ(interrupted.wait(30s).exit_code, 1);
    }
    ASSERT_TRUE(fs::exists(part));
    ASSERT_TRUE(fs::exists(out / (kDiskName + ".resume.json")));

    const auto result = run(export_args(out, {"--resume=false"}));
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_EQ(result.out.find("Resuming"), std::string::npos) << result.out;
    expect_exported_disk(out);
    EXPECT_FALSE(fs::exists(part));
    EXPECT_FALSE(fs::exists(out / (kDiskName + ".resume.json")));
}

TEST_F(ExportFiles, ATruncatedDownloadNeverBecomesADisk) {
    make_source();
    VcsimOptions options;
    options.nfc_truncate = static_cast<int64_t>(fs::file_size(source_) / 2);
    start(options);
    const fs::path out = dir_ / "out";
    const auto result = run(export_args(out));
    EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
    EXPECT_NE(result.err.find("expected " + std::to_string(fs::file_size(source_)) + " bytes"),
              std::string::npos)
        << result.err;
    EXPECT_NE(result.err.find("received " + std::to_string(options.nfc_truncate)), std::string::npos)
        << result.err;
    EXPECT_FALSE(fs::exists(out / kDiskName));
    EXPECT_TRUE(fs::exists(out / (kDiskName + ".part")));
    EXPECT_FALSE(fs::exists(out / "artifact-manifest.json"));
}

}  // namespace
