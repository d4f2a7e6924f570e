// The Azure migration end to end: the real hyperexport binary and Azure
// plugin, Azurite holding qemu-img-made fixed VHDs as page blobs with holes,
// the loopback Entra ID + ARM peer, the real qemu-img converter, and
// `qemu-img compare` as the judge. The peer's own record (GET /_peer/state)
// says what was left behind in "Azure": snapshots, grants, deallocations.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "azure_peers.hpp"
#include "images.hpp"
#include "known_peers.hpp"
#include "process.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using namespace hypersdk::test;
using namespace std::chrono_literals;

namespace {

constexpr uint64_t kOsBytes = 32u << 20;
constexpr uint64_t kDataBytes = 16u << 20;

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::vector<fs::path> files_with_extension(const fs::path& dir, const std::string& extension) {
    std::vector<fs::path> out;
    if (!fs::exists(dir)) return out;
    for (const auto& entry : fs::directory_iterator(dir))
        if (entry.path().extension() == extension) out.push_back(entry.path());
    std::sort(out.begin(), out.end());
    return out;
}

class ExportAzure : public ::testing::Test {
protected:
    void start(const std::string& faults = "{}", const std::string& power_state = "running") {
        os_vhd_ = make_fixed_vhd(dir_ / "os.raw", kOsBytes);
        data_vhd_ = make_fixed_vhd(dir_ / "data.raw", kDataBytes);
        AzurePeersOptions o;
        AzureVmSpec vm;
        vm.power_state = power_state;
        vm.disks = {{"web-01-os", os_vhd_}, {"web-01-data", data_vhd_, 0}};
        o.vms = {vm};
        o.faults_json = faults;
        peers_ = std::make_unique<AzurePeers>(o);
        fs::create_directories(dir_ / "home");
    }

    ProcessOptions env(const std::string& secret = AzurePeers::kClientSecret) const {
        ProcessOptions options;
        options.env = {{"AZURE_TENANT_ID", AzurePeers::kTenant},
                       {"AZURE_CLIENT_ID", AzurePeers::kClientId},
                       {"AZURE_CLIENT_SECRET", secret},
                       {"AZURE_SUBSCRIPTION_ID", AzurePeers::kSubscription},
                       {"AZURE_AUTHORITY_HOST", peers_->arm_url()},
                       {"PATH", "/usr/bin:/bin"},
                       {"HOME", (dir_ / "home").string()},
                       {"no_proxy", "127.0.0.1"}};
        options.unset_env = {"AZURE_RESOURCE_GROUP", "HYPERSDK_PLUGIN_PATH", "https_proxy", "HTTPS_PROXY"};
        options.timeout = 240s;
        return options;
    }

    std::vector<std::string> argv(std::vector<std::string> args) const {
        args.insert(args.begin(), {HYPEREXPORT_BINARY, "--no-default-plugin-dirs", "--plugin-dir",
                                   HYPERSDK_TEST_PLUGIN_DIR});
        args.insert(args.end(), {"--arm-endpoint", peers_->arm_url(), "--ca-file", peers_->ca_bundle()});
        return args;
    }

    // `debug`: the global --log-level debug, which goes before the command's flags.
    std::vector<std::string> export_args(std::vector<std::string> more = {}, bool debug = false) const {
        std::vector<std::string> args = {"--provider",       "azure",      "--vm",     "web-01",
                                         "--resource-group", "rg-migrate", "--output", out_.string()};
        args.insert(args.end(), more.begin(), more.end());
        if (debug) args.insert(args.begin(), {"--log-level", "debug"});
        return args;
    }

    ProcessResult hyperexport(std::vector<std::string> args, const ProcessOptions& options) const {
        return run_process(argv(std::move(args)), options);
    }

    void expect_nothing_left_in_azure(const std::string& state) const {
        EXPECT_NE(state.find("\"snapshots\":{}"), std::string::npos) << state;
        EXPECT_NE(state.find("\"grants\":{}"), std::string::npos) << state;
        EXPECT_NE(state.find("\"deallocated\":[]"), std::string::npos) << "the VM was changed: " << state;
    }

    void expect_no_secret(const ProcessResult& r) const {
        EXPECT_EQ(r.out.find(AzurePeers::kClientSecret), std::string::npos);
        EXPECT_EQ(r.err.find(AzurePeers::kClientSecret), std::string::npos);
        EXPECT_EQ(r.err.find("sig="), std::string::npos) << "a SAS signature was printed";
    }

    TempDir tmp_;
    fs::path dir_ = tmp_.path();
    fs::path out_ = tmp_.path() / "out";
    fs::path os_vhd_, data_vhd_;
    std::unique_ptr<AzurePeers> peers_;
};

}  // namespace

TEST_F(ExportAzure, ExportsARunningVmFromSnapshotsConvertsAndCleansUp) {
    start();
    const auto result = hyperexport(
        export_args({"--convert", "--converter", "qemu-img", "--fix=false", "--verify-manifest"}, true),
        env());
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    expect_no_secret(result);
    EXPECT_NE(result.out.find("SUCCESS"), std::string::npos) << result.out;

    const auto vhds = files_with_extension(out_, ".vhd");
    ASSERT_EQ(vhds.size(), 2u) << result.out;
    EXPECT_TRUE(files_with_extension(out_, ".part").empty());
    // disk-0 is the OS disk, disk-1 the data disk: the blobs exactly, holes left as holes.
    EXPECT_EQ(sha256_of_file(vhds[0]), sha256_of_file(os_vhd_));
    EXPECT_EQ(sha256_of_file(vhds[1]), sha256_of_file(data_vhd_));
    for (const auto& vhd : vhds) {
        struct stat st {};
        ASSERT_EQ(::stat(vhd.c_str(), &st), 0);
        EXPECT_LT(static_cast<uint64_t>(st.st_blocks) * 512, fs::file_size(vhd) / 4)
            << vhd << " is not sparse";
    }
    const auto qcow2s = files_with_extension(out_, ".qcow2");
    ASSERT_EQ(qcow2s.size(), 2u) << result.out;
    std::string detail;
    EXPECT_TRUE(images_identical(qcow2s[0], "qcow2", dir_ / "os.raw", "raw", &detail)) << detail;
    EXPECT_TRUE(images_identical(qcow2s[1], "qcow2", dir_ / "data.raw", "raw", &detail)) << detail;

    const fs::path manifest = out_ / "artifact-manifest.json";
    ASSERT_TRUE(fs::exists(manifest));
    const std::string text = read_text(manifest);
    EXPECT_EQ(text.find(AzurePeers::kClientSecret), std::string::npos);
    EXPECT_EQ(text.find("sig="), std::string::npos);
    const auto schema =
        run_process({"python3", "-c",
                     "import json,sys,jsonschema;"
                     "jsonschema.validate(json.load(open(sys.argv[1])),json.load(open(sys.argv[2])))",
                     manifest.string(), HYPERSDK_MANIFEST_SCHEMA});
    EXPECT_EQ(schema.exit_code, 0) << schema.err;
    EXPECT_NE(text.find("\"provider\": \"azure\""), std::string::npos) << text;
    EXPECT_NE(text.find("\"source_format\": \"vhd\""), std::string::npos) << text;
    EXPECT_NE(text.find("crash-consistent"), std::string::npos) << text;
    EXPECT_NE(text.find("azure-snapshot-sas"), std::string::npos) << text;
    const auto verify = run_process({HYPEREXPORT_BINARY, "manifest", "verify", manifest.string()}, env());
    EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;

    const std::string state = peers_->state();
    expect_nothing_left_in_azure(state);
    EXPECT_NE(state.find("\"deleted_snapshots\":[\"web-01-data-hyperexport-"), std::string::npos) << state;
}

TEST_F(ExportAzure, RawFormatIsTheDiskWithoutItsFooter) {
    start();
    const auto result = hyperexport(export_args({"--azure-format", "raw"}), env());
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    const auto raws = files_with_extension(out_, ".raw");
    ASSERT_EQ(raws.size(), 2u);
    EXPECT_EQ(fs::file_size(raws[0]), kOsBytes);
    EXPECT_EQ(sha256_of_file(raws[0]), sha256_of_file(dir_ / "os.raw"));
    EXPECT_EQ(sha256_of_file(raws[1]), sha256_of_file(dir_ / "data.raw"));
    EXPECT_NE(read_text(out_ / "artifact-manifest.json").find("\"source_format\": \"raw\""),
              std::string::npos);
}

TEST_F(ExportAzure, AWrongClientSecretIsReportedAsACredentialsProblem) {
    start();
    const auto result = hyperexport(export_args(), env("not-the-secret-4711"));
    EXPECT_NE(result.exit_code, 0);
    EXPECT_NE(result.err.find("AADSTS7000215"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("AZURE_CLIENT_SECRET"), std::string::npos) << result.err;
    EXPECT_EQ(result.err.find("not-the-secret-4711"), std::string::npos) << result.err;
    EXPECT_EQ(result.out.find("not-the-secret-4711"), std::string::npos) << result.out;
}

TEST_F(ExportAzure, NoSnapshotIsRefusedForARunningVmWithoutPowerOff) {
    start();
    const auto result = hyperexport(export_args({"--no-snapshot"}), env());
    EXPECT_NE(result.exit_code, 0);
    EXPECT_NE(result.err.find("--power-off"), std::string::npos) << result.err;
    const std::string state = peers_->state();
    expect_nothing_left_in_azure(state);
    EXPECT_NE(state.find("\"sas_issued\":0"), std::string::npos) << state;
}

TEST_F(ExportAzure, NoSnapshotWithPowerOffDeallocatesAndReadsTheDisks) {
    start();
    const auto result = hyperexport(export_args({"--no-snapshot", "--power-off"}), env());
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    const auto vhds = files_with_extension(out_, ".vhd");
    ASSERT_EQ(vhds.size(), 2u);
    EXPECT_EQ(sha256_of_file(vhds[0]), sha256_of_file(os_vhd_));
    const std::string state = peers_->state();
    EXPECT_NE(state.find("\"deallocated\":[\"web-01\"]"), std::string::npos) << state;
    EXPECT_NE(state.find("\"grants\":{}"), std::string::npos) << state;
    EXPECT_NE(state.find("\"snapshots\":{}"), std::string::npos) << state;
    EXPECT_NE(read_text(out_ / "artifact-manifest.json").find("azure-disk-sas"), std::string::npos);
}

TEST_F(ExportAzure, AFailedSnapshotIsReportedAndCleanedUp) {
    start(R"({"fail_snapshot": true})");
    const auto result = hyperexport(export_args(), env());
    EXPECT_NE(result.exit_code, 0);
    EXPECT_NE(result.err.find("InternalDiskManagementError"), std::string::npos) << result.err;
    const std::string state = peers_->state();
    expect_nothing_left_in_azure(state);
    EXPECT_NE(state.find("\"deleted_snapshots\":[\"web-01-os-hyperexport-"), std::string::npos) << state;
    EXPECT_FALSE(fs::exists(out_ / "artifact-manifest.json"));
}

TEST_F(ExportAzure, ThrottlingIsWaitedOut) {
    start(R"({"throttle": {"count": 3, "retry_after": 1}})");
    const auto result = hyperexport(export_args(), env());
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_NE(peers_->state().find("\"throttled\":3"), std::string::npos);
}

TEST_F(ExportAzure, CtrlCRevokesAccessAndDeletesTheSnapshots) {
    start(R"({"blob_proxy": {"delay_ms": 1500}})");  // slow blob reads, so Ctrl-C lands mid-download
    {
        BackgroundProcess run(argv(export_args({}, true)), env());
        bool granted = false;
        for (int i = 0; i < 200 && !granted; ++i) {  // at most 20 s
            granted = peers_->state().find("\"grants\":{\"/subscriptions") != std::string::npos;
            if (!granted) std::this_thread::sleep_for(100ms);
        }
        ASSERT_TRUE(granted) << run.err();
        std::this_thread::sleep_for(500ms);
        run.send_signal(SIGINT);
        const auto result = run.wait(60s);
        EXPECT_FALSE(result.timed_out);
        EXPECT_NE(result.exit_code, 0);
        EXPECT_NE(result.err.find("cancelled"), std::string::npos) << result.err;
    }
    const std::string state = peers_->state();
    expect_nothing_left_in_azure(state);
    EXPECT_NE(state.find("\"ended_grants\":[\"web-01-os-hyperexport-"), std::string::npos) << state;
    EXPECT_NE(state.find("\"deleted_snapshots\":["), std::string::npos) << state;
    EXPECT_FALSE(fs::exists(out_ / "artifact-manifest.json"));
}

TEST_F(ExportAzure, VmsListsPowerStateAndDiskSizes) {
    start();
    const auto result =
        hyperexport({"vms", "--provider", "azure", "--resource-group", "rg-migrate", "--json"}, env());
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_NE(result.out.find("web-01"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("poweredOn"), std::string::npos) << result.out;
    // ARM states disk sizes in whole GiB: 1 + 1 for the two small test disks.
    EXPECT_NE(result.out.find("2147483648"), std::string::npos) << result.out;
}

TEST_F(ExportAzure, KeepSnapshotsKeepsThemAndSaysWhich) {
    start();
    const auto result = hyperexport(export_args({"--keep-snapshots"}), env());
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    const std::string state = peers_->state();
    EXPECT_NE(state.find("\"grants\":{}"), std::string::npos) << state;
    EXPECT_NE(state.find("\"deleted_snapshots\":[]"), std::string::npos) << state;
    EXPECT_NE(state.find("snapshots/web-01-os-hyperexport-"), std::string::npos) << state;
    EXPECT_NE(read_text(out_ / "artifact-manifest.json").find("snapshot kept (--keep-snapshots)"),
              std::string::npos);
}

// --disk-sas-url-file: a user who already holds SAS URLs needs no credentials
// and no ARM; the URLs (secrets) never show in the output or the manifest.
TEST_F(ExportAzure, SasUrlsFromAFileNeedNoCredentials) {
    start();
    const auto sas =
        run_node_script(peer_scripts_dir() / "azure/sas_url.cjs",
                        {peers_->azurite_url(), "disks", "web-01-os.vhd", "600"}, peers_->ca_bundle());
    ASSERT_EQ(sas.exit_code, 0) << sas.err;
    const std::string url = sas.out.substr(0, sas.out.find('\n'));
    const fs::path list = dir_ / "sas-urls.txt";
    std::ofstream(list) << "# the OS disk\n" << url << "\n";
    fs::permissions(list, fs::perms::owner_read | fs::perms::owner_write);
    ProcessOptions options = env();
    options.env.erase("AZURE_CLIENT_SECRET");
    options.unset_env.insert(options.unset_env.end(), {"AZURE_TENANT_ID", "AZURE_CLIENT_ID",
                                                       "AZURE_CLIENT_SECRET", "AZURE_SUBSCRIPTION_ID"});
    for (const char* name : {"AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_SUBSCRIPTION_ID"})
        options.env.erase(name);
    const auto result =
        hyperexport({"--provider", "azure", "--vm", "legacy-01", "--disk-sas-url-file", list.string(),
                     "--output", out_.string(), "--convert", "--converter", "qemu-img", "--fix=false"},
                    options);
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    const fs::path vhd = out_ / "legacy-01-disk-0.vhd";
    ASSERT_TRUE(fs::exists(vhd)) << result.out;
    EXPECT_EQ(sha256_of_file(vhd), sha256_of_file(os_vhd_));
    const std::string signature = url.substr(url.find("sig="));
    EXPECT_EQ(result.out.find(signature), std::string::npos);
    EXPECT_EQ(result.err.find(signature), std::string::npos);
    const std::string manifest = read_text(out_ / "artifact-manifest.json");
    EXPECT_EQ(manifest.find("sig="), std::string::npos) << manifest;
    EXPECT_NE(manifest.find("azure-sas-url"), std::string::npos) << manifest;
    EXPECT_NE(peers_->state().find("\"arm_calls\":0"), std::string::npos) << "ARM was asked";
}

TEST_F(ExportAzure, AnExpiredSasUrlFromAFileSaysToGetANewOne) {
    start();
    const auto sas =
        run_node_script(peer_scripts_dir() / "azure/sas_url.cjs",
                        {peers_->azurite_url(), "disks", "web-01-os.vhd", "1"}, peers_->ca_bundle());
    ASSERT_EQ(sas.exit_code, 0) << sas.err;
    const std::string url = sas.out.substr(0, sas.out.find('\n'));
    const fs::path list = dir_ / "sas-urls.txt";
    std::ofstream(list) << url << "\n";
    std::this_thread::sleep_for(2100ms);  // Azurite now refuses it (403)
    const auto result = hyperexport({"--provider", "azure", "--vm", "legacy-01", "--disk-sas-url-file",
                                     list.string(), "--output", out_.string()},
                                    env());
    EXPECT_NE(result.exit_code, 0);
    EXPECT_NE(result.err.find("get a new one"), std::string::npos) << result.err;
    EXPECT_EQ(result.err.find(url.substr(url.find("sig="))), std::string::npos) << result.err;
}

TEST_F(ExportAzure, ASasUrlFileLineThatIsNotAnHttpsUrlIsNamedByItsNumberOnly) {
    start();
    const fs::path list = dir_ / "sas-urls.txt";
    std::ofstream(list) << "# comment\n\nhttp://plain.example/x?sig=s3cr3tvalue\n";
    const auto result = hyperexport({"--provider", "azure", "--vm", "legacy-01", "--disk-sas-url-file",
                                     list.string(), "--output", out_.string()},
                                    env());
    EXPECT_NE(result.exit_code, 0);
    EXPECT_NE(result.err.find("line 3"), std::string::npos) << result.err;
    EXPECT_EQ(result.err.find("s3cr3tvalue"), std::string::npos) << result.err;
}
