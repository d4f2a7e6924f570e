// The GCP client against the loopback GCP peer: tokens from a service-account
// key (checked by google-auth-library in the peer), Compute, Cloud Build and
// Cloud Storage as the export uses them, and the faults of issue 13: an
// operation ending in error, 429/503 with backoff, a download cut mid-stream,
// a wrong private key, a token that expires during the work.
#include <gtest/gtest.h>

#include <hypersdk/http/client.hpp>

#include <fstream>
#include <mutex>
#include <thread>

#include "cloud_build.hpp"
#include "compute.hpp"
#include "gcp_peer.hpp"
#include "gcs_disk_download.hpp"
#include "http_test_support.hpp"
#include "images.hpp"
#include "service_account.hpp"
#include "storage.hpp"
#include "token_source.hpp"

namespace hypersdk::gcp {
namespace {

using hypersdk::test::GcpPeer;
using hypersdk::test::GcpPeerOptions;
using namespace std::chrono_literals;

// Instance "web-01": its data disk listed before its boot disk (the client
// must put the boot disk first), a Shielded VM with Secure Boot.
std::string instances_json(const std::filesystem::path& boot_raw, const std::filesystem::path& data_raw) {
    return R"([{"name": "web-01", "zone": "us-central1-a", "id": "4242", "status": "RUNNING",
        "machine_type": "e2-standard-2", "cpus": 2, "memory_mb": 8192, "shielded": {"secure_boot": true, "vtpm": true},
        "nics": [{"name": "nic0", "network": "default", "ip": "10.128.0.7"}],
        "disks": [{"name": "web-01-data", "boot": false, "index": 1, "size_gb": 1, "raw": ")" +
           data_raw.string() + R"("},
                  {"name": "web-01", "boot": true, "index": 0, "size_gb": 1, "raw": ")" +
           boot_raw.string() + R"(", "guest_os_features": ["UEFI_COMPATIBLE", "VIRTIO_SCSI_MULTIQUEUE"]}]},
      {"name": "db-01", "zone": "europe-west4-a", "id": "4343", "status": "TERMINATED",
        "machine_type": "n2-highmem-4", "cpus": 4, "memory_mb": 32768, "shielded": null, "nics": [],
        "disks": [{"name": "db-01", "boot": true, "index": 0, "size_gb": 1, "raw": ")" +
           boot_raw.string() + R"("}]}])";
}

struct Connection {
    explicit Connection(const GcpPeer& peer, std::filesystem::path key_file = {})
        : client(options(peer)),
          tokens(client,
                 load_service_account_key(key_file.empty() ? peer.key_file().string() : key_file.string())),
          api(client, tokens) {}
    static http::ClientOptions options(const GcpPeer& peer) {
        http::ClientOptions o;
        o.tls.ca_file = peer.ca_file();
        o.classifier = google_classifier;
        o.retry.base_delay = 10ms;
        o.retry.max_delay = 50ms;
        return o;
    }
    http::Client client;
    ServiceAccountTokens tokens;
    Api api;
};

OperationPolling fast_operations() {
    OperationPolling p;
    p.first = 10ms;
    p.max = 50ms;
    p.timeout = 30s;
    return p;
}

int count(const std::string& text, const std::string& needle) {
    int n = 0;
    for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

class GcpClientPeer : public ::testing::Test {
protected:
    void SetUp() override {
        hypersdk::test::write_test_disk(data_ / "boot.raw", 64u << 20, 1);
        hypersdk::test::write_test_disk(data_ / "data.raw", 16u << 20, 2);
    }
    GcpPeerOptions peer_options(const std::string& faults = "{}") {
        GcpPeerOptions o;
        o.instances_json = instances_json(data_ / "boot.raw", data_ / "data.raw");
        o.faults_json = faults;
        return o;
    }
    hypersdk::test::TempDir data_;
};

TEST_F(GcpClientPeer, ServiceAccountTokenIsExchangedOnceAndCached) {
    GcpPeer peer(peer_options());
    Connection c(peer);
    const std::string first = c.tokens.access_token(false);
    EXPECT_EQ(first.rfind("ya29.", 0), 0u);
    EXPECT_EQ(c.tokens.access_token(false), first);
    EXPECT_EQ(c.tokens.exchanges(), 1);
    EXPECT_EQ(count(peer.requests(), "TOKEN issued"), 1);
    // A refused token (401) asks for a new one.
    EXPECT_NE(c.tokens.access_token(true), first);
    EXPECT_EQ(c.tokens.exchanges(), 2);
}

TEST_F(GcpClientPeer, TokensAreRenewedBeforeTheyExpire) {
    GcpPeerOptions o = peer_options();
    o.token_lifetime_seconds = 240;  // inside the 5-minute margin: renewed on every use
    GcpPeer peer(o);
    Connection c(peer);
    c.tokens.access_token(false);
    c.tokens.access_token(false);
    EXPECT_EQ(c.tokens.exchanges(), 2);
}

TEST_F(GcpClientPeer, ATokenThatExpiresMidWorkIsReplacedOnce) {
    GcpPeer peer(peer_options(R"({"expire_tokens_after_seconds": 1})"));
    Connection c(peer);
    Compute compute(c.api, peer.compute_endpoint(), peer.project(), fast_operations());
    compute.get_instance("us-central1-a", "web-01");
    std::this_thread::sleep_for(1200ms);  // the peer now refuses the cached token
    EXPECT_NO_THROW(compute.get_instance("us-central1-a", "web-01"));
    EXPECT_EQ(c.tokens.exchanges(), 2);
    EXPECT_EQ(count(peer.requests(), "UNAUTHENTICATED"), 1);
}

TEST_F(GcpClientPeer, AKeyFileWithAWrongPrivateKeyIsRefusedClearly) {
    GcpPeer peer(peer_options());
    Connection c(peer, peer.wrong_key_file());
    try {
        c.tokens.access_token(false);
        FAIL() << "a wrong key got a token";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::auth);
        const std::string m = e.what();
        EXPECT_NE(m.find("invalid_grant"), std::string::npos) << m;
        EXPECT_NE(m.find(peer.client_email()), std::string::npos) << m;
        EXPECT_EQ(m.find("PRIVATE KEY"), std::string::npos) << m;
        EXPECT_EQ(m.find("assertion"), std::string::npos) << m;
    }
    EXPECT_NE(peer.requests().find("TOKEN refused: Invalid token signature"), std::string::npos)
        << peer.requests();
}

TEST_F(GcpClientPeer, DescribesAnInstanceBootDiskFirst) {
    GcpPeer peer(peer_options());
    Connection c(peer);
    Compute compute(c.api, peer.compute_endpoint(), peer.project(), fast_operations());
    const InstanceInfo vm = compute.get_instance("us-central1-a", "web-01");
    EXPECT_EQ(vm.id, "4242");
    EXPECT_EQ(vm.status, "RUNNING");
    EXPECT_EQ(power_state_for(vm.status), "poweredOn");
    EXPECT_EQ(vm.machine_type, "e2-standard-2");
    EXPECT_EQ(vm.cpus, 2);
    EXPECT_EQ(vm.memory_mb, 8192);
    EXPECT_TRUE(vm.uefi);
    EXPECT_TRUE(vm.secure_boot);
    EXPECT_TRUE(vm.vtpm);
    ASSERT_EQ(vm.disks.size(), 2u);
    EXPECT_EQ(vm.disks[0].name, "web-01");
    EXPECT_TRUE(vm.disks[0].boot);
    EXPECT_EQ(vm.disks[0].size_bytes, 1ull << 30);
    EXPECT_EQ(vm.disks[0].type, "pd-balanced");
    EXPECT_EQ(vm.disks[1].name, "web-01-data");
    EXPECT_EQ(vm.guest_os_features.front(), "UEFI_COMPATIBLE");
    ASSERT_EQ(vm.nics.size(), 1u);
    EXPECT_EQ(vm.nics[0].mac, "42:01:0a:80:00:07");
    EXPECT_EQ(vm.nics[0].network, "default");
    try {
        compute.get_instance("us-central1-a", "nope");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::not_found);
        EXPECT_NE(std::string(e.what()).find("instances/nope' was not found (HTTP 404, notFound)"),
                  std::string::npos)
            << e.what();
    }
}

TEST_F(GcpClientPeer, ListsOneZoneOrAllZonesThroughTheAggregatedList) {
    GcpPeer peer(peer_options());
    Connection c(peer);
    Compute compute(c.api, peer.compute_endpoint(), peer.project(), fast_operations());
    const auto all = compute.list_instances("");
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].name, "db-01");  // zones in order, one page each, one page empty
    EXPECT_EQ(all[0].cpus, 4);
    EXPECT_EQ(all[1].name, "web-01");
    EXPECT_EQ(compute.list_instances("europe-west4-a").size(), 1u);
    EXPECT_EQ(compute.find_instance_zone("web-01"), "us-central1-a");
    EXPECT_THROW(compute.find_instance_zone("nope"), Error);
}

TEST_F(GcpClientPeer, ExportsADiskThroughCloudBuildAndUnpacksItWhileDownloading) {
    GcpPeer peer(peer_options());
    Connection c(peer);
    Compute compute(c.api, peer.compute_endpoint(), peer.project(), fast_operations());
    compute.stop_instance("us-central1-a", "web-01");
    EXPECT_EQ(compute.get_instance("us-central1-a", "web-01").status, "TERMINATED");
    const std::string image = compute.create_image("hx-web-01-0", "us-central1-a", "web-01");
    EXPECT_EQ(image, "projects/hypersdk-test/global/images/hx-web-01-0");

    CloudBuild build(c.api, peer.cloudbuild_endpoint(), {10ms, 50ms});
    ImageExportRequest request{peer.project(),  image, "gs://exports/web-01.tar.gz", "",
                               "us-central1-a", 3600s};
    const std::string id = build.start_image_export(request);
    std::vector<std::string> statuses;
    build.wait(peer.project(), id, 60s,
               [&](const std::string& s, std::chrono::seconds) { statuses.push_back(s); });
    EXPECT_EQ(statuses, (std::vector<std::string>{"WORKING", "SUCCESS"}));

    Storage storage(c.api, peer.storage_endpoint());
    const GcsUri uri = parse_gcs_uri(request.destination_uri);
    const ObjectInfo object = storage.stat(uri);
    hypersdk::test::PartFileSink sink(data_ / "disk-0.raw");
    GcsDiskDownloadOptions o;
    o.range_size = 64 * 1024;  // many ranges for a small archive
    const auto result = download_disk_object(storage, uri, object, sink, o);
    sink.commit();
    EXPECT_TRUE(result.unpacked);
    EXPECT_TRUE(result.md5_checked);
    EXPECT_EQ(result.disk_bytes, 64u << 20);
    EXPECT_GT(result.zero_bytes, 32u << 20);  // three MiB of four are holes
    EXPECT_EQ(hypersdk::test::sha256_of_file(data_ / "disk-0.raw"),
              hypersdk::test::sha256_of_file(data_ / "boot.raw"));

    compute.delete_image("hx-web-01-0");
    storage.remove(uri);
    EXPECT_THROW(storage.stat(uri), Error);
    const std::string log = peer.requests();
    EXPECT_NE(
        log.find("BUILD projects/hypersdk-test/global/images/hx-web-01-0 gs://exports/web-01.tar.gz tar.gz"),
        std::string::npos)
        << log;
    EXPECT_NE(log.find("DELETE_IMAGE hx-web-01-0"), std::string::npos);
    EXPECT_GT(count(log, "MEDIA exports/web-01.tar.gz bytes="), 1);
}

TEST_F(GcpClientPeer, AVmdkExportIsDownloadedAsItIs) {
    GcpPeer peer(peer_options());
    Connection c(peer);
    Compute compute(c.api, peer.compute_endpoint(), peer.project(), fast_operations());
    const std::string image = compute.create_image("hx-db-01-0", "europe-west4-a", "db-01");
    CloudBuild build(c.api, peer.cloudbuild_endpoint(), {10ms, 50ms});
    const std::string id = build.start_image_export(
        {peer.project(), image, "gs://exports/db-01.vmdk", "vmdk", "europe-west4-a", 3600s});
    build.wait(peer.project(), id, 60s, {});
    Storage storage(c.api, peer.storage_endpoint());
    const GcsUri uri = parse_gcs_uri("gs://exports/db-01.vmdk");
    hypersdk::test::PartFileSink sink(data_ / "db-01.vmdk");
    const auto result = download_disk_object(storage, uri, storage.stat(uri), sink, {});
    sink.commit();
    EXPECT_FALSE(result.unpacked);
    std::string detail;
    EXPECT_TRUE(
        hypersdk::test::images_identical(data_ / "db-01.vmdk", "vmdk", data_ / "boot.raw", "raw", &detail))
        << detail;
}

TEST_F(GcpClientPeer, AnOperationEndingInErrorIsSurfacedInOneLine) {
    GcpPeer peer(peer_options(R"({"image_error": "Quota 'IMAGES' exceeded.  Limit: 0.0 globally."})"));
    Connection c(peer);
    Compute compute(c.api, peer.compute_endpoint(), peer.project(), fast_operations());
    try {
        compute.create_image("hx-db-01-0", "europe-west4-a", "db-01");
        FAIL() << "the operation's error was not surfaced";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::operation);
        EXPECT_STREQ(e.what(),
                     "creating image hx-db-01-0 from disk db-01 failed: QUOTA_EXCEEDED: Quota 'IMAGES' "
                     "exceeded.  Limit: 0.0 globally. (FORBIDDEN)");
    }
}

TEST_F(GcpClientPeer, AFailedBuildSaysWhy) {
    GcpPeer peer(peer_options(R"({"build_failure": "disk export worker ran out of space"})"));
    Connection c(peer);
    Compute compute(c.api, peer.compute_endpoint(), peer.project(), fast_operations());
    const std::string image = compute.create_image("hx-db-01-0", "europe-west4-a", "db-01");
    CloudBuild build(c.api, peer.cloudbuild_endpoint(), {10ms, 50ms});
    const std::string id =
        build.start_image_export({peer.project(), image, "gs://exports/x.tar.gz", "", "", 3600s});
    try {
        build.wait(peer.project(), id, 60s, {});
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::operation);
        EXPECT_NE(std::string(e.what()).find("ended FAILURE: Build step failure"), std::string::npos)
            << e.what();
        EXPECT_NE(std::string(e.what()).find("ran out of space"), std::string::npos) << e.what();
    }
}

TEST_F(GcpClientPeer, ThrottlingAnswersAreRetriedWithBackoff) {
    for (const int status : {429, 503}) {
        GcpPeer peer(peer_options(R"({"throttle": {"path_regex": "^/compute/", "times": 3, "status": )" +
                                  std::to_string(status) + "}}"));
        Connection c(peer);
        Compute compute(c.api, peer.compute_endpoint(), peer.project(), fast_operations());
        EXPECT_EQ(compute.get_instance("us-central1-a", "web-01").name, "web-01") << status;
        EXPECT_EQ(count(peer.requests(), "THROTTLE"), 3) << status;
    }
}

TEST_F(GcpClientPeer, ADownloadCutMidStreamIsResumed) {
    GcpPeer peer(peer_options(R"({"cut_media_after": 100000, "cut_media_times": 3})"));
    Connection c(peer);
    Compute compute(c.api, peer.compute_endpoint(), peer.project(), fast_operations());
    const std::string image = compute.create_image("hx-db-01-0", "europe-west4-a", "db-01");
    CloudBuild build(c.api, peer.cloudbuild_endpoint(), {10ms, 50ms});
    build.wait(peer.project(),
               build.start_image_export({peer.project(), image, "gs://exports/db.tar.gz", "", "", 3600s}),
               60s, {});
    Storage storage(c.api, peer.storage_endpoint());
    const GcsUri uri = parse_gcs_uri("gs://exports/db.tar.gz");
    hypersdk::test::PartFileSink sink(data_ / "db.raw");
    GcsDiskDownloadOptions o;
    o.workers = 1;
    o.range_size = 1u << 20;
    const auto result = download_disk_object(storage, uri, storage.stat(uri), sink, o);
    sink.commit();
    EXPECT_TRUE(result.md5_checked);
    EXPECT_EQ(count(peer.requests(), "CUT exports/db.tar.gz"), 3) << peer.requests();
    EXPECT_EQ(hypersdk::test::sha256_of_file(data_ / "db.raw"),
              hypersdk::test::sha256_of_file(data_ / "boot.raw"));
}

TEST_F(GcpClientPeer, ACorruptArchiveIsRefusedAndNothingLooksComplete) {
    // A truncated .tar.gz and one with flipped bytes, put there by "someone".
    hypersdk::test::TempDir objects;
    {
        const std::string staging = (objects / "disk.raw").string();
        std::filesystem::copy_file(data_ / "data.raw", staging);
        ASSERT_EQ(std::system(("tar -czf " + (objects / "good.tar.gz").string() + " -C " +
                               objects.path().string() + " disk.raw")
                                  .c_str()),
                  0);
        std::ifstream in(objects / "good.tar.gz", std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), {});
        std::ofstream(objects / "truncated.tar.gz", std::ios::binary)
            << bytes.substr(0, bytes.size() * 2 / 3);
        bytes[bytes.size() / 2] ^= 0x5a;
        bytes[bytes.size() / 2 + 7] ^= 0x5a;
        std::ofstream(objects / "corrupt.tar.gz", std::ios::binary) << bytes;
    }
    GcpPeerOptions o = peer_options();
    o.objects_json = "{\"exports/truncated.tar.gz\": \"" + (objects / "truncated.tar.gz").string() +
                     "\", \"exports/corrupt.tar.gz\": \"" + (objects / "corrupt.tar.gz").string() + "\"}";
    GcpPeer peer(o);
    Connection c(peer);
    Storage storage(c.api, peer.storage_endpoint());
    for (const std::string name : {"truncated.tar.gz", "corrupt.tar.gz"}) {
        const GcsUri uri = parse_gcs_uri("gs://exports/" + name);
        auto sink = std::make_unique<hypersdk::test::PartFileSink>(data_ / (name + ".raw"));
        try {
            download_disk_object(storage, uri, storage.stat(uri), *sink, {});
            FAIL() << name << " was accepted";
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::archive) << e.what();
            EXPECT_NE(std::string(e.what()).find("gs://exports/" + name), std::string::npos) << e.what();
        }
        sink.reset();  // never committed: only the .part remains
        EXPECT_FALSE(std::filesystem::exists(data_ / (name + ".raw"))) << name;
    }
}

// Nothing secret in any log line (trace: every header) or error message of a
// run with retries, a cut download, a refused token and a 404: neither the
// access tokens, nor the private key, nor the signed assertion.
TEST_F(GcpClientPeer, NoTokenKeyOrAssertionReachesALogLineOrAnError) {
    GcpPeer peer(peer_options(
        R"({"throttle": {"path_regex": "^/(compute|storage)/", "times": 2, "status": 429}, "cut_media_after": 50000})"));
    std::mutex mutex;
    std::string logged;
    http::ClientOptions o = Connection::options(peer);
    o.log_level = http::LogLevel::trace;
    o.log = [&](http::LogLevel, const std::string& line) {
        std::lock_guard lock(mutex);
        logged += line + "\n";
    };
    http::Client client(o);
    ServiceAccountTokens tokens(client, load_service_account_key(peer.key_file().string()));
    Api api(client, tokens);
    Compute compute(api, peer.compute_endpoint(), peer.project(), fast_operations());
    const std::string image = compute.create_image("hx-db-01-0", "europe-west4-a", "db-01");
    CloudBuild build(api, peer.cloudbuild_endpoint(), {10ms, 50ms});
    build.wait(peer.project(),
               build.start_image_export({peer.project(), image, "gs://e/db.tar.gz", "", "", 3600s}), 60s, {});
    Storage storage(api, peer.storage_endpoint());
    hypersdk::test::MemorySink sink;
    download_disk_object(storage, parse_gcs_uri("gs://e/db.tar.gz"),
                         storage.stat(parse_gcs_uri("gs://e/db.tar.gz")), sink, {});
    std::string errors;
    try {
        compute.get_instance("us-central1-a", "nope");
    } catch (const std::exception& e) {
        errors += std::string(e.what()) + "\n";
    }
    ServiceAccountTokens wrong(client, load_service_account_key(peer.wrong_key_file().string()));
    try {
        wrong.access_token(false);
    } catch (const std::exception& e) {
        errors += std::string(e.what()) + "\n";
    }
    const std::string token = tokens.access_token(false);
    const std::string key_body = peer.private_key_pem().substr(40, 64);  // inside the PEM's base64
    const ServiceAccountKey key = load_service_account_key(peer.key_file().string());
    const std::string assertion_head =
        make_jwt_assertion(key, kCloudPlatformScope, std::chrono::system_clock::now())
            .substr(0, 36);  // base64url of the JWT header
    std::lock_guard lock(mutex);
    ASSERT_NE(logged.find("Authorization: REDACTED"), std::string::npos) << "trace did not log headers";
    EXPECT_NE(logged.find("retrying"), std::string::npos);
    for (const std::string& secret : {token, std::string("ya29.peer-"), key_body, assertion_head}) {
        EXPECT_EQ(logged.find(secret), std::string::npos) << secret;
        EXPECT_EQ(errors.find(secret), std::string::npos) << secret;
    }
}

}  // namespace
}  // namespace hypersdk::gcp
