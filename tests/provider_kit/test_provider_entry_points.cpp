// The provider kit's generated C entry points (entry_points.hpp), called
// through the C table exactly as the host does, with a real core Job and
// host table: sessions opened and freed, documents written, errors turned
// into statuses and job errors, bad input named.
#include <hypersdk/core/host_table.hpp>
#include <hypersdk/core/job.hpp>
#include <hypersdk/core/provider_documents.hpp>
#include <hypersdk/provider/entry_points.hpp>
#include <hypersdk/provider/sink_artifact.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <string>

namespace pk = hypersdk::provider;
namespace cxx = hypersdk::cxx;
namespace core = hypersdk::core;

namespace {

std::atomic<int> g_sessions_alive{0};

struct FakeSession {
    explicit FakeSession(std::string region) : region(std::move(region)) { ++g_sessions_alive; }
    ~FakeSession() { --g_sessions_alive; }
    std::string region;
};

std::unique_ptr<FakeSession> open_fake(const pk::OptionValues& config, const cxx::Job&) {
    const std::string key = config.required_string("access-key", "pass --access-key or set FAKE_ACCESS_KEY");
    if (key != "good")
        throw pk::Error(pk::ErrorKind::auth, "the fake cloud rejected the access key: check FAKE_ACCESS_KEY");
    return std::make_unique<FakeSession>(config.string("region").value_or("r1"));
}

std::vector<pk::VmSummary> list_fake(FakeSession& s, const cxx::Job&) {
    pk::VmSummary vm;
    vm.id = "vm-1";
    vm.name = "one";
    vm.power_state = pk::PowerState::off;
    vm.datacenter = s.region;
    return {vm};
}

pk::VmDescription describe_fake(FakeSession& s, const std::string& ref, const cxx::Job&) {
    if (ref != "vm-1") throw pk::Error(pk::ErrorKind::not_found, "no VM \"" + ref + "\" in " + s.region);
    pk::VmDescription vm;
    vm.id = "vm-1";
    vm.name = "one";
    vm.power_state = pk::PowerState::off;
    vm.disks.push_back({"disk-0", "", 4, "raw", 0, "vol-1", ""});
    return vm;
}

pk::ExportResult export_fake(FakeSession& s, const std::string& ref, const pk::OptionValues& options,
                             const cxx::Job& job) {
    const auto common = pk::common_export_options(options);
    if (common.format != "" && common.format != "raw")
        throw pk::Error(pk::ErrorKind::unsupported, "format " + common.format + " is not supported; use raw");
    pk::ExportResult r;
    r.vm = describe_fake(s, ref, job);
    cxx::Sink sink(job, pk::artifact_json({"disk", "disk-0", "one-disk-0.raw", "raw", 4, 4, "fake:vol-1"}));
    sink.write("abcd", 4);
    sink.commit();
    r.files.push_back({"disk", "disk-0", "one-disk-0.raw", "raw", 4});
    r.export_method = "fake-copy";
    return r;
}

const char* const kFormats[] = {"raw", nullptr};
const hypersdk_provider_capabilities kCapabilities = {
    sizeof(hypersdk_provider_capabilities), "fake", kFormats, nullptr, false, false, nullptr,
};
const pk::ProviderFunctions<FakeSession> kFunctions = {open_fake, list_fake, describe_fake, export_fake,
                                                       "no VM given: pass --vm ID"};
const hypersdk_provider& kProvider = pk::provider_table<kFunctions, kCapabilities>;

// Records what the plugin writes through its sinks.
class MemorySink final : public core::Sink {
public:
    explicit MemorySink(std::string& bytes, bool& committed) : bytes_(bytes), committed_(committed) {}
    uint64_t offset() const override { return bytes_.size(); }
    int32_t write(const void* data, size_t length) override {
        bytes_.append(static_cast<const char*>(data), length);
        return HYPERSDK_OK;
    }
    int32_t write_zeros(uint64_t length) override {
        bytes_.append(length, '\0');
        return HYPERSDK_OK;
    }
    int32_t rewind() override {
        bytes_.clear();
        return HYPERSDK_OK;
    }
    int32_t close(int32_t status) override {
        committed_ = status == HYPERSDK_OK;
        return HYPERSDK_OK;
    }

private:
    std::string& bytes_;
    bool& committed_;
};

class MemorySinks final : public core::SinkFactory {
public:
    int32_t open(core::Job&, std::string_view artifact, std::unique_ptr<core::Sink>& out) override {
        artifact_json = artifact;
        out = std::make_unique<MemorySink>(bytes, committed);
        return HYPERSDK_OK;
    }
    std::string artifact_json, bytes;
    bool committed = false;
};

class ProviderEntryPoints : public ::testing::Test {
protected:
    void SetUp() override { cxx::set_host(table_.get()); }
    void TearDown() override { cxx::set_host(nullptr); }

    // Opens with `config`; returns the status, sets session_.
    int32_t open(const char* config) { return kProvider.open(config, job_.handle(), &session_); }

    core::HostTable table_{"org.example.fake", "/fake.so"};
    core::Job job_;
    hypersdk_provider_session* session_ = nullptr;
};

TEST_F(ProviderEntryPoints, OpenListDescribeExportClose) {
    ASSERT_EQ(open(R"({"access-key":"good","region":"r9"})"), HYPERSDK_OK);
    ASSERT_NE(session_, nullptr);
    EXPECT_EQ(g_sessions_alive.load(), 1);

    core::TextBuffer list;
    ASSERT_EQ(kProvider.list_vms(session_, job_.handle(), list.handle()), HYPERSDK_OK);
    const auto summaries = core::read_vm_summaries(list.text());
    ASSERT_TRUE(summaries.value.has_value());
    EXPECT_TRUE(summaries.issues.empty());
    EXPECT_EQ(summaries.value->at(0).path, "");
    EXPECT_EQ(summaries.value->at(0).power_state, core::PowerState::off);

    core::TextBuffer description;
    ASSERT_EQ(kProvider.describe_vm(session_, "vm-1", job_.handle(), description.handle()), HYPERSDK_OK);
    EXPECT_TRUE(core::read_vm_description(description.text()).issues.empty());

    MemorySinks sinks;
    job_.set_sink_factory(&sinks);
    core::TextBuffer result;
    ASSERT_EQ(kProvider.export_vm(session_, "vm-1", R"({"format":"raw","parallel":2})", job_.handle(),
                                  result.handle()),
              HYPERSDK_OK);
    EXPECT_EQ(sinks.bytes, "abcd");
    EXPECT_TRUE(sinks.committed);
    EXPECT_NE(sinks.artifact_json.find(R"("exact_bytes":4)"), std::string::npos);
    const auto read = core::read_export_result(result.text());
    ASSERT_TRUE(read.value.has_value());
    EXPECT_EQ(read.value->export_method, "fake-copy");

    kProvider.close(session_);
    EXPECT_EQ(g_sessions_alive.load(), 0);
    kProvider.close(nullptr);  // allowed by provider.h
}

TEST_F(ProviderEntryPoints, BadCredentialIsAuthAndNamesTheVariableNotTheValue) {
    EXPECT_EQ(open(R"({"access-key":"s3cr3t-value"})"), HYPERSDK_ERR_AUTH);
    EXPECT_EQ(session_, nullptr);
    ASSERT_TRUE(job_.error().has_value());
    EXPECT_NE(job_.error()->message.find("FAKE_ACCESS_KEY"), std::string::npos);
    EXPECT_EQ(job_.error()->message.find("s3cr3t-value"), std::string::npos);
    EXPECT_EQ(g_sessions_alive.load(), 0);
}

TEST_F(ProviderEntryPoints, MissingAndMistypedOptionsAreInvalidArguments) {
    EXPECT_EQ(open("{}"), HYPERSDK_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(job_.error()->message, "no access-key given: pass --access-key or set FAKE_ACCESS_KEY");
    core::Job job2;
    EXPECT_EQ(kProvider.open(R"({"access-key":7})", job2.handle(), &session_), HYPERSDK_ERR_INVALID_ARGUMENT);
    EXPECT_NE(job2.error()->message.find("access-key"), std::string::npos);
    core::Job job3;
    EXPECT_EQ(kProvider.open("[1,2", job3.handle(), &session_), HYPERSDK_ERR_INVALID_ARGUMENT);
    EXPECT_NE(job3.error()->message.find("the fake configuration"), std::string::npos);
}

TEST_F(ProviderEntryPoints, ErrorsOfTheFunctionsBecomeStatuses) {
    ASSERT_EQ(open(R"({"access-key":"good"})"), HYPERSDK_OK);
    core::TextBuffer out;
    EXPECT_EQ(kProvider.describe_vm(session_, "vm-404", job_.handle(), out.handle()), HYPERSDK_ERR_NOT_FOUND);
    EXPECT_EQ(job_.error()->message, "no VM \"vm-404\" in r1");
    core::Job job2;
    EXPECT_EQ(kProvider.describe_vm(session_, "", job2.handle(), out.handle()),
              HYPERSDK_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(job2.error()->message, "no VM given: pass --vm ID");
    core::Job job3;
    EXPECT_EQ(kProvider.export_vm(session_, "vm-1", R"({"format":"ova"})", job3.handle(), out.handle()),
              HYPERSDK_ERR_UNSUPPORTED);
    core::Job job4;
    EXPECT_EQ(kProvider.export_vm(session_, "vm-1", R"({"parallel":0})", job4.handle(), out.handle()),
              HYPERSDK_ERR_INVALID_ARGUMENT);
    EXPECT_NE(job4.error()->message.find("parallel"), std::string::npos);
    core::Job job5;
    EXPECT_EQ(kProvider.list_vms(nullptr, job5.handle(), out.handle()), HYPERSDK_ERR_INTERNAL);
    kProvider.close(session_);
}

TEST(ProviderGetInterface, OffersOnlyTheProviderInterface) {
    EXPECT_EQ(pk::provider_get_interface<kProvider>(HYPERSDK_PROVIDER_INTERFACE_ID), &kProvider);
    EXPECT_EQ(pk::provider_get_interface<kProvider>("hypersdk.converter/1"), nullptr);
    EXPECT_EQ(pk::provider_get_interface<kProvider>(nullptr), nullptr);
    EXPECT_EQ(kProvider.struct_size, sizeof(hypersdk_provider));
    EXPECT_STREQ(kProvider.capabilities->provider_name, "fake");
}

}  // namespace
