#include "provider_conformance.hpp"

#include <hypersdk/core/manifest_reader.hpp>
#include <hypersdk/core/provider_documents.hpp>

#include <sys/stat.h>

#include <atomic>
#include <chrono>

#include "images.hpp"
#include "provider_harness.hpp"
#include "temp_dir.hpp"

namespace hypersdk::test {

void PrintTo(const ConformanceCase& c, std::ostream* os) {
    *os << c.name;
}

std::string conformance_case_name(const ::testing::TestParamInfo<ConformanceCase>& info) {
    return info.param.name;
}

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// A started peer, the plugin loaded through core, and an open session.
struct Opened {
    std::unique_ptr<ConformancePeer> peer;
    std::unique_ptr<ProviderHarness> harness;
    hypersdk_provider_session* session = nullptr;

    ~Opened() {
        if (harness && session != nullptr) harness->close(session);
    }
};

std::unique_ptr<Opened> open_peer(const ConformanceCase& c, bool slow = false) {
    auto o = std::make_unique<Opened>();
    o->peer = c.make_peer();
    o->peer->start(slow);
    o->harness = std::make_unique<ProviderHarness>(o->peer->plugin_dir(), o->peer->provider_name());
    const ProviderCall r = o->harness->open(o->peer->config_json(), &o->session);
    EXPECT_EQ(r.status, HYPERSDK_OK) << r.error;
    EXPECT_NE(o->session, nullptr);
    return o;
}

core::ExportRequest export_request(const ConformancePeer& peer, const std::filesystem::path& out) {
    core::ExportRequest request;
    request.vm = peer.vm_ref();
    request.output_dir = out;
    request.config_json = peer.config_json();
    request.power_off = peer.export_needs_power_off();
    request.parallel = 2;
    request.verify_manifest = true;
    return request;
}

TEST_P(ProviderConformance, ListsVmsAsTheHostReadsThem) {
    auto o = open_peer(GetParam());
    ASSERT_NE(o->session, nullptr);
    const ProviderCall r = o->harness->list_vms(o->session);
    ASSERT_EQ(r.status, HYPERSDK_OK) << r.error;
    const auto read = core::read_vm_summaries(r.text);
    ASSERT_TRUE(read.value.has_value()) << r.text;
    EXPECT_TRUE(read.issues.empty()) << read.issues.front() << "\n" << r.text;
    bool found = false;
    for (const auto& vm : *read.value) {
        EXPECT_FALSE(vm.id.empty()) << r.text;
        EXPECT_FALSE(vm.name.empty()) << r.text;
        found |= vm.id == o->peer->vm_ref() || vm.name == o->peer->vm_ref() || vm.path == o->peer->vm_ref();
    }
    EXPECT_TRUE(found) << o->peer->vm_ref() << " not listed: " << r.text;
}

TEST_P(ProviderConformance, DescribesTheVmAsTheHostReadsIt) {
    auto o = open_peer(GetParam());
    ASSERT_NE(o->session, nullptr);
    const ProviderCall r = o->harness->describe_vm(o->session, o->peer->vm_ref());
    ASSERT_EQ(r.status, HYPERSDK_OK) << r.error;
    const auto read = core::read_vm_description(r.text);
    ASSERT_TRUE(read.value.has_value()) << r.text;
    EXPECT_TRUE(read.issues.empty()) << read.issues.front() << "\n" << r.text;
    const core::VmDescription& vm = *read.value;
    EXPECT_FALSE(vm.id.empty());
    EXPECT_FALSE(vm.name.empty());
    ASSERT_FALSE(vm.disks.empty()) << r.text;
    int boot_disks = 0;
    for (const auto& d : vm.disks) {
        EXPECT_FALSE(d.id.empty()) << r.text;
        EXPECT_GT(d.capacity_bytes.value_or(0), 0u) << d.id;
        EXPECT_FALSE(d.format.empty()) << d.id;
        boot_disks += d.boot_order_hint == 0 ? 1 : 0;
    }
    EXPECT_EQ(boot_disks, 1) << "exactly one disk has boot_order_hint 0: " << r.text;
    EXPECT_TRUE(vm.firmware.empty() || vm.firmware == "bios" || vm.firmware == "uefi" ||
                vm.firmware == "unknown")
        << vm.firmware;

    // An unknown VM: NOT_FOUND, naming what was looked for.
    const ProviderCall missing = o->harness->describe_vm(o->session, "no-such-vm-conformance");
    EXPECT_EQ(missing.status, HYPERSDK_ERR_NOT_FOUND) << missing.error;
    EXPECT_NE(missing.error.find("no-such-vm-conformance"), std::string::npos) << missing.error;
}

TEST_P(ProviderConformance, ExportsIntoSinksWithAValidManifest) {
    auto o = open_peer(GetParam());
    ASSERT_NE(o->session, nullptr);
    TempDir out;
    const core::ExportOutcome outcome = o->harness->run_export(export_request(*o->peer, out.path()));
    ASSERT_TRUE(outcome.ok()) << outcome.error;
    EXPECT_TRUE(outcome.document_issues.empty()) << outcome.document_issues.front();
    EXPECT_TRUE(outcome.manifest_verified);
    ASSERT_FALSE(outcome.manifest_path.empty());

    // The manifest as hyper2kvm will read it: valid, every disk present.
    const auto read = core::read_manifest_file(outcome.manifest_path);
    ASSERT_TRUE(read.parsed);
    const auto issues = core::validate_read_result(read);
    EXPECT_TRUE(issues.empty()) << issues.front().to_string();
    EXPECT_FALSE(read.manifest.disks.empty());

    // Every committed file complete, private, and (when the peer knows) the source's bytes.
    const auto expected = o->peer->expected_disk_sha256();
    size_t disks = 0;
    for (const auto& f : outcome.files) {
        ASSERT_TRUE(std::filesystem::is_regular_file(f.path)) << f.path;
        EXPECT_EQ(std::filesystem::file_size(f.path), f.bytes) << f.path;
        struct stat st {};
        ASSERT_EQ(::stat(f.path.c_str(), &st), 0);
        EXPECT_EQ(st.st_mode & 0777, 0600u) << f.path;
        if (f.kind != "disk") continue;
        ++disks;
        EXPECT_EQ(f.sha256, sha256_of_file(f.path)) << f.path;
        if (auto it = expected.find(f.file_name); it != expected.end()) {
            EXPECT_EQ(f.sha256, it->second) << f.file_name;
        }
    }
    EXPECT_EQ(disks, read.manifest.disks.size());
    for (const auto& [name, sha] : expected)
        EXPECT_TRUE(std::filesystem::exists(out.path() / name)) << name << " was not written";
    for (const auto& entry : std::filesystem::directory_iterator(out.path()))
        EXPECT_FALSE(ends_with(entry.path().string(), ".part")) << entry.path() << " left behind";
}

TEST_P(ProviderConformance, CancellationMidExportLeavesOnlyPartFiles) {
    auto o = open_peer(GetParam(), /*slow=*/true);
    ASSERT_NE(o->session, nullptr);
    TempDir out;
    std::atomic<uint64_t> seen{0};
    const auto began = std::chrono::steady_clock::now();
    const core::ExportOutcome outcome = o->harness->run_export(export_request(*o->peer, out.path()),
                                                               [&](core::Job& job, uint64_t done, uint64_t) {
                                                                   seen = done;
                                                                   if (done > 0) job.cancel();
                                                               });
    EXPECT_EQ(outcome.status, core::ExportStatus::cancelled) << outcome.error;
    EXPECT_GT(seen.load(), 0u)
        << "cancelled before any byte arrived: make the peer's start(slow=true) slower";
    EXPECT_LT(std::chrono::steady_clock::now() - began, std::chrono::seconds(60));
    EXPECT_TRUE(outcome.manifest_path.empty());
    size_t parts = 0;
    for (const auto& entry : std::filesystem::directory_iterator(out.path())) {
        const std::string name = entry.path().filename().string();
        if (ends_with(name, ".part")) {
            ++parts;
            continue;
        }
        EXPECT_TRUE(ends_with(name, ".resume.json")) << name << " looks complete after a cancelled export";
    }
    EXPECT_GE(parts, 1u) << "the partial download was not kept for a resume";
    const std::string left = o->peer->leftovers_after_cancel();
    EXPECT_TRUE(left.empty()) << left;
}

TEST_P(ProviderConformance, WrongCredentialIsAuthNamingItNeverShowingIt) {
    const ConformanceCase& c = GetParam();
    auto peer = c.make_peer();
    peer->start(false);
    ProviderHarness harness(peer->plugin_dir(), peer->provider_name());
    hypersdk_provider_session* session = nullptr;
    const ProviderCall r = harness.open(peer->config_with_wrong_secret(), &session);
    EXPECT_EQ(r.status, HYPERSDK_ERR_AUTH) << r.error;
    EXPECT_EQ(session, nullptr);
    if (session != nullptr) harness.close(session);
    bool named = false;
    for (const auto& name : peer->credential_names()) named |= r.error.find(name) != std::string::npos;
    EXPECT_TRUE(named) << "the message does not say which credential to fix: " << r.error;
    const std::string secret = peer->wrong_secret();
    ASSERT_FALSE(secret.empty());
    EXPECT_EQ(r.error.find(secret), std::string::npos) << r.error;
    for (const auto& w : r.warnings) EXPECT_EQ(w.message.find(secret), std::string::npos) << w.message;

    // The whole export as hyperexport runs it: the same, and nothing written.
    TempDir out;
    core::ExportRequest request = export_request(*peer, out.path());
    request.config_json = peer->config_with_wrong_secret();
    const core::ExportOutcome outcome = harness.run_export(request);
    EXPECT_EQ(outcome.status, core::ExportStatus::failed);
    EXPECT_EQ(outcome.error.find(secret), std::string::npos) << outcome.error;
    for (const auto& w : outcome.warnings) EXPECT_EQ(w.find(secret), std::string::npos) << w;
    EXPECT_TRUE(std::filesystem::is_empty(out.path()));
}

}  // namespace
}  // namespace hypersdk::test
