// The single-command migration from EC2 end to end: the real hyperexport
// binary, the real AWS plugin, the loopback AWS peer (every signature checked
// by AWS's own signer), the real qemu-img converter, and `qemu-img compare`
// against the images behind the volumes as the judge. Both methods, the
// instance list, and the faults of issue 11 through the whole stack.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <thread>

#include "aws_peer_fixture.hpp"
#include "images.hpp"
#include "process.hpp"

namespace fs = std::filesystem;
using namespace hypersdk::test;
using namespace std::chrono_literals;

namespace {

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::vector<fs::path> with_extension(const fs::path& dir, const std::string& extension) {
    std::vector<fs::path> out;
    if (!fs::exists(dir)) return out;
    for (const auto& entry : fs::directory_iterator(dir))
        if (entry.path().extension() == extension) out.push_back(entry.path());
    std::sort(out.begin(), out.end());
    return out;
}

int count_of(const std::string& text, const std::string& needle) {
    int n = 0;
    for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

class ExportAws : public ::testing::Test {
protected:
    void SetUp() override { fs::create_directories(dir_ / "home"); }

    ProcessOptions env(std::map<std::string, std::string> extra = {}) const {
        ProcessOptions options;
        options.env = peer_->environment();
        options.env["PATH"] = "/usr/bin:/bin";
        options.env["HOME"] = (dir_ / "home").string();
        for (auto& [k, v] : extra) options.env[k] = v;
        options.unset_env = {"AWS_PROFILE",          "AWS_DEFAULT_REGION",          "AWS_SESSION_TOKEN",
                             "AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL_EBS",        "AWS_ENDPOINT_URL_S3",
                             "AWS_CONFIG_FILE",      "AWS_SHARED_CREDENTIALS_FILE", "HYPERSDK_PLUGIN_PATH"};
        // What the test sets is set, never unset.
        std::erase_if(options.unset_env,
                      [&](const std::string& name) { return options.env.count(name) > 0; });
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

    void expect_no_secret(const ProcessResult& r, const fs::path& out) const {
        EXPECT_EQ(r.out.find(kAwsSecretKey), std::string::npos);
        EXPECT_EQ(r.err.find(kAwsSecretKey), std::string::npos);
        if (fs::exists(out / "artifact-manifest.json")) {
            EXPECT_EQ(read_text(out / "artifact-manifest.json").find(kAwsSecretKey), std::string::npos);
        }
    }

    void expect_valid_manifest(const fs::path& out) const {
        const fs::path manifest = out / "artifact-manifest.json";
        ASSERT_TRUE(fs::exists(manifest));
        const auto schema =
            run_process({"python3", "-c",
                         "import json,sys,jsonschema;"
                         "jsonschema.validate(json.load(open(sys.argv[1])),json.load(open(sys.argv[2])))",
                         manifest.string(), HYPERSDK_MANIFEST_SCHEMA});
        EXPECT_EQ(schema.exit_code, 0) << schema.err;
        const auto verify = hyperexport({"manifest", "verify", manifest.string()}, env());
        EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
    }

    // Ctrl-C to an ebs-direct export of web-01: it stops, says so, and deletes both snapshots.
    void interrupt_and_expect_snapshots_deleted(BackgroundProcess& run) const {
        run.send_signal(SIGINT);
        const auto r = run.wait(30s);
        EXPECT_FALSE(r.timed_out);
        EXPECT_NE(r.exit_code, 0);
        EXPECT_NE(r.err.find("cancelled"), std::string::npos) << r.err;
        EXPECT_EQ(count_of(r.err, "deleted snapshot snap-"), 2) << r.err;
        expect_both_snapshots_deleted();
    }

    void expect_both_snapshots_deleted() const {
        const std::string state = peer_->state();
        EXPECT_EQ(count_of(state, R"("deleted":true)"), 2) << state;
        EXPECT_EQ(count_of(state, R"("deleted":false)"), 0) << state;
    }

    // A failed or cancelled export: no disk and no manifest that looks complete.
    static void expect_nothing_committed(const fs::path& out) {
        EXPECT_TRUE(with_extension(out, ".raw").empty()) << "no disk looks complete";
        EXPECT_FALSE(fs::exists(out / "artifact-manifest.json"));
    }

    TempDir dir_;
    std::unique_ptr<AwsPeer> peer_;
};

}  // namespace

TEST_F(ExportAws, EbsDirectOfARunningInstanceToQcow2IsIdenticalAndCleansUp) {
    peer_ = std::make_unique<AwsPeer>();
    // Throttled calls on the way must not matter, mutations included. The gate holds block answers
    // until both snapshots' blocks are requested at once: the two volumes are read concurrently
    // (read one after another, each block would wait out the gate's 20 s and the check below fails).
    peer_->faults(
        R"({"throttle": {"ec2:CreateSnapshots": 3, "ebs:GetSnapshotBlock": 3, "ebs:ListSnapshotBlocks": 3},)"
        R"( "blockGate": {"snapshots": 2, "timeoutMs": 20000}})");
    const fs::path out = dir_ / "out";
    const auto r = hyperexport(
        {"--provider", "aws", "--instance", kWebInstance, "--output", out.string(), "--aws-poll-seconds", "1",
         "--convert", "--converter", "qemu-img", "--fix=false", "--verify-manifest"},
        env());
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    expect_no_secret(r, out);
    EXPECT_NE(r.out.find("SUCCESS"), std::string::npos) << r.out;

    const auto raws = with_extension(out, ".raw");
    const auto qcow2s = with_extension(out, ".qcow2");
    ASSERT_EQ(raws.size(), 2u) << r.out;
    ASSERT_EQ(qcow2s.size(), 2u) << r.out;
    // disk-0 is the root volume, disk-1 the data volume.
    const fs::path sources[] = {peer_->image_of("vol-0aaaaaaaaaaaaaaa1"),
                                peer_->image_of("vol-0aaaaaaaaaaaaaaa2")};
    for (size_t i = 0; i < 2; ++i) {
        std::string detail;
        EXPECT_NE(qcow2s[i].filename().string().find("disk-" + std::to_string(i)), std::string::npos)
            << qcow2s[i];
        EXPECT_TRUE(images_identical(qcow2s[i], "qcow2", sources[i], "raw", &detail))
            << qcow2s[i] << ": " << detail;
        EXPECT_TRUE(images_identical(raws[i], "raw", sources[i], "raw", &detail))
            << raws[i] << ": " << detail;
        struct stat st {};
        ASSERT_EQ(::stat(raws[i].c_str(), &st), 0);
        EXPECT_LT(static_cast<uint64_t>(st.st_blocks) * 512, 64ull << 20)
            << "the raw disk is sparse: " << raws[i];
    }
    expect_valid_manifest(out);
    const std::string manifest = read_text(out / "artifact-manifest.json");
    EXPECT_NE(manifest.find("\"provider\": \"aws\""), std::string::npos) << manifest;
    EXPECT_NE(manifest.find("\"boot_order_hint\": 0"), std::string::npos) << manifest;
    EXPECT_NE(manifest.find("ebs-direct"), std::string::npos) << manifest;
    EXPECT_NE(manifest.find("crash-consistent"), std::string::npos) << manifest;
    EXPECT_NE(manifest.find("0a:1b:2c:3d:4e:5f"), std::string::npos) << manifest;

    const std::string state = peer_->state();
    EXPECT_EQ(count_of(state, R"("deleted":true)"), 2) << "both snapshots were deleted: " << state;
    EXPECT_EQ(count_of(state, R"("deleted":false)"), 0) << state;
    EXPECT_NE(state.find(R"("key":"hypersdk:export")"), std::string::npos)
        << "snapshots are tagged: " << state;
    EXPECT_NE(state.find(R"("signatureFailures":0)"), std::string::npos) << state;
    EXPECT_NE(state.find(R"("ec2:CreateSnapshots":4)"), std::string::npos) << "3 throttled + 1: " << state;
    EXPECT_NE(state.find(R"("maxSnapshotsInFlight":2)"), std::string::npos)
        << "both volumes were read at once: " << state;
    EXPECT_NE(state.find(R"("gateTimeouts":0)"), std::string::npos) << state;
    EXPECT_NE(state.find(R"("instances":[{"id":"i-0123456789abcdef0","state":"running"})"), std::string::npos)
        << "a running instance is exported without stopping it: " << state;
}

TEST_F(ExportAws, ExportTaskByNameTagThroughS3ToQcow2) {
    peer_ = std::make_unique<AwsPeer>();
    const fs::path out = dir_ / "out";
    const auto r =
        hyperexport({"--provider", "aws", "--vm", "db-01", "--output", out.string(), "--aws-method",
                     "export-task", "--s3-bucket", "exports", "--s3-prefix", "vms", "--aws-poll-seconds", "1",
                     "--convert", "--converter", "qemu-img", "--fix=false"},
                    env());
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    expect_no_secret(r, out);
    const auto vmdks = with_extension(out, ".vmdk");
    const auto qcow2s = with_extension(out, ".qcow2");
    ASSERT_EQ(vmdks.size(), 1u) << r.out;
    ASSERT_EQ(qcow2s.size(), 1u) << r.out;
    std::string detail;
    EXPECT_TRUE(
        images_identical(qcow2s[0], "qcow2", peer_->image_of("vol-0bbbbbbbbbbbbbbb1"), "raw", &detail))
        << detail;
    expect_valid_manifest(out);
    EXPECT_NE(read_text(out / "artifact-manifest.json").find("export-task"), std::string::npos);
    const std::string state = peer_->state();
    EXPECT_NE(state.find(R"("state":"completed","bucket":"exports","key":"vms/)"), std::string::npos)
        << state;
    EXPECT_NE(state.find(R"("objects":[])"), std::string::npos)
        << "the exported object was deleted: " << state;
}

TEST_F(ExportAws, VmsListsInstancesWithNameStateTypeAndVolumes) {
    peer_ = std::make_unique<AwsPeer>();
    const auto table = hyperexport({"vms", "--provider", "aws"}, env());
    ASSERT_EQ(table.exit_code, 0) << table.out << table.err;
    EXPECT_NE(table.out.find("web-01"), std::string::npos) << table.out;
    EXPECT_NE(table.out.find("db-01"), std::string::npos) << table.out;
    const auto json = hyperexport({"vms", "--provider", "aws", "--json"}, env());
    ASSERT_EQ(json.exit_code, 0) << json.err;
    EXPECT_NE(json.out.find(kWebInstance), std::string::npos) << json.out;
    EXPECT_NE(json.out.find("poweredOn"), std::string::npos) << json.out;
    EXPECT_NE(json.out.find(R"("disk_bytes": 2147483648)"), std::string::npos)
        << "two 1 GiB volumes: " << json.out;
    EXPECT_NE(json.out.find(R"("memory_mb": 8192)"), std::string::npos)
        << "from DescribeInstanceTypes: " << json.out;
}

TEST_F(ExportAws, AWrongSecretKeyIsReportedAsACredentialsProblem) {
    peer_ = std::make_unique<AwsPeer>();
    const std::string wrong = "wrong/Secret+Key=NotTheOne000000000000000";
    const fs::path out = dir_ / "out";
    const auto r = hyperexport({"--provider", "aws", "--instance", kWebInstance, "--output", out.string()},
                               env({{"AWS_SECRET_ACCESS_KEY", wrong}}));
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("SignatureDoesNotMatch"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("refused the credentials"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find(wrong), std::string::npos) << r.err;
    EXPECT_EQ(r.out.find(wrong), std::string::npos) << r.out;
}

TEST_F(ExportAws, ASnapshotInErrorIsReportedAndTheSnapshotsDeleted) {
    peer_ = std::make_unique<AwsPeer>();
    peer_->faults(R"({"snapshotError": "Snapshot creation failed: the volume is impaired"})");
    const fs::path out = dir_ / "out";
    const auto r = hyperexport({"--provider", "aws", "--instance", kWebInstance, "--output", out.string(),
                                "--aws-poll-seconds", "1"},
                               env());
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("ended in state error: Snapshot creation failed: the volume is impaired"),
              std::string::npos)
        << r.err;
    const std::string state = peer_->state();
    EXPECT_EQ(count_of(state, R"("deleted":true)"), 2) << state;
    EXPECT_FALSE(fs::exists(out / "artifact-manifest.json"));
}

TEST_F(ExportAws, CtrlCDeletesTheSnapshots) {
    peer_ = std::make_unique<AwsPeer>();
    peer_->faults(R"({"holdSnapshots": true})");
    const fs::path out = dir_ / "out";
    BackgroundProcess run(argv({"--log-level", "info", "--provider", "aws", "--instance", kWebInstance,
                                "--output", out.string(), "--aws-poll-seconds", "1"}),
                          env());
    ASSERT_TRUE(run.wait_for_output("snapshots:", 60s)) << run.err();
    interrupt_and_expect_snapshots_deleted(run);
}

TEST_F(ExportAws, CtrlCWhileBothVolumesAreReadDeletesTheSnapshotsAndCommitsNoDisk) {
    peer_ = std::make_unique<AwsPeer>();
    // Block answers are held (the gate waits for a third snapshot that never comes), so the
    // interrupt lands while both volumes are being read.
    peer_->faults(R"({"blockGate": {"snapshots": 3, "timeoutMs": 60000}})");
    const fs::path out = dir_ / "out";
    BackgroundProcess run(argv({"--log-level", "info", "--provider", "aws", "--instance", kWebInstance,
                                "--output", out.string(), "--aws-poll-seconds", "1"}),
                          env());
    ASSERT_TRUE(run.wait_for_output("(vol-0aaaaaaaaaaaaaaa1, ", 60s)) << run.err();
    ASSERT_TRUE(run.wait_for_output("(vol-0aaaaaaaaaaaaaaa2, ", 30s)) << run.err();
    bool both_in_flight = false;
    for (int i = 0; i < 100 && !both_in_flight; ++i) {
        both_in_flight = peer_->state().find(R"("maxSnapshotsInFlight":2)") != std::string::npos;
        if (!both_in_flight) std::this_thread::sleep_for(100ms);
    }
    ASSERT_TRUE(both_in_flight) << peer_->state();
    interrupt_and_expect_snapshots_deleted(run);
    expect_nothing_committed(out);
}

TEST_F(ExportAws, ABadBlockOnOneVolumeStopsTheOtherAndDeletesTheSnapshots) {
    peer_ = std::make_unique<AwsPeer>();
    // Both volumes are read at once (the gate), and block 14 of the data volume never matches its
    // checksum: the export fails, the root volume's read stops with it, and nothing is committed.
    peer_->faults(R"({"blockGate": {"snapshots": 2, "timeoutMs": 20000},)"
                  R"( "corruptBlocks": {"vol-0aaaaaaaaaaaaaaa2:14": 100}})");
    const fs::path out = dir_ / "out";
    const auto r = hyperexport({"--provider", "aws", "--instance", kWebInstance, "--output", out.string(),
                                "--aws-poll-seconds", "1"},
                               env());
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("x-amz-Checksum"), std::string::npos) << r.err;
    EXPECT_NE(peer_->state().find(R"("maxSnapshotsInFlight":2)"), std::string::npos) << peer_->state();
    expect_both_snapshots_deleted();
    expect_nothing_committed(out);
}

TEST_F(ExportAws, CtrlCCancelsTheExportTask) {
    peer_ = std::make_unique<AwsPeer>();
    peer_->faults(R"({"holdExports": true})");
    const fs::path out = dir_ / "out";
    BackgroundProcess run(
        argv({"--log-level", "info", "--provider", "aws", "--vm", kDbInstance, "--output", out.string(),
              "--aws-method", "export-task", "--s3-bucket", "exports", "--aws-poll-seconds", "1"}),
        env());
    ASSERT_TRUE(run.wait_for_output("export task export-", 60s)) << run.err();
    run.send_signal(SIGINT);
    const auto r = run.wait(30s);
    EXPECT_FALSE(r.timed_out);
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("cancelled export task export-i-"), std::string::npos) << r.err;
    const std::string state = peer_->state();
    EXPECT_NE(state.find(R"("exportTasks":[{"id":"export-i-)"), std::string::npos) << state;
    EXPECT_NE(state.find(R"("state":"cancelled")"), std::string::npos) << state;
    EXPECT_NE(state.find(R"("objects":[])"), std::string::npos) << state;
}

TEST_F(ExportAws, ExportTaskRefusesARunningInstanceWithoutPowerOffAndSeveralVolumes) {
    peer_ = std::make_unique<AwsPeer>();
    const auto r = hyperexport({"--provider", "aws", "--vm", "web-01", "--output", (dir_ / "out").string(),
                                "--aws-method", "export-task", "--s3-bucket", "exports"},
                               env());
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("use --aws-method ebs-direct"), std::string::npos) << r.err;
    EXPECT_EQ(peer_->state().find("export-i-"), std::string::npos) << "no export task was started";
}
