#include <hypersdk/core/logging.hpp>
#include <hypersdk/core/plugin_paths.hpp>

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

namespace fs = std::filesystem;
using namespace hypersdk::core;

TEST(Logging, ParsesEveryDocumentedLevel) {
    EXPECT_EQ(parse_log_level("trace"), spdlog::level::trace);
    EXPECT_EQ(parse_log_level("debug"), spdlog::level::debug);
    EXPECT_EQ(parse_log_level("info"), spdlog::level::info);
    EXPECT_EQ(parse_log_level("warn"), spdlog::level::warn);
    EXPECT_EQ(parse_log_level("error"), spdlog::level::err);
    EXPECT_EQ(parse_log_level("off"), spdlog::level::off);
    EXPECT_FALSE(parse_log_level("verbose").has_value());
    EXPECT_FALSE(parse_log_level("WARN").has_value());
}

TEST(Logging, ConfigureSetsTheLevelAndRejectsUnknownNames) {
    ASSERT_TRUE(configure_logging("error"));
    EXPECT_EQ(spdlog::default_logger()->level(), spdlog::level::err);
    EXPECT_FALSE(configure_logging("loud"));
    EXPECT_EQ(spdlog::default_logger()->level(), spdlog::level::err);
    ASSERT_TRUE(configure_logging("warn"));
    EXPECT_EQ(spdlog::default_logger()->level(), spdlog::level::warn);
}

TEST(PluginPaths, SplitDropsEmptyElements) {
    EXPECT_EQ(split_search_path("/a::/b:"), (std::vector<fs::path>{"/a", "/b"}));
    EXPECT_TRUE(split_search_path("").empty());
}

TEST(PluginPaths, OrderIsCommandLineThenEnvironmentThenDefaults) {
    PluginSearchOptions options;
    options.explicit_dirs = {"/cli/one", "/cli/two"};
    options.plugin_path_env = "/env/one:/cli/one:/env/two";
    const auto dirs = plugin_search_dirs(options);
    ASSERT_EQ(dirs.size(), 6u);
    EXPECT_EQ(dirs[0], "/cli/one");
    EXPECT_EQ(dirs[1], "/cli/two");
    EXPECT_EQ(dirs[2], "/env/one");
    EXPECT_EQ(dirs[3], "/env/two");  // the repeated /cli/one was dropped
    const auto relative = executable_relative_plugin_dir();
    ASSERT_TRUE(relative.has_value());
    EXPECT_EQ(dirs[4], *relative);
    EXPECT_EQ(relative->filename(), "plugins");
    EXPECT_EQ(dirs[5], fs::path(HYPERSDK_TEST_INSTALL_PLUGIN_DIR));
}

TEST(PluginPaths, DefaultDirsCanBeLeftOut) {
    PluginSearchOptions options;
    options.explicit_dirs = {"/cli"};
    options.plugin_path_env = "";
    options.include_default_dirs = false;
    EXPECT_EQ(plugin_search_dirs(options), std::vector<fs::path>{"/cli"});
}
