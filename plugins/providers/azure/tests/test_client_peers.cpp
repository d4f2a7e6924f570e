// The Azure client against Azurite (real page blobs, real SAS checks) and the
// loopback Entra ID + ARM peer: tokens and their refresh, VMs, paging,
// long-running operations, the page-blob download into a sparse file, and the
// faults of issue 12 (429 with Retry-After, a failed operation, a SAS that
// expires mid-download, a range failing once, a wrong client secret), and a
// SAS renewed ahead of its expiry so storage never refuses it.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>

#include "arm_client.hpp"
#include "azure_peers.hpp"
#include "compute.hpp"
#include "errors.hpp"
#include "http_test_support.hpp"
#include "images.hpp"
#include "page_blob.hpp"
#include "sas_source.hpp"
#include "token_provider.hpp"

namespace fs = std::filesystem;
namespace http = hypersdk::http;
using namespace hypersdk::azure;
using namespace hypersdk::test;
using namespace std::chrono_literals;

namespace {

constexpr uint64_t kDiskBytes = 16u << 20;

struct AzureClient {
    explicit AzureClient(const AzurePeers& peers, std::string secret = AzurePeers::kClientSecret)
        : config(make_config(peers, std::move(secret))),
          auth(options(config)),
          arm_http(options(config)),
          blob(options(config)),
          tokens(config, auth),
          arm(config, arm_http, tokens),
          compute(arm) {}

    static Config make_config(const AzurePeers& peers, std::string secret) {
        Config c;
        c.tenant_id = AzurePeers::kTenant;
        c.client_id = AzurePeers::kClientId;
        c.client_secret = std::move(secret);
        c.subscription_id = AzurePeers::kSubscription;
        c.authority_host = peers.arm_url();
        c.arm_endpoint = peers.arm_url();
        c.ca_file = peers.ca_bundle();
        c.call_timeout = 30s;
        c.normalise();
        return c;
    }
    static http::ClientOptions options(const Config& c) {
        http::ClientOptions o;
        o.tls.ca_file = c.ca_file;
        o.stall_timeout = 30s;
        return o;
    }
    LroOptions lro() const {
        LroOptions o;
        o.timeout = 60s;
        return o;
    }

    Config config;
    http::Client auth, arm_http, blob;
    TokenProvider tokens;
    ArmClient arm;
    Compute compute;
};

class AzureClientPeers : public ::testing::Test {
protected:
    void start(const std::string& faults = "{}", int vms = 1) {
        vhd_ = make_fixed_vhd(dir_.path() / "os.raw", kDiskBytes);
        AzurePeersOptions o;
        for (int i = 0; i < vms; ++i) {
            AzureVmSpec vm;
            vm.name = "web-0" + std::to_string(i + 1);
            vm.disks = {{vm.name + "-os", vhd_}};
            o.vms.push_back(vm);
        }
        o.faults_json = faults;
        peers_ = std::make_unique<AzurePeers>(o);
        client_ = std::make_unique<AzureClient>(*peers_);
    }

    // Snapshot of web-01's OS disk with a read SAS; returns the snapshot id.
    std::string snapshot_with_access(std::string& sas) {
        const VmInfo vm = client_->compute.get_vm("rg-migrate", "web-01");
        client_->compute.create_snapshot("rg-migrate", "snap-1", vm.location, vm.disks.at(0).id,
                                         client_->lro());
        const std::string id = client_->compute.snapshot_id("rg-migrate", "snap-1");
        sas = client_->compute.grant_read_access(id, 3600, client_->lro());
        return id;
    }

    // Downloads through `sas` into a file and checks it is the uploaded VHD.
    BlobDownloadResult download_and_compare(SasSource& sas, int workers = 4) {
        PageBlobReader reader(client_->blob, sas);
        const BlobLayout layout = reader.inspect();
        const fs::path out = dir_.path() / "out.vhd";
        PartFileSink sink(out);
        BlobDownloadOptions o;
        o.workers = workers;
        const auto r = reader.download(sink, layout, o);
        sink.commit();
        EXPECT_EQ(sha256_of_file(out), sha256_of_file(vhd_));
        std::string detail;
        EXPECT_TRUE(images_identical(out, "vpc", dir_.path() / "os.raw", "raw", &detail)) << detail;
        struct stat st {};
        EXPECT_EQ(::stat(out.c_str(), &st), 0);
        EXPECT_LT(static_cast<uint64_t>(st.st_blocks) * 512, fs::file_size(out) / 2)
            << "the holes were written";
        return r;
    }

    TempDir dir_;
    fs::path vhd_;
    std::unique_ptr<AzurePeers> peers_;
    std::unique_ptr<AzureClient> client_;
};

}  // namespace

TEST_F(AzureClientPeers, DescribesTheVmItsDisksAndNics) {
    start();
    const VmInfo vm = client_->compute.get_vm("rg-migrate", "web-01");
    EXPECT_EQ(vm.power_state, "running");
    EXPECT_EQ(vm.security_type, "TrustedLaunch");
    EXPECT_TRUE(vm.uefi && vm.secure_boot);
    ASSERT_EQ(vm.disks.size(), 1u);
    EXPECT_EQ(client_->compute.get_disk(vm.disks[0].id).size_bytes, kDiskBytes);
    ASSERT_EQ(vm.nic_ids.size(), 1u);
    EXPECT_EQ(client_->compute.get_nic(vm.nic_ids[0]).mac, "00:0d:3a:12:34:56");
    bool found = false;
    for (const auto& s : client_->compute.vm_sizes(vm.location))
        if (s.name == vm.vm_size) found = s.cores == 2 && s.memory_mb == 8192;
    EXPECT_TRUE(found);
    try {
        client_->compute.get_vm("rg-migrate", "nope");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::not_found);
        EXPECT_NE(std::string(e.what()).find("ResourceNotFound"), std::string::npos) << e.what();
    }
}

TEST_F(AzureClientPeers, ListsVmsAcrossPages) {
    start("{}", 3);
    const auto vms = client_->compute.list_vms("rg-migrate");
    ASSERT_EQ(vms.size(), 3u);  // the peer serves one VM per page
    EXPECT_EQ(vms[2].name, "web-03");
    EXPECT_EQ(vms[0].power_state, "running");
    EXPECT_EQ(client_->compute.list_vms("").size(), 3u);
}

TEST_F(AzureClientPeers, SnapshotSasDownloadIntoASparseFileThenRevokeAndDelete) {
    start();
    std::string url;
    const std::string snapshot = snapshot_with_access(url);
    SasSource sas(url);
    const auto r = download_and_compare(sas);
    EXPECT_EQ(r.blob_size, kDiskBytes + 512);
    EXPECT_LT(r.bytes_fetched, r.blob_size / 4) << "holes were fetched";
    EXPECT_GT(r.md5_verified, 0) << "no range was checked against its Content-MD5";
    EXPECT_EQ(r.sas_renewals, 0);
    client_->compute.revoke_access(snapshot, client_->lro());
    client_->compute.delete_snapshot(snapshot, client_->lro());
    const std::string state = peers_->state();
    EXPECT_NE(state.find("\"snapshots\":{}"), std::string::npos) << state;
    EXPECT_NE(state.find("\"ended_grants\":[\"snap-1\"]"), std::string::npos) << state;
    EXPECT_NE(state.find("\"deleted_snapshots\":[\"snap-1\"]"), std::string::npos) << state;
}

TEST_F(AzureClientPeers, TheRawFormatDropsTheFooter) {
    start();
    std::string url;
    snapshot_with_access(url);
    SasSource sas(url);
    PageBlobReader reader(client_->blob, sas);
    const BlobLayout layout = reader.inspect();
    PartFileSink sink(dir_.path() / "out.raw");
    BlobDownloadOptions o;
    o.drop_footer = true;
    reader.download(sink, layout, o);
    sink.commit();
    EXPECT_EQ(fs::file_size(dir_.path() / "out.raw"), kDiskBytes);
    EXPECT_EQ(sha256_of_file(dir_.path() / "out.raw"), sha256_of_file(dir_.path() / "os.raw"));
}

TEST_F(AzureClientPeers, OperationsWithLocationOnlyAreFollowedWaitingRetryAfter) {
    // No Azure-AsyncOperation: Location answers 202 (Retry-After: 1) once, then the result.
    start(R"({"lro_location_only": true, "lro_polls": 1, "lro_retry_after": 1})");
    const VmInfo vm = client_->compute.get_vm("rg-migrate", "web-01");
    client_->compute.create_snapshot("rg-migrate", "snap-1", vm.location, vm.disks.at(0).id, client_->lro());
    const std::string id = client_->compute.snapshot_id("rg-migrate", "snap-1");
    const auto began = std::chrono::steady_clock::now();
    const std::string sas = client_->compute.grant_read_access(id, 3600, client_->lro());
    EXPECT_GE(std::chrono::steady_clock::now() - began, 1900ms) << "Retry-After: 1 was not waited for, twice";
    EXPECT_NE(sas.find("sig="), std::string::npos);
    client_->compute.revoke_access(id, client_->lro());
    client_->compute.delete_snapshot(id, client_->lro());
    const std::string state = peers_->state();
    EXPECT_NE(state.find("\"snapshots\":{}"), std::string::npos) << state;
    EXPECT_NE(state.find("\"grants\":{}"), std::string::npos) << state;
}

TEST_F(AzureClientPeers, TokensAreCachedAndRenewedBeforeTheyExpire) {
    start(R"({"token_lifetime_seconds": 2})");  // renewed once less than 1 s is left
    client_->compute.get_vm("rg-migrate", "web-01");
    client_->compute.get_vm("rg-migrate", "web-01");
    EXPECT_EQ(client_->tokens.tokens_fetched(), 1);
    std::this_thread::sleep_for(1200ms);
    client_->compute.get_vm("rg-migrate", "web-01");
    EXPECT_EQ(client_->tokens.tokens_fetched(), 2);
    const std::string state = peers_->state();
    EXPECT_NE(state.find("\"tokens_refused\":0"), std::string::npos)
        << "an expired token reached ARM: " << state;
}

TEST_F(AzureClientPeers, ATokenArmNoLongerAcceptsIsReplacedOnce) {
    start(R"({"rotate_key_after": 1})");  // the second call's token has a signature ARM no longer knows
    client_->compute.get_vm("rg-migrate", "web-01");
    EXPECT_EQ(client_->compute.get_vm("rg-migrate", "web-01").name, "web-01");
    EXPECT_EQ(client_->tokens.tokens_fetched(), 2);
    EXPECT_NE(peers_->state().find("\"tokens_refused\":1"), std::string::npos);
}

TEST_F(AzureClientPeers, AWrongClientSecretIsACredentialsProblem) {
    start();
    const std::string wrong = "wrong-secret-Zq9";
    AzureClient client(*peers_, wrong);
    try {
        client.compute.get_vm("rg-migrate", "web-01");
        FAIL() << "a wrong secret got through";
    } catch (const Error& e) {
        const std::string what = e.what();
        EXPECT_EQ(e.kind(), ErrorKind::auth);
        EXPECT_NE(what.find("AADSTS7000215"), std::string::npos) << what;
        EXPECT_NE(what.find("AZURE_CLIENT_SECRET"), std::string::npos) << what;
        EXPECT_EQ(what.find(wrong), std::string::npos) << what;
        EXPECT_EQ(what.find("Trace ID"), std::string::npos) << "more than one line: " << what;
    }
}

TEST_F(AzureClientPeers, ThrottledCallsWaitForRetryAfter) {
    start(R"({"throttle": {"count": 2, "retry_after": 1}})");
    const auto began = std::chrono::steady_clock::now();
    EXPECT_EQ(client_->compute.get_vm("rg-migrate", "web-01").name, "web-01");
    EXPECT_GE(std::chrono::steady_clock::now() - began, 1900ms) << "Retry-After: 1 was not waited for, twice";
    EXPECT_NE(peers_->state().find("\"throttled\":2"), std::string::npos);
}

TEST_F(AzureClientPeers, AFailedOperationSaysWhy) {
    start(R"({"fail_snapshot": true})");
    const VmInfo vm = client_->compute.get_vm("rg-migrate", "web-01");
    try {
        client_->compute.create_snapshot("rg-migrate", "snap-1", vm.location, vm.disks[0].id, client_->lro());
        FAIL() << "a failed operation passed for done";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::remote);
        EXPECT_NE(std::string(e.what()).find(
                      "failed: InternalDiskManagementError: An internal disk management error"),
                  std::string::npos)
            << e.what();
    }
}

TEST_F(AzureClientPeers, ASasExpiringMidDownloadIsRenewedAndTheDownloadContinues) {
    // Each SAS lives 2 s; every blob request takes 0.8 s through the peer's proxy.
    start(R"({"sas_lifetime_seconds": 2, "blob_proxy": {"delay_ms": 800}})");
    std::string url;
    const std::string snapshot = snapshot_with_access(url);
    SasSource sas(url, [&] { return client_->compute.grant_read_access(snapshot, 3600, client_->lro()); });
    const auto r = download_and_compare(sas, 1);
    EXPECT_GE(r.sas_renewals, 1);
}

TEST_F(AzureClientPeers, ASasRenewedAheadOfItsExpiryIsNeverRefused) {
    // Each SAS lives 7 s (renewed from about 4.5 s on); every blob request
    // takes 1.2 s through the peer's proxy, so the download (6 requests, one
    // worker) outlasts the first SAS. A thread does what the plugin's
    // periodic hook does: renew_if_expiring() every 200 ms.
    start(R"({"sas_lifetime_seconds": 7, "blob_proxy": {"delay_ms": 1200}})");
    std::string url;
    const std::string snapshot = snapshot_with_access(url);
    SasSource sas(url, [&] { return client_->compute.grant_read_access(snapshot, 3600, client_->lro()); });
    ASSERT_TRUE(sas.expires_at());
    std::atomic<bool> done{false};
    std::thread hook([&] {
        for (int i = 0; i < 300 && !done; ++i) {  // at most 60 s
            sas.renew_if_expiring();
            std::this_thread::sleep_for(200ms);
        }
    });
    BlobDownloadResult r;
    try {
        r = download_and_compare(sas, 1);
    } catch (...) {
        done = true;
        hook.join();
        throw;
    }
    done = true;
    hook.join();
    EXPECT_GE(r.sas_early_renewals, 1) << "the download did not outlast the first SAS";
    EXPECT_EQ(r.sas_renewals, r.sas_early_renewals) << "storage refused a SAS: it was renewed too late";
}

TEST_F(AzureClientPeers, AnExpiredSasThatCannotBeRenewedSaysSo) {
    start(R"({"sas_lifetime_seconds": 1})");
    std::string url;
    snapshot_with_access(url);
    std::this_thread::sleep_for(2100ms);
    SasSource sas(url);
    PageBlobReader reader(client_->blob, sas);
    try {
        reader.inspect();
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::auth);
        EXPECT_NE(std::string(e.what()).find("get a new one"), std::string::npos) << e.what();
        EXPECT_EQ(std::string(e.what()).find("sig="), std::string::npos) << e.what();
    }
}

TEST_F(AzureClientPeers, ARangeFailingOnceIsFetchedAgain) {
    start(R"({"blob_proxy": {"fail_once_at": 0}})");
    std::string url;
    snapshot_with_access(url);
    SasSource sas(url);
    download_and_compare(sas);
    EXPECT_NE(peers_->state().find("\"blob_failures_injected\":1"), std::string::npos);
}
