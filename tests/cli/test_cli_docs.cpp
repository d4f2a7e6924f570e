// The `plugins list` example of docs/hyperexport.md is what hyperexport
// really prints: the plugins of this build (as if installed in the Debian
// plugin directory) plus a plugin built for ABI major 2, refused. A reader who
// follows the docs must meet the same file names and messages.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "run_process.hpp"

namespace fs = std::filesystem;

namespace {

const std::string kDocPluginDir = "/usr/lib/x86_64-linux-gnu/hypersdk/plugins";

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// The lines of the fenced block that starts with `command`, after it.
std::vector<std::string> example_after(const fs::path& doc, const std::string& command) {
    std::ifstream in(doc);
    std::stringstream text;
    text << in.rdbuf();
    const auto lines = lines_of(text.str());
    std::vector<std::string> block;
    for (size_t i = 0; i < lines.size(); ++i) {
        if (lines[i] != command || i == 0 || lines[i - 1] != "```") continue;
        for (size_t j = i + 1; j < lines.size() && lines[j] != "```"; ++j) block.push_back(lines[j]);
        break;
    }
    return block;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

TEST(CliDocs, PluginsListExampleIsRealOutput) {
#ifndef HYPERSDK_ALL_PLUGINS_BUILT
    GTEST_SKIP() << "the example lists every plugin; this build leaves some out";
#endif
    const auto example =
        example_after(fs::path(HYPERSDK_DOCS_DIR) / "hyperexport.md", "$ hyperexport plugins list");
    ASSERT_FALSE(example.empty()) << "no `$ hyperexport plugins list` example in docs/hyperexport.md";

    const std::string v2_dir = (fs::path(HYPERSDK_ABI_PLUGIN_ROOT) / "entry-v2").string();
    const ProcessResult r =
        run_process(HYPEREXPORT_BINARY,
                    {"--quiet", "--no-default-plugin-dirs", "--plugin-dir", HYPERSDK_BUILD_PLUGIN_DIR,
                     "--plugin-dir", v2_dir, "plugins", "list"},
                    {{"HYPERSDK_PLUGIN_PATH", ""}});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::string real = replace_all(r.out, std::string(HYPERSDK_BUILD_PLUGIN_DIR) + "/", kDocPluginDir + "/");
    real = replace_all(real, v2_dir + "/", kDocPluginDir + "/");
    EXPECT_EQ(example, lines_of(real)) << "docs/hyperexport.md shows:\n"
                                       <<
        [&] {
            std::string shown;
            for (const auto& line : example) shown += line + "\n";
            return shown;
        }() << "hyperexport prints (paths moved to "
                                       << kDocPluginDir << "):\n"
                                       << real;
}

}  // namespace
