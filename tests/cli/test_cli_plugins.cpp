// Runs the real hyperexport binary (HYPEREXPORT_BINARY, set by CMake from
// $<TARGET_FILE:hyperexport>) against the ABI test plugins. Every run gets
// HYPERSDK_PLUGIN_PATH="" and, where the exact plugin set matters,
// --no-default-plugin-dirs, so the results do not depend on what else is
// built or installed.
#include <hypersdk/version.h>

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "run_process.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;

namespace {

std::string plugin_dir(const std::string& name) {
    return (fs::path(HYPERSDK_ABI_PLUGIN_ROOT) / name).string();
}

ProcessResult hyperexport(const std::vector<std::string>& args) {
    ProcessResult result = run_process(HYPEREXPORT_BINARY, args, {{"HYPERSDK_PLUGIN_PATH", ""}});
    EXPECT_FALSE(result.timed_out) << "hyperexport did not finish in time";
    return result;
}

// hyperexport --no-default-plugin-dirs --plugin-dir <case> <args...>
ProcessResult hyperexport_with(const std::string& case_name, const std::vector<std::string>& args) {
    std::vector<std::string> all{"--no-default-plugin-dirs", "--plugin-dir", plugin_dir(case_name)};
    all.insert(all.end(), args.begin(), args.end());
    return hyperexport(all);
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

std::vector<std::string> words_of(const std::string& line) {
    std::vector<std::string> words;
    std::istringstream in(line);
    for (std::string word; in >> word;) words.push_back(word);
    return words;
}

const rapidjson::Value* find_by(const rapidjson::Value& array, const char* key, const std::string& value) {
    for (const auto& item : array.GetArray()) {
        if (item.HasMember(key) && item[key].IsString() && value == item[key].GetString()) return &item;
    }
    return nullptr;
}

std::vector<std::string> strings(const rapidjson::Value& array) {
    std::vector<std::string> out;
    for (const auto& item : array.GetArray()) out.emplace_back(item.GetString());
    return out;
}

bool export_command_registered() {
    const ProcessResult help = hyperexport({"--help"});
    for (const auto& line : lines_of(help.out)) {
        const auto words = words_of(line);
        if (!words.empty() && words[0] == "export" && line.rfind("  ", 0) == 0) return true;
    }
    return false;
}

// The test plugins are built from today's SDK headers.
const std::string kAbi = "1." + std::to_string(HYPERSDK_ABI_MINOR);

TEST(CliGlobal, VersionPrintsProgramAndAbiVersion) {
    const ProcessResult r = hyperexport({"--version"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.out, "hyperexport 0.1.0 (hypersdk ABI 1." + std::to_string(HYPERSDK_ABI_MINOR) + ")\n");
}

TEST(CliGlobal, HelpListsGlobalOptionsAndThePluginsCommand) {
    const ProcessResult r = hyperexport({"--help"});
    EXPECT_EQ(r.exit_code, 0);
    for (const char* option :
         {"--help", "--version", "--log-level", "--plugin-dir", "--quiet", "--no-default-plugin-dirs"})
        EXPECT_NE(r.out.find(option), std::string::npos) << option << " missing from:\n" << r.out;
    const auto lines = lines_of(r.out);
    const auto commands = std::find(lines.begin(), lines.end(), "Commands:");
    ASSERT_NE(commands, lines.end()) << r.out;
    EXPECT_TRUE(std::any_of(commands, lines.end(), [](const std::string& line) {
        const auto words = words_of(line);
        return !words.empty() && words[0] == "plugins";
    })) << r.out;
}

TEST(CliGlobal, UnknownOptionIsOneLineAndExitTwo) {
    const ProcessResult r = hyperexport({"-z"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "hyperexport: unknown option '-z' (see hyperexport --help)\n");
    EXPECT_TRUE(r.out.empty());
}

// A leading "--option" that is not global goes to the default export
// command, which refuses what it does not know in one line.
TEST(CliGlobal, UnknownDoubleDashOptionIsRefusedByTheDefaultExportCommand) {
    ASSERT_TRUE(export_command_registered());
    const ProcessResult r = hyperexport({"--foo"});
    EXPECT_EQ(r.exit_code, 2);
    // Without --provider the hint says where provider options come from.
    EXPECT_EQ(
        r.err.rfind("hyperexport: unknown option '--foo' (a provider's options are offered once --provider "
                    "names it; ",
                    0),
        0u)
        << r.err;
    EXPECT_NE(r.err.find("(see hyperexport export --help)\n"), std::string::npos) << r.err;
}

TEST(CliGlobal, UnknownCommandAndMissingCommandExitTwo) {
    ProcessResult r = hyperexport({"frobnicate"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "hyperexport: unknown command 'frobnicate' (see hyperexport --help)\n");
    r = hyperexport({});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(lines_of(r.err).size(), 1u) << r.err;
}

TEST(CliGlobal, BadLogLevelAndMissingValueAreUsageErrors) {
    ProcessResult r = hyperexport({"--log-level", "loud", "plugins", "list"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err,
              "hyperexport: invalid --log-level 'loud': use trace|debug|info|warn|error|off (see hyperexport "
              "--help)\n");
    r = hyperexport({"--plugin-dir"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(lines_of(r.err).size(), 1u) << r.err;
    EXPECT_NE(r.err.find("--plugin-dir"), std::string::npos) << r.err;
}

TEST(CliPluginsList, TableShowsTheGoodPlugin) {
    const ProcessResult r = hyperexport_with("good", {"plugins", "list"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto lines = lines_of(r.out);
    ASSERT_EQ(lines.size(), 2u) << r.out;
    EXPECT_EQ(words_of(lines[0]), (std::vector<std::string>{"ID", "KIND", "VERSION", "ABI", "PATH"}));
    EXPECT_EQ(words_of(lines[1]),
              (std::vector<std::string>{"org.hypersdk.test.good", "provider,converter", "1.2.3", kAbi,
                                        (fs::path(plugin_dir("good")) / "good.so").string()}));
    EXPECT_EQ(r.out.find("Not loaded:"), std::string::npos);
}

TEST(CliPluginsList, RefusedFilesAreListedWithTheirReasonAndExitZero) {
    const ProcessResult r = hyperexport_with("mixed", {"plugins", "list"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto lines = lines_of(r.out);
    const auto section = std::find(lines.begin(), lines.end(), "Not loaded:");
    ASSERT_NE(section, lines.end()) << r.out;
    const long refused = std::count_if(section + 1, lines.end(), [](const auto& l) { return !l.empty(); });
    EXPECT_EQ(refused, 16);
    EXPECT_NE(r.out.find("x.so: cannot be loaded"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("v2only.so: built for hypersdk ABI major 2, this host speaks major 1"),
              std::string::npos);
    EXPECT_NE(r.out.find("org.hypersdk.test.newer"), std::string::npos);
    // Each refusal is also a warning on stderr, in the documented format.
    EXPECT_NE(r.err.find("] [warn] plugin "), std::string::npos) << r.err;
}

// HYPERSDK_PLUGIN_PATH naming a directory anyone may write to, and a
// relative entry: neither is searched, both are named under "Not loaded:"
// with the reason, and a warning says so.
TEST(CliPluginsList, UntrustedAndRelativePluginPathEntriesAreRefused) {
    const hypersdk::test::TempDir scratch;
    const fs::path open_dir = scratch / "open";
    fs::create_directories(open_dir);
    fs::copy_file(fs::path(plugin_dir("good")) / "good.so", open_dir / "good.so");
    ASSERT_EQ(::chmod((open_dir / "good.so").c_str(), 0644), 0);
    ASSERT_EQ(::chmod(open_dir.c_str(), 0777), 0);

    const ProcessResult r = run_process(HYPEREXPORT_BINARY, {"--no-default-plugin-dirs", "plugins", "list"},
                                        {{"HYPERSDK_PLUGIN_PATH", "plugins-here:" + open_dir.string()}});
    ASSERT_FALSE(r.timed_out);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.find("org.hypersdk.test.good"), std::string::npos)
        << "loaded from a world-writable dir:\n"
        << r.out;
    const auto lines = lines_of(r.out);
    const auto section = std::find(lines.begin(), lines.end(), "Not loaded:");
    ASSERT_NE(section, lines.end()) << r.out;
    const std::vector<std::string> refused(section + 1, lines.end());
    ASSERT_EQ(refused.size(), 2u) << r.out;
    EXPECT_EQ(refused[0].rfind("  plugins-here: a relative HYPERSDK_PLUGIN_PATH entry", 0), 0u) << refused[0];
    EXPECT_EQ(
        refused[1].rfind("  " + open_dir.string() + ": it is world-writable (mode 0777, no sticky bit)", 0),
        0u)
        << refused[1];
    EXPECT_NE(refused[1].find("chmod go-w " + open_dir.string()), std::string::npos) << refused[1];
    EXPECT_NE(r.err.find("[warn] plugin directory " + open_dir.string() + " not searched"), std::string::npos)
        << r.err;

    // The same directory made private again is searched.
    ASSERT_EQ(::chmod(open_dir.c_str(), 0755), 0);
    const ProcessResult fixed =
        run_process(HYPEREXPORT_BINARY, {"--no-default-plugin-dirs", "plugins", "list"},
                    {{"HYPERSDK_PLUGIN_PATH", open_dir.string()}});
    EXPECT_EQ(fixed.exit_code, 0) << fixed.err;
    EXPECT_NE(fixed.out.find("org.hypersdk.test.good"), std::string::npos) << fixed.out;
    EXPECT_EQ(fixed.out.find("Not loaded:"), std::string::npos) << fixed.out;
}

TEST(CliPluginsList, QuietSilencesTheWarnings) {
    const ProcessResult quiet = hyperexport_with("mixed", {"--quiet", "plugins", "list"});
    EXPECT_EQ(quiet.exit_code, 0);
    EXPECT_EQ(quiet.err.find("[warn]"), std::string::npos) << quiet.err;
    // The refusals are still in the listing itself.
    EXPECT_NE(quiet.out.find("Not loaded:"), std::string::npos);
    // --quiet is a global option: after the command it is an unknown option.
    const ProcessResult late = hyperexport_with("mixed", {"plugins", "list", "--quiet"});
    EXPECT_EQ(late.exit_code, 2);
    EXPECT_EQ(late.err, "hyperexport: unknown option '--quiet' (see hyperexport plugins list --help)\n");
}

TEST(CliPluginsList, JsonListsPluginsAndRefusals) {
    const ProcessResult r = hyperexport_with("mixed", {"plugins", "list", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    rapidjson::Document doc;
    ASSERT_FALSE(doc.Parse(r.out.c_str()).HasParseError()) << r.out;
    EXPECT_NE(r.out.find("\n  \"plugins\""), std::string::npos) << "2-space indent expected";
    ASSERT_TRUE(doc["plugins"].IsArray());
    EXPECT_EQ(doc["plugins"].Size(), 7u);
    const rapidjson::Value* good = find_by(doc["plugins"], "id", "org.hypersdk.test.good");
    ASSERT_NE(good, nullptr);
    EXPECT_STREQ((*good)["name"].GetString(), "good-test");
    EXPECT_EQ(strings((*good)["kinds"]), (std::vector<std::string>{"provider", "converter"}));
    EXPECT_STREQ((*good)["version"].GetString(), "1.2.3");
    EXPECT_STREQ((*good)["abi"].GetString(), kAbi.c_str());
    EXPECT_STREQ((*good)["thread_model"].GetString(), "parallel");
    EXPECT_EQ(fs::path((*good)["path"].GetString()), fs::path(plugin_dir("mixed")) / "good.so");
    const rapidjson::Value* newer = find_by(doc["plugins"], "id", "org.hypersdk.test.newer");
    ASSERT_NE(newer, nullptr);
    EXPECT_STREQ((*newer)["abi"].GetString(), "1.5");
    const rapidjson::Value* older = find_by(doc["plugins"], "id", "org.hypersdk.test.older");
    ASSERT_NE(older, nullptr);
    EXPECT_STREQ((*older)["thread_model"].GetString(), "serialize");

    ASSERT_TRUE(doc["refused"].IsArray());
    EXPECT_EQ(doc["refused"].Size(), 16u);
    const rapidjson::Value* dup = find_by(doc["refused"], "path", plugin_dir("mixed") + "/dup-b.so");
    ASSERT_NE(dup, nullptr);
    EXPECT_NE(std::string((*dup)["error"].GetString()).find("already provided by"), std::string::npos);
}

TEST(CliPluginsList, DefaultDirsStillFindExplicitPlugins) {
    const ProcessResult r = hyperexport({"--plugin-dir", plugin_dir("good"), "plugins", "list", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    rapidjson::Document doc;
    ASSERT_FALSE(doc.Parse(r.out.c_str()).HasParseError()) << r.out;
    EXPECT_NE(find_by(doc["plugins"], "id", "org.hypersdk.test.good"), nullptr);
}

TEST(CliPluginsInfo, HumanOutputShowsDescriptorAndCapabilities) {
    const ProcessResult r = hyperexport_with("good", {"plugins", "info", "org.hypersdk.test.good"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto lines = lines_of(r.out);
    auto value_of = [&](const std::string& label) {
        for (const auto& line : lines) {
            const auto words = words_of(line);
            if (!words.empty() && words[0] == label) {
                const size_t start = line.find_first_not_of(' ', line.find(label) + label.size());
                return start == std::string::npos ? std::string() : line.substr(start);
            }
        }
        return std::string("<missing " + label + ">");
    };
    EXPECT_EQ(value_of("ID:"), "org.hypersdk.test.good");
    EXPECT_EQ(value_of("Name:"), "good-test");
    EXPECT_EQ(value_of("Version:"), "1.2.3");
    EXPECT_EQ(value_of("Description:"), "A well-formed test plugin with both kinds");
    EXPECT_EQ(value_of("Homepage:"), "https://example.invalid/good");
    EXPECT_EQ(value_of("License:"), "Apache-2.0");
    EXPECT_EQ(value_of("Kinds:"), "provider, converter");
    EXPECT_EQ(value_of("Thread"), "model:  parallel");
    EXPECT_EQ(value_of("ABI:"), kAbi);
    EXPECT_EQ(value_of("provider_name:"), "testcloud");
    EXPECT_EQ(value_of("export_formats:"), "ovf, vmdk-stream");
    EXPECT_EQ(value_of("auth_methods:"), "password, token-42");
    EXPECT_EQ(value_of("exports_powered_on:"), "yes");
    EXPECT_EQ(value_of("supports_incremental:"), "no");
    EXPECT_EQ(value_of("supported_source_formats:"), "vmdk, vhdx");
    EXPECT_EQ(value_of("supported_target_formats:"), "qcow2, raw");
    EXPECT_EQ(value_of("supports_driver_injection:"), "yes");
    EXPECT_EQ(value_of("supports_os_detection:"), "no");
    EXPECT_EQ(value_of("supports_validation:"), "yes");
    EXPECT_EQ(value_of("supported_providers:"), "testcloud, vsphere");
    EXPECT_EQ(value_of("priority:"), "77");
    EXPECT_EQ(value_of("tool_name:"), "good-tool");
    EXPECT_EQ(value_of("install_hint:"), "apt-get install good-tool");
}

TEST(CliPluginsInfo, JsonCarriesEveryFieldAndCapability) {
    const ProcessResult r = hyperexport_with("good", {"plugins", "info", "org.hypersdk.test.good", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    rapidjson::Document doc;
    ASSERT_FALSE(doc.Parse(r.out.c_str()).HasParseError()) << r.out;
    EXPECT_STREQ(doc["id"].GetString(), "org.hypersdk.test.good");
    EXPECT_STREQ(doc["name"].GetString(), "good-test");
    EXPECT_STREQ(doc["version"].GetString(), "1.2.3");
    EXPECT_STREQ(doc["description"].GetString(), "A well-formed test plugin with both kinds");
    EXPECT_STREQ(doc["homepage"].GetString(), "https://example.invalid/good");
    EXPECT_STREQ(doc["license"].GetString(), "Apache-2.0");
    EXPECT_EQ(strings(doc["kinds"]), (std::vector<std::string>{"provider", "converter"}));
    EXPECT_STREQ(doc["thread_model"].GetString(), "parallel");
    EXPECT_STREQ(doc["abi"].GetString(), kAbi.c_str());
    EXPECT_EQ(fs::path(doc["path"].GetString()), fs::path(plugin_dir("good")) / "good.so");

    const auto& provider = doc["provider"];
    EXPECT_STREQ(provider["provider_name"].GetString(), "testcloud");
    EXPECT_EQ(strings(provider["export_formats"]), (std::vector<std::string>{"ovf", "vmdk-stream"}));
    EXPECT_EQ(strings(provider["auth_methods"]), (std::vector<std::string>{"password", "token-42"}));
    EXPECT_TRUE(provider["exports_powered_on"].GetBool());
    EXPECT_FALSE(provider["supports_incremental"].GetBool());

    const auto& converter = doc["converter"];
    EXPECT_EQ(strings(converter["supported_source_formats"]), (std::vector<std::string>{"vmdk", "vhdx"}));
    EXPECT_EQ(strings(converter["supported_target_formats"]), (std::vector<std::string>{"qcow2", "raw"}));
    EXPECT_TRUE(converter["supports_driver_injection"].GetBool());
    EXPECT_FALSE(converter["supports_os_detection"].GetBool());
    EXPECT_TRUE(converter["supports_validation"].GetBool());
    EXPECT_EQ(strings(converter["supported_providers"]), (std::vector<std::string>{"testcloud", "vsphere"}));
    EXPECT_EQ(converter["priority"].GetInt(), 77);
    EXPECT_STREQ(converter["tool_name"].GetString(), "good-tool");
    EXPECT_STREQ(converter["install_hint"].GetString(), "apt-get install good-tool");
}

TEST(CliPluginsInfo, OlderMinorOptionalFieldsAreNullNotGarbage) {
    const ProcessResult r =
        hyperexport_with("older-minor", {"plugins", "info", "org.hypersdk.test.older", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    rapidjson::Document doc;
    ASSERT_FALSE(doc.Parse(r.out.c_str()).HasParseError()) << r.out;
    EXPECT_TRUE(doc["description"].IsNull());
    EXPECT_TRUE(doc["homepage"].IsNull());
    EXPECT_TRUE(doc["license"].IsNull());
    EXPECT_FALSE(doc.HasMember("provider"));
    EXPECT_TRUE(doc["converter"]["tool_name"].IsNull());
}

TEST(CliPluginsInfo, UnknownIdExitsOneAndListsKnownIds) {
    const ProcessResult r = hyperexport_with("good", {"plugins", "info", "org.nope"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(lines_of(r.err).size(), 1u) << r.err;
    EXPECT_NE(r.err.find("no plugin with id 'org.nope'"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("org.hypersdk.test.good"), std::string::npos) << r.err;
}

TEST(CliPluginsUsage, BadSubcommandArgumentsAreOneLineExitTwo) {
    ProcessResult r = hyperexport_with("good", {"plugins", "list", "--foo"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "hyperexport: unknown option '--foo' (see hyperexport plugins list --help)\n");
    r = hyperexport_with("good", {"plugins", "info"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(lines_of(r.err).size(), 1u) << r.err;
    r = hyperexport_with("good", {"plugins", "info", "a", "b"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(lines_of(r.err).size(), 1u) << r.err;
    r = hyperexport_with("good", {"plugins"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(lines_of(r.err).size(), 1u) << r.err;
    r = hyperexport_with("good", {"plugins", "remove"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(lines_of(r.err).size(), 1u) << r.err;
}

TEST(CliPluginsUsage, CommandHelpIsHandledByTheCommand) {
    ProcessResult r = hyperexport({"plugins", "--help"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.out.find("info ID"), std::string::npos) << r.out;
    r = hyperexport({"plugins", "info", "--help"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.out.find("--json"), std::string::npos) << r.out;
}

}  // namespace
