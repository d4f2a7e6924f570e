// ABI 1.1 compatibility, proven with real binaries: a plugin built against
// the frozen 1.0 headers loads and works in today's host; option tables are
// copied at load, and a malformed or shadowing table gets its plugin refused
// with a message naming the option.
#include <hypersdk/core/conversion_manager.hpp>
#include <hypersdk/core/export_runner.hpp>
#include <hypersdk/core/plugin_registry.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "temp_dir.hpp"

namespace hypersdk::core {
namespace {

namespace fs = std::filesystem;

fs::path case_dir(const std::string& name) {
    return fs::path(HYPERSDK_ABI_PLUGIN_ROOT) / name;
}

std::string refusal_of(const PluginRegistry& registry, const std::string& file) {
    for (const auto& error : registry.load_errors())
        if (error.path.filename() == file) return error.message;
    return "<" + file + " was not refused>";
}

TEST(AbiCompat, APluginBuiltAgainstTheFrozen10HeadersLoadsAsOneZero) {
    PluginRegistry registry;
    registry.discover({case_dir("legacy-1.0")});
    ASSERT_TRUE(registry.load_errors().empty()) << registry.load_errors().front().message;
    const LoadedPlugin* plugin = registry.find("org.hypersdk.test.legacy10");
    ASSERT_NE(plugin, nullptr);
    EXPECT_EQ(plugin->abi_minor(), 0);
    // Its capability structs end where 1.0's did: no options, read as none.
    EXPECT_EQ(plugin->provider()->capabilities->struct_size,
              offsetof(hypersdk_provider_capabilities, options));
    EXPECT_TRUE(plugin->provider_backend()->capabilities().options.empty());
    EXPECT_TRUE(plugin->converter_backend()->capabilities().options.empty());
    EXPECT_EQ(plugin->converter_backend()->capabilities().tool_name, "legacyconv");
}

TEST(AbiCompat, TheOneZeroProviderExportsThroughTodaysHost) {
    PluginRegistry registry;
    registry.discover({case_dir("legacy-1.0")});
    const ExportRunner runner(registry);
    hypersdk::test::TempDir out;
    ExportRequest request;
    request.provider = "legacycloud";
    request.vm = "old-vm";
    request.output_dir = out.path();
    request.fix = false;  // its converter only converts formats
    Job job("export");
    const ExportOutcome outcome = runner.run(request, job);
    ASSERT_TRUE(outcome.ok()) << outcome.error;
    ASSERT_EQ(outcome.files.size(), 1u);
    EXPECT_EQ(outcome.files[0].bytes, 65536u);
    EXPECT_EQ(outcome.format, "raw");  // its first declared format
    EXPECT_TRUE(fs::exists(outcome.manifest_path));
    EXPECT_EQ(outcome.vm_name, "old-vm");
    std::ifstream disk(out / "old-vm-disk0.raw", std::ios::binary);
    char first = 0;
    disk.get(first);
    EXPECT_EQ(first, '0');  // 0x30: what the plugin wrote first
    // No OVF was written, so the manifest does not claim an OVF export.
    std::ifstream manifest(outcome.manifest_path);
    const std::string text((std::istreambuf_iterator<char>(manifest)), std::istreambuf_iterator<char>());
    EXPECT_NE(text.find("\"export_method\": \"raw\""), std::string::npos) << text;

    // Its converter is routed and validated with a config that has no
    // options (and none of the 1.0 host's binary_path).
    ConversionRequest conversion;
    conversion.manifest_path = outcome.manifest_path;
    conversion.converter = "legacyconv";
    const ConversionPlan plan = ConversionManager(registry).plan(conversion);
    ASSERT_TRUE(plan.decision.chosen_id) << plan.decision.failure;
    EXPECT_EQ(*plan.decision.chosen_id, "org.hypersdk.test.legacy10");
}

TEST(AbiCompat, OptionTablesAreCopiedAtLoad) {
    PluginRegistry registry;
    registry.discover({case_dir("options")});
    const LoadedPlugin* plugin = registry.find("org.hypersdk.test.options");
    ASSERT_NE(plugin, nullptr) << (registry.load_errors().empty() ? ""
                                                                  : registry.load_errors().front().message);
    const auto& provider = plugin->provider_backend()->capabilities().options;
    ASSERT_EQ(provider.size(), 7u);
    EXPECT_EQ(provider[0].name, "region");
    EXPECT_EQ(provider[0].env, (std::vector<std::string>{"OPT_REGION", "OPT_DEFAULT_REGION"}));
    EXPECT_TRUE(provider[1].required);
    EXPECT_EQ(provider[2].max_value, 32);
    EXPECT_EQ(provider[6].type, OptionType::secret);
    const auto& converter = plugin->converter_backend()->capabilities().options;
    ASSERT_EQ(converter.size(), 2u);
    EXPECT_EQ(plugin->converter_backend()->name(), "optconv");
    EXPECT_EQ(secret_environment_variables(registry),
              (std::vector<std::string>{"OPTCONV_KEY", "OPT_LEGACY_TOKEN", "OPT_TOKEN"}));
}

TEST(AbiCompat, AMalformedOptionTableGetsThePluginRefused) {
    PluginRegistry registry;
    registry.discover({case_dir("options-bad-name")});
    EXPECT_TRUE(registry.plugins().empty());
    EXPECT_NE(refusal_of(registry, "optbadname.so").find("provider option 1 name 'Region'"),
              std::string::npos)
        << refusal_of(registry, "optbadname.so");
}

TEST(AbiCompat, AnOptionThatWouldShadowAHostFlagGetsThePluginRefused) {
    PluginRegistry registry;
    registry.reserve_flags({"output", "provider"});
    registry.discover({case_dir("options-shadow")});
    EXPECT_TRUE(registry.plugins().empty());
    EXPECT_EQ(refusal_of(registry, "optshadow.so"),
              "its option would be offered as --output, which is a hyperexport flag: rename the option");
}

TEST(AbiCompat, TwoConvertersOfferingTheSameFlagCannotBothLoad) {
    PluginRegistry registry;
    registry.discover({case_dir("options"), case_dir("options-shadow")});
    ASSERT_EQ(registry.plugins().size(), 1u);
    EXPECT_EQ(
        refusal_of(registry, "optshadow.so"),
        "its option would be offered as --optconv-level, which plugin org.hypersdk.test.options already "
        "offers: rename the option");
}

}  // namespace
}  // namespace hypersdk::core
