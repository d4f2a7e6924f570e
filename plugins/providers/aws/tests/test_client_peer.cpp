// The AWS client against the loopback AWS peer, which checks every request's
// SigV4 signature with AWS's own signer: EC2 calls and paging, EBS direct
// reads of a snapshot into a sparse file (only allocated blocks fetched,
// each checksum checked), an export task's VMDK read from S3, and the faults
// of issue 11 (throttling, a corrupt block, a connection dropped mid-block,
// a wrong secret key, a missing permission).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <thread>

#include "aws_peer_fixture.hpp"
#include "ebs.hpp"
#include "ec2.hpp"
#include "file_sink.hpp"
#include "images.hpp"
#include "known_peers.hpp"
#include "s3.hpp"
#include "waits.hpp"

namespace aws = hypersdk::aws;
using hypersdk::test::AwsPeer;

namespace {

aws::Transport fast_retries() {
    aws::Transport t;
    t.retry.base_delay = std::chrono::milliseconds(5);
    t.retry.max_delay = std::chrono::milliseconds(20);
    return t;
}

std::vector<aws::Snapshot> completed_snapshots(aws::Ec2& ec2, const std::string& instance) {
    auto created = ec2.create_snapshots(instance, "hypersdk test", {{"hypersdk:test", "1"}});
    std::vector<std::string> ids;
    for (const auto& s : created) ids.push_back(s.id);
    for (int i = 0; i < 20; ++i) {  // bounded: the peer completes after 2 describes
        auto now = ec2.describe_snapshots(ids);
        bool done = true;
        for (const auto& s : now) done = done && s.state == "completed";
        if (done) return now;
    }
    throw std::runtime_error("snapshots did not complete");
}

// How often the peer saw `operation` ("ec2:DescribeInstances"), from its state.
int calls(const std::string& state, const std::string& operation) {
    const size_t section = state.find("\"byOperation\":{");
    if (section == std::string::npos) return 0;
    const std::string counters = state.substr(section, state.find('}', section) - section);
    const std::string key = "\"" + operation + "\":";
    const size_t at = counters.find(key);
    return at == std::string::npos ? 0 : std::stoi(counters.substr(at + key.size()));
}

int count_in(const std::string& text, const std::string& needle) {
    int n = 0;
    for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

}  // namespace

class AwsClientPeer : public ::testing::Test {
protected:
    static void SetUpTestSuite() { peer_ = new AwsPeer(); }
    static void TearDownTestSuite() {
        delete peer_;
        peer_ = nullptr;
    }
    static AwsPeer* peer_;
    hypersdk::test::TempDir dir_;
};
AwsPeer* AwsClientPeer::peer_ = nullptr;

TEST_F(AwsClientPeer, DescribesInstancesOverEveryPageVolumesAndTypes) {
    aws::Ec2 ec2(peer_->config(), fast_retries());
    const auto all = ec2.describe_instances();
    ASSERT_EQ(all.size(), 2u) << "the peer pages one instance at a time; both pages must be read";
    const auto web = ec2.find_instances_by_name("web-01");
    ASSERT_EQ(web.size(), 1u);
    EXPECT_EQ(web[0].id, hypersdk::test::kWebInstance);
    EXPECT_EQ(web[0].state, "running");
    EXPECT_EQ(web[0].boot_mode, "uefi");
    ASSERT_EQ(web[0].block_devices.size(), 2u);
    EXPECT_EQ(web[0].root_device_name, "/dev/xvda");
    ASSERT_EQ(web[0].nics.size(), 2u);
    EXPECT_EQ(web[0].nics[1].mac, "0a:1b:2c:3d:4e:60");
    const auto volumes = ec2.describe_volumes({web[0].block_devices[0].volume_id});
    ASSERT_EQ(volumes.size(), 1u);
    EXPECT_EQ(volumes[0].size_gib, 1u);
    const auto type = ec2.describe_instance_type("t3.medium");
    EXPECT_EQ(type.vcpus, 2);
    EXPECT_EQ(type.memory_mib, 4096u);
    try {
        ec2.describe_instances({"i-00000000000000000"});
        FAIL() << "an unknown instance was found";
    } catch (const aws::Error& e) {
        EXPECT_EQ(e.kind(), aws::ErrorKind::not_found);
        EXPECT_NE(std::string(e.what()).find("InvalidInstanceID.NotFound"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("(ec2:DescribeInstances)"), std::string::npos) << e.what();
    }
}

TEST_F(AwsClientPeer, ReadsASnapshotWithEbsDirectFetchingOnlyAllocatedBlocks) {
    aws::Ec2 ec2(peer_->config(), fast_retries());
    aws::Ebs ebs(peer_->config(), fast_retries());
    for (const auto& snapshot : completed_snapshots(ec2, hypersdk::test::kWebInstance)) {
        const auto blocks = ebs.list_snapshot_blocks(snapshot.id);
        EXPECT_EQ(blocks.block_size, 512u * 1024);
        EXPECT_EQ(blocks.volume_size_bytes, 1ull << 30);
        EXPECT_GT(blocks.pages, 1) << "the peer pages blocks two at a time";
        EXPECT_LT(blocks.blocks.size(), 16u) << "most of the volume is a hole";
        const auto out = dir_.path() / (snapshot.id + ".raw");
        hypersdk::test::FileSink sink(out);
        const auto result = ebs.download(snapshot.id, blocks, sink, {4, nullptr, nullptr});
        EXPECT_EQ(result.size, 1ull << 30);
        EXPECT_EQ(result.bytes_fetched, blocks.blocks.size() * blocks.block_size)
            << "only allocated blocks travel";
        EXPECT_EQ(result.zero_bytes, (1ull << 30) - result.bytes_fetched);
        std::string detail;
        EXPECT_TRUE(
            hypersdk::test::images_identical(out, "raw", peer_->image_of(snapshot.volume_id), "raw", &detail))
            << detail;
        struct stat st {};
        ASSERT_EQ(::stat(out.c_str(), &st), 0);
        EXPECT_LT(static_cast<uint64_t>(st.st_blocks) * 512, 64ull << 20) << "the copy is sparse";
        ec2.delete_snapshot(snapshot.id);
    }
}

TEST_F(AwsClientPeer, ThrottledThreeTimesThenSucceeds) {
    peer_->faults(R"({"throttle": {"ec2:DescribeInstanceTypes": 3, "ebs:ListSnapshotBlocks": 3}})");
    aws::Ec2 ec2(peer_->config(), fast_retries());
    const std::string before = peer_->state();
    EXPECT_EQ(ec2.describe_instance_type("m5.large").memory_mib, 8192u);
    aws::Ebs ebs(peer_->config(), fast_retries());
    const auto snapshots = completed_snapshots(ec2, hypersdk::test::kDbInstance);
    const auto listing = ebs.list_snapshot_blocks(snapshots[0].id);
    EXPECT_FALSE(listing.blocks.empty());
    const std::string after = peer_->state();
    EXPECT_EQ(calls(after, "ec2:DescribeInstanceTypes") - calls(before, "ec2:DescribeInstanceTypes"), 4)
        << "3 throttled + 1: " << after;
    EXPECT_EQ(calls(after, "ebs:ListSnapshotBlocks") - calls(before, "ebs:ListSnapshotBlocks"),
              3 + listing.pages)
        << "3 throttled + every page: " << after;
    EXPECT_NE(after.find(R"("throttle":{"ec2:DescribeInstanceTypes":0,"ebs:ListSnapshotBlocks":0})"),
              std::string::npos)
        << after;
    ec2.delete_snapshot(snapshots[0].id);
}

TEST_F(AwsClientPeer, ACorruptBlockIsFetchedAgainAndADroppedOneToo) {
    aws::Ec2 ec2(peer_->config(), fast_retries());
    aws::Ebs ebs(peer_->config(), fast_retries());
    const auto snapshots = completed_snapshots(ec2, hypersdk::test::kDbInstance);
    const auto blocks = ebs.list_snapshot_blocks(snapshots[0].id);
    ASSERT_GE(blocks.blocks.size(), 2u);
    const uint64_t corrupt = blocks.blocks[0].index;
    const uint64_t dropped = blocks.blocks[1].index;
    peer_->faults(R"({"corruptBlocks": {")" + std::to_string(corrupt) + R"(": 1}, "dropBlocks": {")" +
                  std::to_string(dropped) + R"(": 1}})");
    const auto out = dir_.path() / "db.raw";
    hypersdk::test::FileSink sink(out);
    const auto result = ebs.download(snapshots[0].id, blocks, sink, {4, nullptr, nullptr});
    EXPECT_EQ(result.integrity_failures, 1) << "the corrupt block was rejected once";
    std::string detail;
    EXPECT_TRUE(
        hypersdk::test::images_identical(out, "raw", peer_->image_of(snapshots[0].volume_id), "raw", &detail))
        << "the corrupt bytes never reached the file: " << detail;
    const std::string state = peer_->state();
    EXPECT_NE(state.find(R"("corruptBlocks":{")" + std::to_string(corrupt) + R"(":0})"), std::string::npos)
        << state;
    EXPECT_NE(state.find(R"("dropBlocks":{")" + std::to_string(dropped) + R"(":0})"), std::string::npos)
        << state;
    ec2.delete_snapshot(snapshots[0].id);
}

TEST_F(AwsClientPeer, ABlockThatNeverMatchesItsChecksumFailsTheDownload) {
    aws::Ec2 ec2(peer_->config(), fast_retries());
    aws::Ebs ebs(peer_->config(), fast_retries());
    const auto snapshots = completed_snapshots(ec2, hypersdk::test::kDbInstance);
    const auto blocks = ebs.list_snapshot_blocks(snapshots[0].id);
    peer_->faults(R"({"corruptBlocks": {")" + std::to_string(blocks.blocks[0].index) + R"(": 10}})");
    hypersdk::test::FileSink sink(dir_.path() / "bad.raw");
    try {
        ebs.download(snapshots[0].id, blocks, sink, {2, nullptr, nullptr});
        FAIL() << "a block that never matched its checksum was accepted";
    } catch (const aws::Error& e) {
        EXPECT_EQ(e.kind(), aws::ErrorKind::integrity) << e.what();
        EXPECT_NE(std::string(e.what()).find("x-amz-Checksum"), std::string::npos) << e.what();
    }
    EXPECT_LT(sink.offset(), blocks.blocks[0].index * blocks.block_size + 1)
        << "nothing past the bad block was written";
    peer_->faults(R"({"corruptBlocks": {")" + std::to_string(blocks.blocks[0].index) + R"(": 0}})");
    ec2.delete_snapshot(snapshots[0].id);
}

TEST_F(AwsClientPeer, AWrongSecretKeyIsACredentialsProblemAndNeverShown) {
    const std::string wrong = "wrong/Secret+Key=NotTheOne000000000000000";
    aws::Ec2 ec2(peer_->config(wrong), fast_retries());
    try {
        ec2.describe_instances();
        FAIL() << "a wrong secret key was accepted";
    } catch (const aws::Error& e) {
        const std::string what = e.what();
        EXPECT_EQ(e.kind(), aws::ErrorKind::credentials) << what;
        EXPECT_EQ(e.code(), "SignatureDoesNotMatch") << what;
        EXPECT_NE(what.find("SignatureDoesNotMatch: "), std::string::npos) << what;
        EXPECT_NE(what.find("(ec2:DescribeInstances)"), std::string::npos) << what;
        EXPECT_NE(what.find("AWS_SECRET_ACCESS_KEY"), std::string::npos) << what;
        EXPECT_EQ(what.find(wrong), std::string::npos) << what;
        EXPECT_EQ(what.find(hypersdk::test::kAwsSecretKey), std::string::npos) << what;
    }
}

TEST_F(AwsClientPeer, AMissingPermissionNamesTheAction) {
    peer_->faults(R"({"deny": ["ec2:CreateSnapshots"]})");
    aws::Ec2 ec2(peer_->config(), fast_retries());
    try {
        ec2.create_snapshots(hypersdk::test::kWebInstance, "x", {});
        FAIL() << "a denied action succeeded";
    } catch (const aws::Error& e) {
        EXPECT_EQ(e.kind(), aws::ErrorKind::permission);
        EXPECT_EQ(std::string(e.what()).rfind(
                      "UnauthorizedOperation: You are not authorized to perform this operation. "
                      "(ec2:CreateSnapshots)",
                      0),
                  0u)
            << e.what();
    }
    peer_->faults(R"({"deny": []})");
}

TEST_F(AwsClientPeer, ExportTaskWritesAVmdkThatIsReadFromS3InRangesAndDeleted) {
    aws::Ec2 ec2(peer_->config(), fast_retries());
    aws::S3 s3(peer_->config(), fast_retries());
    auto task = ec2.create_instance_export_task(hypersdk::test::kDbInstance, "exports", "vms/", "test");
    EXPECT_EQ(task.s3_key, "vms/" + task.id + ".vmdk");
    for (int i = 0; i < 300 && task.state == "active"; ++i) {  // bounded: qemu-img takes about a second
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        task = ec2.describe_export_task(task.id);
    }
    ASSERT_EQ(task.state, "completed") << task.status_message;
    const auto info = s3.head_object(task.s3_bucket, task.s3_key);
    EXPECT_GT(info.size, 0u);
    const auto out = dir_.path() / "db.vmdk";
    {
        hypersdk::test::FileSink sink(out);
        const auto r = s3.download(task.s3_bucket, task.s3_key, info, sink, {3, 64 * 1024, nullptr, nullptr});
        EXPECT_GT(r.ranges, 1) << "the object travels in several ranges";
    }
    std::string detail;
    EXPECT_TRUE(hypersdk::test::images_identical(out, "vmdk", peer_->image_of("vol-0bbbbbbbbbbbbbbb1"), "raw",
                                                 &detail))
        << detail;
    s3.delete_object(task.s3_bucket, task.s3_key);
    EXPECT_EQ(count_in(peer_->state(), task.s3_key), 1)
        << "only the task still names the key: " << peer_->state();
    try {
        s3.head_object(task.s3_bucket, task.s3_key);
        FAIL() << "the object is still there";
    } catch (const aws::Error& e) {
        EXPECT_EQ(e.kind(), aws::ErrorKind::not_found) << e.what();
    }
}

// The peer itself, driven by AWS's own SDKs (tests/peers/conformance/aws.cjs),
// so it cannot drift from the wire format the real services speak.
TEST(AwsPeerConformance, AgainstTheAwsSdksForEc2EbsAndS3) {
    AwsPeer peer;
    const auto r = hypersdk::test::run_node_script(
        hypersdk::test::peer_scripts_dir() / "conformance/aws.cjs",
        {peer.url(), hypersdk::test::kAwsRegion, hypersdk::test::kAwsAccessKeyId,
         hypersdk::test::kAwsSecretKey, hypersdk::test::kWebInstance,
         peer.image_of("vol-0aaaaaaaaaaaaaaa1").string()},
        peer.ca_file(), std::chrono::seconds(120));
    EXPECT_FALSE(r.timed_out);
    EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
    EXPECT_NE(r.out.find(R"("ok":true)"), std::string::npos) << r.out << r.err;
    EXPECT_NE(peer.state().find(R"("signatureFailures":3)"), std::string::npos)
        << "only the three wrong-key requests failed their signature check: " << peer.state();
}

TEST_F(AwsClientPeer, ASnapshotEndingInErrorSurfacesAwsMessage) {
    peer_->faults(R"({"snapshotError": "The volume is in a degraded state"})");
    aws::Ec2 ec2(peer_->config(), fast_retries());
    const auto created = ec2.create_snapshots(hypersdk::test::kDbInstance, "x", {});
    aws::WaitOptions w;
    w.poll = std::chrono::milliseconds(10);
    try {
        aws::wait_for_snapshots(ec2, {created[0].id}, w);
        FAIL() << "a snapshot in error was waited for as if it could complete";
    } catch (const aws::Error& e) {
        EXPECT_EQ(e.kind(), aws::ErrorKind::invalid_state);
        EXPECT_NE(std::string(e.what()).find("ended in state error: The volume is in a degraded state"),
                  std::string::npos)
            << e.what();
    }
    peer_->faults(R"({"snapshotError": null})");
    ec2.delete_snapshot(created[0].id);
}

TEST_F(AwsClientPeer, WaitingStopsWhenCancelledAndReportsProgress) {
    peer_->faults(R"({"holdSnapshots": true})");
    aws::Ec2 ec2(peer_->config(), fast_retries());
    const auto created = ec2.create_snapshots(hypersdk::test::kDbInstance, "x", {});
    aws::WaitOptions w;
    w.poll = std::chrono::milliseconds(50);
    int polls = 0;
    w.progress = [&](const std::string& status, double) {
        ++polls;
        EXPECT_NE(status.find(created[0].id), std::string::npos) << status;
    };
    w.is_cancelled = [&] { return polls >= 3; };
    const auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(aws::wait_for_snapshots(ec2, {created[0].id}, w), aws::Error);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
    EXPECT_EQ(polls, 3);
    peer_->faults(R"({"holdSnapshots": false})");
    ec2.delete_snapshot(created[0].id);
}

// Temporary credentials: the token travels (signed) with every request, and
// the peer refuses requests without it.
TEST(AwsSessionToken, IsSentSignedAndRequired) {
    hypersdk::test::AwsPeerSetup setup;
    setup.session_token = "FwoGZXIvYXdzEJr//////////wEaDPeerSessionToken+/=";
    AwsPeer peer(setup);
    aws::Ec2 with_token(peer.config(), fast_retries());
    EXPECT_EQ(with_token.describe_instances().size(), 2u);
    aws::Config without = peer.config();
    without.credentials.session_token.clear();
    aws::Ec2 no_token(without, fast_retries());
    try {
        no_token.describe_instances();
        FAIL() << "a request without the session token was accepted";
    } catch (const aws::Error& e) {
        EXPECT_EQ(e.kind(), aws::ErrorKind::credentials) << e.what();
        EXPECT_EQ(std::string(e.what()).find(setup.session_token), std::string::npos);
    }
}
