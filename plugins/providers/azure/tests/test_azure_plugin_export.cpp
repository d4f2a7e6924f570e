// The Azure plugin's export through core's loader and ExportRunner
// (provider_harness.hpp) against Azurite and the loopback ARM peer: disks
// read at once on the kit's transfer pool with progress summed over them,
// --parallel 1 reading one disk at a time, and every read SAS renewed ahead
// of its expiry so storage never refuses one. The peer's blob proxy counts
// the blobs read at once and storage's 403s (GET /_peer/state).
#include <gtest/gtest.h>

#include <hypersdk/core/export_runner.hpp>

#include <mutex>
#include <utility>
#include <vector>

#include "azure_plugin_peer.hpp"
#include "images.hpp"
#include "provider_harness.hpp"
#include "temp_dir.hpp"

namespace {

using namespace hypersdk;
using test::AzurePluginWorld;

struct ProgressLog {
    std::mutex mutex;
    std::vector<std::pair<uint64_t, uint64_t>> reports;  // done, total
};

core::ExportOutcome export_web01(AzurePluginWorld& world, const std::filesystem::path& out, int parallel,
                                 ProgressLog* progress = nullptr) {
    test::ProviderHarness harness(PLUGIN_DIR, "azure");
    core::ExportRequest request;
    request.vm = "web-01";
    request.output_dir = out;
    request.config_json = world.config_json();
    request.parallel = parallel;
    // No verification pass: its re-hashing would report progress of its own.
    return harness.run_export(request, [progress](core::Job&, uint64_t done, uint64_t total) {
        if (progress == nullptr) return;
        std::lock_guard lock(progress->mutex);
        progress->reports.emplace_back(done, total);
    });
}

void expect_the_source_disks(const AzurePluginWorld& world, const std::filesystem::path& out) {
    EXPECT_EQ(test::sha256_of_file(out / "web-01-disk-0.vhd"), test::sha256_of_file(world.os_vhd()));
    EXPECT_EQ(test::sha256_of_file(out / "web-01-disk-1.vhd"), test::sha256_of_file(world.data_vhd()));
}

TEST(AzurePluginExport, DisksAreReadAtOnceAndProgressIsTheirSum) {
    // Every blob request waits 0.6 s in the proxy, so the two disks' requests overlap when read at once.
    AzurePluginWorld world(R"({"blob_proxy": {"delay_ms": 600}})");
    test::TempDir out;
    ProgressLog progress;
    const auto outcome = export_web01(world, out.path(), 2, &progress);
    ASSERT_TRUE(outcome.ok()) << outcome.error;
    expect_the_source_disks(world, out.path());
    const std::string state = world.peers().state();
    EXPECT_NE(state.find("\"blob_max_blobs_at_once\":2"), std::string::npos) << state;
    EXPECT_NE(state.find("\"snapshots\":{}"), std::string::npos) << state;
    EXPECT_NE(state.find("\"grants\":{}"), std::string::npos) << state;

    // Progress: one total, both disks' VHDs (each with its footer); never past it; ends there.
    const uint64_t total = AzurePluginWorld::kOsBytes + AzurePluginWorld::kDataBytes + 2 * 512;
    ASSERT_FALSE(progress.reports.empty());
    for (const auto& [done, reported_total] : progress.reports) {
        EXPECT_EQ(reported_total, total);
        EXPECT_LE(done, total);
    }
    EXPECT_EQ(progress.reports.back().first, total);
}

TEST(AzurePluginExport, ParallelOneReadsOneDiskAtATime) {
    AzurePluginWorld world(R"({"blob_proxy": {"delay_ms": 300}})");
    test::TempDir out;
    const auto outcome = export_web01(world, out.path(), 1);
    ASSERT_TRUE(outcome.ok()) << outcome.error;
    expect_the_source_disks(world, out.path());
    const std::string state = world.peers().state();
    EXPECT_NE(state.find("\"blob_max_blobs_at_once\":1"), std::string::npos) << state;
}

TEST(AzurePluginExport, EveryReadSasIsRenewedAheadOfItsExpiry) {
    // Each SAS lives 9 s (renewed from about 6 s on, a third before its se);
    // every blob request takes 1 s through the proxy and --parallel 1 reads
    // the disks one after another (about 13 requests), so both the first
    // disk's SAS and the waiting second disk's run out during the export.
    AzurePluginWorld world(R"({"sas_lifetime_seconds": 9, "blob_proxy": {"delay_ms": 1000}})");
    test::TempDir out;
    const auto outcome = export_web01(world, out.path(), 1);
    ASSERT_TRUE(outcome.ok()) << outcome.error;
    expect_the_source_disks(world, out.path());
    const std::string state = world.peers().state();
    EXPECT_NE(state.find("\"blob_refused\":0"), std::string::npos)
        << "storage refused a SAS: it was not renewed ahead of its expiry: " << state;
    EXPECT_NE(state.find("\"grants\":{}"), std::string::npos) << state;
    const std::string& result = outcome.export_result_json;
    EXPECT_NE(result.find("after storage refused it"), std::string::npos) << result;
    EXPECT_NE(result.find(", 0 after storage refused it"), std::string::npos) << result;
    EXPECT_EQ(result.find("(0 ahead of its expiry"), std::string::npos) << result;
}

}  // namespace
