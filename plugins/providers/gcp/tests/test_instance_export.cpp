// export_instance against the GCP peer: the whole gcloud-style export into
// sinks, and what it leaves behind in every ending: nothing after success,
// a failed build or a cancel; everything with --keep-intermediate.
#include <gtest/gtest.h>

#include <atomic>
#include <map>

#include "gcp_peer.hpp"
#include "http_test_support.hpp"
#include "images.hpp"
#include "instance_export.hpp"
#include "service_account.hpp"

namespace hypersdk::gcp {
namespace {

using hypersdk::test::GcpPeer;
using hypersdk::test::GcpPeerOptions;
using namespace std::chrono_literals;

int count(const std::string& text, const std::string& needle) {
    int n = 0;
    for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

class InstanceExport : public ::testing::Test {
protected:
    void SetUp() override {
        // As big as the 1 GB disks say, mostly holes so that the peer's tar -czf stays quick.
        hypersdk::test::write_test_disk(data_ / "boot.raw", 1u << 30, 1, 256u << 20);
        hypersdk::test::write_test_disk(data_ / "data.raw", 1u << 30, 2, 256u << 20);
    }
    GcpPeerOptions peer_options(const std::string& status, const std::string& faults = "{}",
                                bool one_disk = false) {
        GcpPeerOptions o;
        const std::string data_disk =
            R"({"name": "web-01-data", "boot": false, "index": 1, "size_gb": 1, "raw": ")" +
            (data_ / "data.raw").string() + R"("},)";
        o.instances_json =
            R"([{"name": "web-01", "zone": "us-central1-a", "id": "4242", "status": ")" + status +
            R"(", "machine_type": "e2-standard-2", "cpus": 2, "memory_mb": 8192, "shielded": null,
            "nics": [], "disks": [)" +
            (one_disk ? std::string() : data_disk) +
            R"({"name": "web-01", "boot": true, "index": 0, "size_gb": 1, "raw": ")" +
            (data_ / "boot.raw").string() + R"("}]}])";
        o.faults_json = faults;
        return o;
    }

    struct Run {
        explicit Run(const GcpPeer& peer)
            : client(client_options(peer)),
              tokens(client, load_service_account_key(peer.key_file().string())),
              api(client, tokens, [this] { return cancel.load(); }),
              compute(api, peer.compute_endpoint(), peer.project(), {10ms, 50ms, 60s}),
              build(api, peer.cloudbuild_endpoint(), {10ms, 50ms}),
              storage(api, peer.storage_endpoint()) {}
        static http::ClientOptions client_options(const GcpPeer& peer) {
            http::ClientOptions o;
            o.tls.ca_file = peer.ca_file();
            o.classifier = google_classifier;
            return o;
        }
        InstanceExportResult run(const std::filesystem::path& dir, InstanceExportOptions options) {
            InstanceExportCallbacks cb;
            cb.open_sink = [&, dir](size_t i, const DiskInfo&, const GcsUri&,
                                    const ObjectInfo&) -> http::Sink& {
                sinks[i] = std::make_unique<hypersdk::test::PartFileSink>(
                    dir / ("disk-" + std::to_string(i) + ".raw"));
                return *sinks[i];
            };
            cb.commit_sink = [&](size_t i) { sinks[i]->commit(); };
            cb.info = [&](const std::string& line) {
                lines += line + "\n";
                if (cancel_on && line.find(cancel_on) != std::string::npos) cancel = true;
            };
            cb.warn = [&](const std::string& line) { lines += "WARN " + line + "\n"; };
            options.download.is_cancelled = [this] { return cancel.load(); };
            return export_instance(api, compute, build, storage, "us-central1-a", "web-01", options, cb);
        }
        http::Client client;
        ServiceAccountTokens tokens;
        std::atomic<bool> cancel{false};
        const char* cancel_on = nullptr;
        Api api;
        Compute compute;
        CloudBuild build;
        Storage storage;
        std::map<size_t, std::unique_ptr<hypersdk::test::PartFileSink>> sinks;
        std::string lines;
    };

    InstanceExportOptions options() {
        InstanceExportOptions o;
        o.bucket = "migrations";
        return o;
    }
    hypersdk::test::TempDir data_;
};

TEST_F(InstanceExport, ExportsEveryDiskBootFirstAndLeavesNothingBehind) {
    GcpPeer peer(peer_options("TERMINATED"));
    Run run(peer);
    hypersdk::test::TempDir out;
    const auto result = run.run(out.path(), options());
    ASSERT_EQ(result.disks.size(), 2u);
    EXPECT_FALSE(result.stopped_by_export);
    EXPECT_EQ(result.disks[0].disk->name, "web-01");
    EXPECT_EQ(hypersdk::test::sha256_of_file(out / "disk-0.raw"),
              hypersdk::test::sha256_of_file(data_ / "boot.raw"));
    EXPECT_EQ(hypersdk::test::sha256_of_file(out / "disk-1.raw"),
              hypersdk::test::sha256_of_file(data_ / "data.raw"));
    const std::string log = peer.requests();
    EXPECT_EQ(count(log, "CREATE_IMAGE hx-web-01-"), 2) << log;
    EXPECT_EQ(count(log, "DELETE_IMAGE hx-web-01-"), 2) << log;
    EXPECT_EQ(count(log, "DELETE_OBJECT migrations/hypersdk-export/hx-web-01-"), 2) << log;
    EXPECT_EQ(count(log, "STOP"), 0);
    EXPECT_NE(run.lines.find(": WORKING after"), std::string::npos) << run.lines;
}

// One full run of a one-disk instance: stopped because asked, intermediates kept.
TEST_F(InstanceExport, ARunningInstanceIsStoppedOnlyWhenAskedAndIntermediatesKeptWhenAsked) {
    GcpPeer peer(peer_options("RUNNING", "{}", true));
    Run run(peer);
    hypersdk::test::TempDir out;
    try {
        run.run(out.path(), options());
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::invalid_state);
        EXPECT_NE(std::string(e.what()).find("is RUNNING; pass --power-off"), std::string::npos) << e.what();
    }
    EXPECT_EQ(count(peer.requests(), "CREATE_IMAGE"), 0);
    auto o = options();
    o.power_off = true;
    o.keep_intermediate = true;
    EXPECT_TRUE(run.run(out.path(), o).stopped_by_export);
    const std::string log = peer.requests();
    EXPECT_EQ(count(log, "STOP web-01"), 1);
    EXPECT_EQ(count(log, "DELETE_IMAGE"), 0) << log;
    EXPECT_EQ(count(log, "DELETE_OBJECT"), 0) << log;
    EXPECT_EQ(count(run.lines, "kept intermediate"), 2) << run.lines;
    EXPECT_EQ(hypersdk::test::sha256_of_file(out / "disk-0.raw"),
              hypersdk::test::sha256_of_file(data_ / "boot.raw"));
}

TEST_F(InstanceExport, AFailedBuildRemovesTheImagesItMade) {
    GcpPeer peer(peer_options("TERMINATED", R"({"build_failure": "worker disk full"})"));
    Run run(peer);
    hypersdk::test::TempDir out;
    try {
        run.run(out.path(), options());
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::operation);
        EXPECT_NE(std::string(e.what()).find("worker disk full"), std::string::npos) << e.what();
    }
    const std::string log = peer.requests();
    EXPECT_EQ(count(log, "DELETE_IMAGE hx-web-01-"), 2) << log;
    EXPECT_EQ(count(log, "CANCEL_BUILD"), 1) << log;  // the second build had not been waited for
    EXPECT_TRUE(run.sinks.empty());
}

TEST_F(InstanceExport, ACancelledExportStillCleansUp) {
    GcpPeer peer(peer_options("TERMINATED"));
    Run run(peer);
    run.cancel_on = "Cloud Build build";  // Ctrl-C once the first build is running
    hypersdk::test::TempDir out;
    try {
        run.run(out.path(), options());
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::cancelled) << e.what();
    } catch (const http::Error& e) {
        EXPECT_EQ(e.kind(), http::ErrorKind::cancelled) << e.what();
    }
    const std::string log = peer.requests();
    EXPECT_EQ(count(log, "DELETE_IMAGE hx-web-01-"), 2) << log;
    EXPECT_GE(count(log, "CANCEL_BUILD"), 1) << log;
}

}  // namespace
}  // namespace hypersdk::gcp
