// Plugin directories and files that other users could change are refused, as
// sudo and OpenSSH refuse such files; relative HYPERSDK_PLUGIN_PATH entries
// too. Each case copies the real "good" test plugin into a scratch directory
// with the modes under test and loads it through the real PluginRegistry.
#include <hypersdk/core/plugin_path_trust.hpp>
#include <hypersdk/core/plugin_paths.hpp>
#include <hypersdk/core/plugin_registry.hpp>

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "temp_dir.hpp"

namespace fs = std::filesystem;
using hypersdk::core::PluginRegistry;
using hypersdk::core::PluginSearchOptions;

namespace {

constexpr uid_t kNobody = 65534;
const char* const kGoodId = "org.hypersdk.test.good";

fs::path good_plugin() {
    return fs::path(HYPERSDK_ABI_PLUGIN_ROOT) / "good" / "good.so";
}

// dir (created with `mode`) holding a copy of good.so with `file_mode`.
fs::path plugin_dir_with(const fs::path& dir, mode_t mode, mode_t file_mode = 0644) {
    fs::create_directories(dir);
    fs::copy_file(good_plugin(), dir / "good.so", fs::copy_options::overwrite_existing);
    EXPECT_EQ(::chmod((dir / "good.so").c_str(), file_mode), 0);
    EXPECT_EQ(::chmod(dir.c_str(), mode), 0);  // chmod: the umask does not apply
    return dir;
}

std::string only_error(const PluginRegistry& registry, const fs::path& path) {
    EXPECT_EQ(registry.load_errors().size(), 1u);
    if (registry.load_errors().empty()) return {};
    EXPECT_EQ(registry.load_errors().front().path, path);
    return registry.load_errors().front().message;
}

#define EXPECT_CONTAINS(text, part) \
    EXPECT_NE(std::string(text).find(part), std::string::npos) << "'" << (part) << "' not in: " << (text)

class PluginPathTrust : public ::testing::Test {
protected:
    hypersdk::test::TempDir scratch_;
};

TEST_F(PluginPathTrust, PrivateDirectoryAndFileLoad) {
    const fs::path dir = plugin_dir_with(scratch_ / "plugins", 0755);
    PluginRegistry registry;
    registry.discover({dir});
    EXPECT_TRUE(registry.load_errors().empty()) << registry.load_errors().front().message;
    EXPECT_NE(registry.find(kGoodId), nullptr);
}

TEST_F(PluginPathTrust, WorldWritableDirectoryIsNotSearched) {
    const fs::path dir = plugin_dir_with(scratch_ / "plugins", 0777);
    PluginRegistry registry;
    registry.discover({dir});
    EXPECT_EQ(registry.find(kGoodId), nullptr);
    EXPECT_TRUE(registry.searched_dirs().empty());
    const std::string message = only_error(registry, dir);
    EXPECT_CONTAINS(message, "world-writable (mode 0777, no sticky bit)");
    EXPECT_CONTAINS(message, "chmod go-w " + dir.string());
}

TEST_F(PluginPathTrust, GroupWritableDirectoryIsNotSearched) {
    const fs::path dir = plugin_dir_with(scratch_ / "plugins", 0775);
    PluginRegistry registry;
    registry.discover({dir});
    EXPECT_EQ(registry.find(kGoodId), nullptr);
    EXPECT_CONTAINS(only_error(registry, dir), "group-writable (mode 0775, no sticky bit)");
}

TEST_F(PluginPathTrust, StickyWorldWritableDirectoryWithOurOwnFileLoads) {
    const fs::path dir = plugin_dir_with(scratch_ / "plugins", 01777);
    PluginRegistry registry;
    registry.discover({dir});
    EXPECT_TRUE(registry.load_errors().empty()) << registry.load_errors().front().message;
    EXPECT_NE(registry.find(kGoodId), nullptr);
}

TEST_F(PluginPathTrust, WritablePluginFileIsRefusedEvenInAGoodDirectory) {
    for (const mode_t file_mode : {0666, 0664}) {
        SCOPED_TRACE(file_mode);
        const fs::path dir =
            plugin_dir_with(scratch_ / ("plugins-" + std::to_string(file_mode)), 0755, file_mode);
        PluginRegistry registry;
        registry.discover({dir});
        EXPECT_EQ(registry.find(kGoodId), nullptr);
        const std::string message = only_error(registry, dir / "good.so");
        EXPECT_CONTAINS(message, file_mode == 0666 ? "it is world-writable (mode 0666)" : "group-writable");
    }
}

TEST_F(PluginPathTrust, WritableDirectoryAboveIsNamed) {
    const fs::path above = scratch_ / "shared";
    fs::create_directories(above);
    const fs::path dir = plugin_dir_with(above / "plugins", 0755);
    ASSERT_EQ(::chmod(above.c_str(), 0777), 0);
    PluginRegistry registry;
    registry.discover({dir});
    EXPECT_EQ(registry.find(kGoodId), nullptr);
    const std::string message = only_error(registry, dir);
    EXPECT_CONTAINS(message, "the directory above it, " + above.string() + ", is world-writable");
}

TEST_F(PluginPathTrust, SymlinkIsJudgedByItsTarget) {
    const fs::path open_dir = scratch_ / "open";
    fs::create_directories(open_dir);
    fs::copy_file(good_plugin(), open_dir / "real.so");
    ASSERT_EQ(::chmod((open_dir / "real.so").c_str(), 0644), 0);
    ASSERT_EQ(::chmod(open_dir.c_str(), 0777), 0);
    const fs::path dir = scratch_ / "plugins";
    fs::create_directories(dir);
    fs::create_symlink(open_dir / "real.so", dir / "good.so");
    PluginRegistry registry;
    registry.discover({dir});
    EXPECT_EQ(registry.find(kGoodId), nullptr);
    EXPECT_CONTAINS(only_error(registry, dir / "good.so"),
                    "the directory above its target, " + open_dir.string() + ", is world-writable");
}

TEST_F(PluginPathTrust, DirectoryOwnedBySomeoneElseIsNotSearched) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a directory to another user";
    const fs::path dir = plugin_dir_with(scratch_ / "plugins", 0755);
    ASSERT_EQ(::chown(dir.c_str(), kNobody, kNobody), 0);
    PluginRegistry registry;
    registry.discover({dir});
    EXPECT_EQ(registry.find(kGoodId), nullptr);
    EXPECT_CONTAINS(only_error(registry, dir), "it is owned by uid 65534, neither root nor you");
}

// The case the sticky bit alone would not cover: someone else drops a plugin
// into a shared sticky directory.
TEST_F(PluginPathTrust, FileOfAnotherUserInAStickyDirectoryIsRefused) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a file to another user";
    const fs::path dir = plugin_dir_with(scratch_ / "plugins", 01777);
    ASSERT_EQ(::chown((dir / "good.so").c_str(), kNobody, kNobody), 0);
    PluginRegistry registry;
    registry.discover({dir});
    EXPECT_EQ(registry.find(kGoodId), nullptr);
    EXPECT_CONTAINS(only_error(registry, dir / "good.so"), "owned by uid 65534");
}

TEST_F(PluginPathTrust, RelativeEnvironmentEntryIsRefusedAndTheRestSearched) {
    const fs::path dir = plugin_dir_with(scratch_ / "plugins", 0755);
    PluginSearchOptions options;
    options.plugin_path_env = "relative/plugins:" + dir.string();
    options.include_default_dirs = false;
    const auto resolved = hypersdk::core::resolve_plugin_search_dirs(options);
    EXPECT_EQ(resolved.dirs, std::vector<fs::path>{dir});
    ASSERT_EQ(resolved.refused.size(), 1u);
    EXPECT_EQ(resolved.refused[0].path, "relative/plugins");

    PluginRegistry registry;
    registry.discover(options);
    EXPECT_NE(registry.find(kGoodId), nullptr);
    EXPECT_CONTAINS(only_error(registry, "relative/plugins"), "relative HYPERSDK_PLUGIN_PATH entry");
    registry.discover(options);  // a second discovery lists the refusal once
    EXPECT_EQ(registry.load_errors().size(), 1u);
}

TEST_F(PluginPathTrust, RelativePluginDirFromTheCommandLineIsKept) {
    PluginSearchOptions options;
    options.explicit_dirs = {"build/plugins"};
    options.plugin_path_env = "";
    options.include_default_dirs = false;
    const auto resolved = hypersdk::core::resolve_plugin_search_dirs(options);
    EXPECT_EQ(resolved.dirs, std::vector<fs::path>{"build/plugins"});
    EXPECT_TRUE(resolved.refused.empty());
}

TEST_F(PluginPathTrust, CheckFunctionsSayNothingForTrustedPaths) {
    const fs::path dir = plugin_dir_with(scratch_ / "plugins", 0755);
    EXPECT_EQ(hypersdk::core::untrusted_plugin_dir_reason(dir), std::nullopt);
    EXPECT_EQ(hypersdk::core::untrusted_plugin_file_reason(dir / "good.so"), std::nullopt);
    EXPECT_NE(hypersdk::core::untrusted_plugin_dir_reason(scratch_ / "missing"), std::nullopt);
}

}  // namespace
