// Loads the real test plugins of tests/abi/plugins through PluginRegistry and
// checks every acceptance and refusal rule of docs/plugin-loading.md.
#include <hypersdk/core/job.hpp>
#include <hypersdk/core/plugin_registry.hpp>

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using hypersdk::core::Job;
using hypersdk::core::LoadedPlugin;
using hypersdk::core::PluginRegistry;
using hypersdk::core::TextBuffer;

namespace {

fs::path case_dir(const std::string& name) {
    return fs::path(HYPERSDK_ABI_PLUGIN_ROOT) / name;
}

std::vector<std::string> list(const char* const* items) {
    std::vector<std::string> out;
    for (size_t i = 0; items != nullptr && items[i] != nullptr && i < 64; ++i) out.emplace_back(items[i]);
    return out;
}

std::string only_error(const PluginRegistry& registry) {
    EXPECT_EQ(registry.load_errors().size(), 1u);
    return registry.load_errors().empty() ? std::string() : registry.load_errors().front().message;
}

TEST(AbiLoading, GoodPluginLoadsWithBothKindsAndItsCapabilities) {
    PluginRegistry registry;
    registry.discover({case_dir("good")});
    ASSERT_TRUE(registry.load_errors().empty()) << registry.load_errors().front().message;
    ASSERT_EQ(registry.plugins().size(), 1u);
    const LoadedPlugin* plugin = registry.find("org.hypersdk.test.good");
    ASSERT_NE(plugin, nullptr);

    EXPECT_STREQ(plugin->descriptor().name, "good-test");
    EXPECT_STREQ(plugin->descriptor().version, "1.2.3");
    EXPECT_STREQ(plugin->descriptor().description, "A well-formed test plugin with both kinds");
    EXPECT_STREQ(plugin->descriptor().license, "Apache-2.0");
    EXPECT_EQ(plugin->abi_major(), 1);
    EXPECT_EQ(plugin->abi_minor(), HYPERSDK_ABI_MINOR);  // built from today's headers
    EXPECT_TRUE(plugin->path().is_absolute());
    EXPECT_EQ(plugin->path().filename(), "good.so");
    EXPECT_FALSE(plugin->serialized());
    EXPECT_FALSE(plugin->lock_for_call().owns_lock());

    ASSERT_NE(plugin->provider(), nullptr);
    const auto* provider_caps = plugin->provider()->capabilities;
    EXPECT_EQ(provider_caps, plugin->provider_capabilities());  // points at the host copy
    EXPECT_STREQ(provider_caps->provider_name, "testcloud");
    EXPECT_EQ(list(provider_caps->export_formats), (std::vector<std::string>{"ovf", "vmdk-stream"}));
    EXPECT_EQ(list(provider_caps->auth_methods), (std::vector<std::string>{"password", "token-42"}));
    EXPECT_TRUE(provider_caps->exports_powered_on);
    EXPECT_FALSE(provider_caps->supports_incremental);

    ASSERT_NE(plugin->converter(), nullptr);
    const auto* caps = plugin->converter()->capabilities;
    EXPECT_EQ(list(caps->supported_source_formats), (std::vector<std::string>{"vmdk", "vhdx"}));
    EXPECT_EQ(list(caps->supported_target_formats), (std::vector<std::string>{"qcow2", "raw"}));
    EXPECT_TRUE(caps->supports_driver_injection);
    EXPECT_FALSE(caps->supports_os_detection);
    EXPECT_TRUE(caps->supports_validation);
    EXPECT_EQ(list(caps->supported_providers), (std::vector<std::string>{"testcloud", "vsphere"}));
    EXPECT_EQ(caps->priority, 77);
    EXPECT_STREQ(caps->tool_name, "good-tool");
    EXPECT_STREQ(caps->install_hint, "apt-get install good-tool");

    EXPECT_EQ(registry.providers(), std::vector<const LoadedPlugin*>{plugin});
    EXPECT_EQ(registry.converters(), std::vector<const LoadedPlugin*>{plugin});
    EXPECT_EQ(registry.find("org.hypersdk.test.nothing"), nullptr);
}

TEST(AbiLoading, PluginCallsReachTheHostTableMadeForIt) {
    PluginRegistry registry;
    registry.discover({case_dir("good")});
    const LoadedPlugin* plugin = registry.find("org.hypersdk.test.good");
    ASSERT_NE(plugin, nullptr);
    EXPECT_EQ(fs::path(plugin->host()->plugin_path), plugin->path());
    EXPECT_EQ(plugin->host()->struct_size, sizeof(hypersdk_host));

    Job job("list");
    uint64_t progress_total = 0;
    job.on_progress([&](uint64_t, uint64_t total) { progress_total = total; });
    TextBuffer out;
    const auto lock = plugin->lock_for_call();
    ASSERT_EQ(plugin->provider()->list_vms(nullptr, job.handle(), out.handle()), HYPERSDK_OK);
    EXPECT_EQ(out.text(),
              "{\"plugin_path\":\"" + plugin->path().string() + "\",\"host_name\":\"hyperexport\"}");
    EXPECT_EQ(progress_total, 1u);

    TextBuffer version;
    ASSERT_EQ(plugin->converter()->version("{}", job.handle(), version.handle()), HYPERSDK_OK);
    EXPECT_EQ(version.text(), "9.8.7");
}

TEST(AbiLoading, OlderMinorDescriptorReadsItsTailAsNullDespiteGarbage) {
    PluginRegistry registry;
    registry.discover({case_dir("older-minor")});
    ASSERT_TRUE(registry.load_errors().empty()) << registry.load_errors().front().message;
    const LoadedPlugin* plugin = registry.find("org.hypersdk.test.older");
    ASSERT_NE(plugin, nullptr);
    EXPECT_EQ(plugin->descriptor().struct_size, HYPERSDK_PLUGIN_DESCRIPTOR_MIN_SIZE);
    // The plugin's memory holds 0xdeadbeef here; the host copy must not.
    EXPECT_EQ(plugin->descriptor().description, nullptr);
    EXPECT_EQ(plugin->descriptor().homepage, nullptr);
    EXPECT_EQ(plugin->descriptor().license, nullptr);
    EXPECT_EQ(plugin->descriptor().init, nullptr);
    EXPECT_EQ(plugin->provider(), nullptr);
    ASSERT_NE(plugin->converter(), nullptr);
    EXPECT_EQ(plugin->converter()->capabilities->priority, 5);
    // SERIALIZE: every call is made under the plugin's own mutex.
    EXPECT_TRUE(plugin->serialized());
    auto lock = plugin->lock_for_call();
    EXPECT_TRUE(lock.owns_lock());
}

TEST(AbiLoading, NewerMinorWithLargerStructsLoadsAndIgnoresTheExtraTail) {
    PluginRegistry registry;
    registry.discover({case_dir("newer-minor")});
    ASSERT_TRUE(registry.load_errors().empty()) << registry.load_errors().front().message;
    const LoadedPlugin* plugin = registry.find("org.hypersdk.test.newer");
    ASSERT_NE(plugin, nullptr);
    EXPECT_EQ(plugin->abi_major(), 1);
    EXPECT_EQ(plugin->abi_minor(), 5);
    EXPECT_GT(plugin->descriptor().struct_size, sizeof(hypersdk_plugin_descriptor));
    EXPECT_STREQ(plugin->descriptor().description, "built against hypersdk 1.5");
    EXPECT_STREQ(plugin->descriptor().license, "MIT");
    ASSERT_NE(plugin->provider(), nullptr);
    EXPECT_GT(plugin->provider()->struct_size, sizeof(hypersdk_provider));
    EXPECT_STREQ(plugin->provider_capabilities()->provider_name, "futurecloud");
    EXPECT_TRUE(plugin->provider_capabilities()->supports_incremental);
    EXPECT_EQ(list(plugin->provider_capabilities()->auth_methods), std::vector<std::string>{"sigv4"});
    EXPECT_EQ(plugin->converter(), nullptr);
}

struct RefusalCase {
    const char* dir;
    const char* file;
    std::vector<std::string> message_parts;
};

// Keeps test names readable: "GetParam() = refusal case 'size-zero'".
void PrintTo(const RefusalCase& c, std::ostream* os) {
    *os << "refusal case '" << c.dir << "'";
}

class AbiRefusal : public testing::TestWithParam<RefusalCase> {};

TEST_P(AbiRefusal, IsRefusedWithAClearMessage) {
    const RefusalCase& c = GetParam();
    PluginRegistry registry;
    registry.discover({case_dir(c.dir)});
    EXPECT_TRUE(registry.plugins().empty());
    ASSERT_EQ(registry.load_errors().size(), 1u);
    const auto& error = registry.load_errors().front();
    EXPECT_EQ(error.path.filename(), c.file);
    for (const auto& part : c.message_parts)
        EXPECT_NE(error.message.find(part), std::string::npos)
            << "'" << part << "' not in: " << error.message;
    EXPECT_EQ(error.message.find('\n'), std::string::npos) << "one line: " << error.message;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, AbiRefusal,
    testing::Values(
        RefusalCase{
            "entry-v2",
            "v2only.so",
            {"built for hypersdk ABI major 2, this host speaks major 1", "rebuild it against SDK 1.x"}},
        RefusalCase{
            "major2",
            "major2.so",
            {"built for hypersdk ABI major 2, this host speaks major 1", "rebuild it against SDK 1.x"}},
        RefusalCase{"no-entry", "noentry.so", {"not a hypersdk plugin (no hypersdk_plugin_entry_v1 symbol)"}},
        RefusalCase{"null-entry", "nullentry.so", {"hypersdk_plugin_entry_v1 returned NULL"}},
        RefusalCase{"size-zero", "size0.so", {"struct_size 0 is outside"}},
        RefusalCase{"size-huge", "sizehuge.so", {"struct_size 1073741824 is outside"}},
        RefusalCase{"init-fail", "initfail.so", {"init failed with status -7"}},
        RefusalCase{"missing-interface",
                    "nointerface.so",
                    {"declares the converter kind", "get_interface(\"hypersdk.converter/1\") returned NULL"}},
        RefusalCase{"small-interface", "smallinterface.so", {"provider interface struct_size 8 is below"}},
        RefusalCase{"bad-id", "badid.so", {"plugin id 'Org.Bad_ID' is invalid", "[a-z0-9][a-z0-9.-]*"}},
        RefusalCase{"kinds-zero", "kindszero.so", {"declares no kind"}},
        RefusalCase{"no-name", "noname.so", {"descriptor field 'name' is NULL"}},
        RefusalCase{"not-elf", "x.so", {"cannot be loaded"}}),
    [](const testing::TestParamInfo<RefusalCase>& info) {
        std::string name = info.param.dir;
        std::replace(name.begin(), name.end(), '-', '_');
        return name;
    });

#ifdef HYPERSDK_TEST_HAVE_STRIPPED
TEST(AbiLoading, StrippedPluginOfAnotherMajorIsStillRecognised) {
    PluginRegistry registry;
    registry.discover({case_dir("entry-v2-stripped")});
    EXPECT_TRUE(registry.plugins().empty());
    EXPECT_NE(only_error(registry).find("built for hypersdk ABI major 2, this host speaks major 1"),
              std::string::npos)
        << only_error(registry);
}
#endif

TEST(AbiLoading, DuplicateIdFirstFoundWinsAndTheMessageNamesBothPaths) {
    PluginRegistry registry;
    registry.discover({case_dir("duplicate")});
    ASSERT_EQ(registry.plugins().size(), 1u);
    const LoadedPlugin* winner = registry.find("org.hypersdk.test.dup");
    ASSERT_NE(winner, nullptr);
    EXPECT_STREQ(winner->descriptor().name, "dup-a");
    const std::string message = only_error(registry);
    EXPECT_EQ(registry.load_errors().front().path.filename(), "dup-b.so");
    EXPECT_NE(message.find("'org.hypersdk.test.dup' is already provided by " + winner->path().string()),
              std::string::npos)
        << message;
}

TEST(AbiLoading, EarlierDirectoryWinsADuplicate) {
    PluginRegistry registry;
    registry.discover({case_dir("good"), case_dir("mixed")});
    const LoadedPlugin* good = registry.find("org.hypersdk.test.good");
    ASSERT_NE(good, nullptr);
    EXPECT_EQ(good->path().parent_path().filename(), "good");
    const auto& errors = registry.load_errors();
    EXPECT_TRUE(std::any_of(errors.begin(), errors.end(), [](const auto& e) {
        return e.path.filename() == "good.so" && e.message.find("already provided by") != std::string::npos;
    }));
}

TEST(AbiLoading, MixedDirectoryLoadsEveryGoodPluginDespiteTheBadOnes) {
    PluginRegistry registry;
    registry.discover({case_dir("mixed")});
    std::set<std::string> loaded;
    for (const LoadedPlugin* plugin : registry.plugins()) loaded.insert(plugin->id());
    EXPECT_EQ(loaded, (std::set<std::string>{"org.hypersdk.test.good", "org.hypersdk.test.older",
                                             "org.hypersdk.test.newer", "org.hypersdk.test.dup",
                                             "org.hypersdk.test.cxx-throw", "org.hypersdk.test.legacy10",
                                             "org.hypersdk.test.options"}));
    std::set<std::string> refused;
    for (const auto& error : registry.load_errors()) refused.insert(error.path.filename().string());
    EXPECT_EQ(refused,
              (std::set<std::string>{"v2only.so", "major2.so", "noentry.so", "nullentry.so", "size0.so",
                                     "sizehuge.so", "dup-b.so", "initfail.so", "nointerface.so",
                                     "smallinterface.so", "badid.so", "kindszero.so", "noname.so", "x.so",
                                     "optbadname.so", "optshadow.so"}));
    // Load order is by file name within a directory.
    ASSERT_FALSE(registry.plugins().empty());
    EXPECT_EQ(registry.plugins().front()->path().filename(), "cxxthrow.so");
}

TEST(AbiLoading, MissingAndRepeatedDirectoriesAreSkippedSilently) {
    PluginRegistry registry;
    registry.discover(
        {"/nonexistent/hypersdk-plugins", case_dir("good"), case_dir("good") / ".." / "good", ""});
    EXPECT_EQ(registry.plugins().size(), 1u);
    EXPECT_TRUE(registry.load_errors().empty());
    EXPECT_EQ(registry.searched_dirs().size(), 1u);
}

class DeinitLog : public testing::Test {
protected:
    void SetUp() override {
        log_path_ = fs::temp_directory_path() / ("hypersdk-deinit-" + std::to_string(::getpid()) + ".log");
        fs::remove(log_path_);
        ::setenv("HYPERSDK_TEST_DEINIT_LOG", log_path_.c_str(), 1);
    }
    void TearDown() override {
        ::unsetenv("HYPERSDK_TEST_DEINIT_LOG");
        fs::remove(log_path_);
    }
    std::string read_log() const {
        std::ifstream in(log_path_);
        std::stringstream text;
        text << in.rdbuf();
        return text.str();
    }
    fs::path log_path_;
};

TEST_F(DeinitLog, DeinitRunsInReverseLoadOrderAndOnlyAfterASuccessfulInit) {
    {
        PluginRegistry registry;
        registry.discover({case_dir("good"), case_dir("older-minor"), case_dir("init-fail"),
                           case_dir("missing-interface")});
        EXPECT_EQ(registry.plugins().size(), 2u);
        EXPECT_EQ(registry.load_errors().size(), 2u);
        // The plugin refused after its init succeeded was deinitialised at once;
        // the one whose init failed never is.
        EXPECT_EQ(read_log(), "no-interface\n");
    }
    EXPECT_EQ(read_log(), "no-interface\nolder\ngood\n");
}

TEST(AbiLoading, CxxPluginExceptionsBecomeInternalErrorsNotCrashes) {
    PluginRegistry registry;
    registry.discover({case_dir("cxx-throw")});
    const LoadedPlugin* plugin = registry.find("org.hypersdk.test.cxx-throw");
    ASSERT_NE(plugin, nullptr) << (registry.load_errors().empty() ? ""
                                                                  : registry.load_errors().front().message);
    const hypersdk_converter* converter = plugin->converter();
    ASSERT_NE(converter, nullptr);
    const auto lock = plugin->lock_for_call();

    Job std_job("convert");
    TextBuffer out;
    EXPECT_EQ(converter->convert("{}", "/tmp/manifest.json", "{}", std_job.handle(), out.handle()),
              HYPERSDK_ERR_INTERNAL);
    ASSERT_TRUE(std_job.error().has_value());
    EXPECT_EQ(std_job.error()->status, HYPERSDK_ERR_INTERNAL);
    EXPECT_EQ(std_job.error()->message, "internal error in plugin: convert exploded on purpose");

    Job other_job("convert");
    EXPECT_EQ(converter->convert("{}", "/tmp/manifest.json", "{\"mode\":\"non-std\"}", other_job.handle(),
                                 out.handle()),
              HYPERSDK_ERR_INTERNAL);
    ASSERT_TRUE(other_job.error().has_value());
    EXPECT_EQ(other_job.error()->message, "internal error in plugin: unknown exception");

    Job validate_job("validate");
    EXPECT_EQ(converter->validate("{}", validate_job.handle()), HYPERSDK_ERR_TOOL_MISSING);
    ASSERT_TRUE(validate_job.error().has_value());
    EXPECT_EQ(validate_job.error()->message, "throw-tool is not installed");

    Job version_job("version");
    TextBuffer version;
    EXPECT_EQ(converter->version("{}", version_job.handle(), version.handle()), HYPERSDK_OK);
    EXPECT_EQ(version.text(), "1.0.0");
}

}  // namespace
