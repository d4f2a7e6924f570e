// `hyperexport profiles` with the real binary, a private profile directory
// (HYPEREXPORT_PROFILE_DIR) and a private HOME, so no test touches the
// user's ~/.hyperexport.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "process.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using namespace hypersdk::test;

namespace {

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

size_t line_count(const std::string& text) {
    return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

class ProfilesCommand : public ::testing::Test {
protected:
    void SetUp() override { fs::create_directories(tmp_ / "home"); }

    ProcessResult hyperexport(std::vector<std::string> args, bool with_dir_env = true) {
        args.insert(args.begin(), {HYPEREXPORT_BINARY, "--no-default-plugin-dirs"});
        ProcessOptions options;
        options.env["HOME"] = (tmp_ / "home").string();
        if (with_dir_env)
            options.env["HYPEREXPORT_PROFILE_DIR"] = dir_.string();
        else
            options.unset_env.push_back("HYPEREXPORT_PROFILE_DIR");
        options.timeout = std::chrono::seconds(30);
        auto result = run_process(args, options);
        EXPECT_FALSE(result.timed_out);
        return result;
    }

    TempDir tmp_;
    fs::path dir_ = tmp_ / "profiles";
};

}  // namespace

TEST_F(ProfilesCommand, HelpListsEverySubcommandAndKey) {
    const auto r = hyperexport({"profiles", "--help"});
    EXPECT_EQ(r.exit_code, 0);
    for (const char* word :
         {"list", "show NAME", "save NAME", "delete NAME", "--from FILE", "--set KEY=VALUE", "--force",
          "HYPEREXPORT_PROFILE_DIR", "~/.hyperexport/profiles", "conversion_timeout", "plugin_options",
          "PLUGIN.OPTION=VALUE", "stream_conversion", "credentials"})
        EXPECT_NE(r.out.find(word), std::string::npos) << word;
    for (const char* sub : {"list", "show", "save", "delete"}) {
        const auto help = hyperexport({"profiles", sub, "--help"});
        EXPECT_EQ(help.exit_code, 0) << sub;
        EXPECT_NE(help.out.find(std::string("Usage: hyperexport profiles ") + sub), std::string::npos) << sub;
    }
    EXPECT_NE(hyperexport({"--help"}).out.find("profiles"), std::string::npos);
}

TEST_F(ProfilesCommand, UsageErrorsExit2WithOneLine) {
    const std::vector<std::vector<std::string>> cases = {
        {"profiles"},
        {"profiles", "frobnicate"},
        {"profiles", "show"},
        {"profiles", "list", "--bogus"},
        {"profiles", "save", "p"},
        {"profiles", "save", "p", "--from", "f.json", "--set", "format=ovf"},
        {"profiles", "save", "p", "--set", "noequals"},
        {"profiles", "save", "p", "--set", "formt=ovf"},
        {"profiles", "save", "p", "--set", "compress=yes"},
        {"profiles", "save", "p", "--set", "parallel=100"},
        {"profiles", "save", "p", "--set", "name=q"},
        {"profiles", "save", "../evil", "--set", "format=ovf"},
        {"profiles", "save", "a..b", "--set", "format=ovf"},
        {"profiles", "delete", "a/b"},
        {"profiles", "show", ".."},
    };
    for (const auto& args : cases) {
        const auto r = hyperexport(args);
        std::string joined;
        for (const auto& a : args) joined += a + " ";
        EXPECT_EQ(r.exit_code, 2) << joined << r.err;
        EXPECT_EQ(line_count(r.err), 1u) << joined << r.err;
        EXPECT_EQ(r.err.rfind("hyperexport: ", 0), 0u) << r.err;
        EXPECT_TRUE(r.out.empty()) << joined;
    }
    EXPECT_FALSE(fs::exists(dir_));
}

TEST_F(ProfilesCommand, SetErrorsCarryCoreMessages) {
    auto r = hyperexport({"profiles", "save", "p", "--set", "compress=yes"});
    EXPECT_EQ(
        r.err,
        "hyperexport: --set compress=yes: \"compress\" must be true or false (see hyperexport profiles save "
        "--help)\n");
    r = hyperexport({"profiles", "save", "p", "--set", "formt=ovf"});
    EXPECT_NE(r.err.find("--set formt=ovf: unknown key \"formt\" (known: name, "), std::string::npos)
        << r.err;
    r = hyperexport({"profiles", "save", "p", "--set", "password=secret"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("unknown key \"password\""), std::string::npos) << r.err;
    r = hyperexport({"profiles", "save", "p", "--set", "conversion_timeout=2 hours"});
    EXPECT_NE(r.err.find("\"conversion_timeout\" must be a duration like 2h"), std::string::npos) << r.err;
}

TEST_F(ProfilesCommand, SaveWithSetShowListDelete) {
    auto r = hyperexport({"profiles", "list"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.out, "");
    EXPECT_NE(r.err.find("no profiles in " + dir_.string()), std::string::npos) << r.err;

    r = hyperexport({"profiles", "save", "kvm", "--set", "format=ova", "--set", "compress=true", "--set",
                     "parallel=4", "--set", "description=true", "--set", "conversion_timeout=90m", "--set",
                     "format=ovf"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(
        read_text(dir_ / "kvm.json"),
        "{\n  \"name\": \"kvm\",\n  \"description\": \"true\",\n  \"format\": \"ovf\",\n  \"compress\": "
        "true,\n  \"parallel\": 4,\n  \"conversion_timeout\": \"90m\"\n}\n");

    r = hyperexport({"profiles", "show", "kvm"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.out, read_text(dir_ / "kvm.json"));

    // Exists: refused without --force, replaced with it.
    r = hyperexport({"profiles", "save", "kvm", "--set", "format=ova"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err, "hyperexport: profile " + (dir_ / "kvm.json").string() +
                         ": already exists (use --force to replace it)\n");
    r = hyperexport({"profiles", "save", "kvm", "--set", "format=ova", "--force"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(read_text(dir_ / "kvm.json"), "{\n  \"name\": \"kvm\",\n  \"format\": \"ova\"\n}\n");

    ASSERT_EQ(hyperexport({"profiles", "save", "alpha", "--set", "auto_convert=false"}).exit_code, 0);
    r = hyperexport({"profiles", "list"});
    EXPECT_EQ(r.out, "alpha\nkvm\n");

    r = hyperexport({"profiles", "delete", "kvm"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(hyperexport({"profiles", "list"}).out, "alpha\n");
    r = hyperexport({"profiles", "delete", "kvm"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err, "hyperexport: profile " + (dir_ / "kvm.json").string() + ": does not exist\n");
}

TEST_F(ProfilesCommand, SaveFromFileTakesTheNameFromTheCommandLine) {
    const fs::path file = tmp_ / "seed.json";
    std::ofstream(file) << R"({
  "name": "auto-kvm-migration",
  "description": "Automatic export and conversion to KVM",
  "format": "ovf",
  "compress": false,
  "generate_manifest": true,
  "verify_manifest": true,
  "manifest_checksum": true,
  "manifest_target_format": "qcow2",
  "auto_convert": true,
  "stream_conversion": true
})";
    auto r = hyperexport({"profiles", "save", "mine", "--from", file.string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = hyperexport({"profiles", "show", "mine"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.out.find("\"name\": \"mine\""), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\"manifest_target_format\": \"qcow2\""), std::string::npos) << r.out;

    // show also takes a path.
    r = hyperexport({"profiles", "show", file.string()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("\"name\": \"auto-kvm-migration\""), std::string::npos);
}

TEST_F(ProfilesCommand, BadFromFileExits1NamingFileAndKey) {
    const fs::path file = tmp_ / "bad.json";
    std::ofstream(file) << R"({"format": "ovf", "formt": "ova"})";
    auto r = hyperexport({"profiles", "save", "x", "--from", file.string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err.rfind("hyperexport: profile " + file.string() + ": unknown key \"formt\" (known: ", 0),
              0u)
        << r.err;
    EXPECT_FALSE(fs::exists(dir_ / "x.json"));

    r = hyperexport({"profiles", "save", "x", "--from", (tmp_ / "absent.json").string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err, "hyperexport: profile " + (tmp_ / "absent.json").string() + ": does not exist\n");
}

TEST_F(ProfilesCommand, ShowOfMissingOrInvalidProfileExits1NamingThePath) {
    auto r = hyperexport({"profiles", "show", "nope"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err, "hyperexport: profile " + (dir_ / "nope.json").string() + ": does not exist\n");
    EXPECT_EQ(r.out, "");

    fs::create_directories(dir_);
    std::ofstream(dir_ / "typo.json") << R"({"compress": "yes"})";
    r = hyperexport({"profiles", "show", "typo"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err, "hyperexport: profile " + (dir_ / "typo.json").string() +
                         ": \"compress\" must be true or false\n");
}

TEST_F(ProfilesCommand, WithoutTheVariableProfilesLiveUnderHome) {
    auto r = hyperexport({"profiles", "save", "homed", "--set", "format=ovf"}, false);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const fs::path expected = tmp_ / "home" / ".hyperexport" / "profiles" / "homed.json";
    EXPECT_TRUE(fs::exists(expected));
    EXPECT_EQ((fs::status(expected.parent_path()).permissions() & fs::perms::all), fs::perms::owner_all);
    EXPECT_EQ(hyperexport({"profiles", "list"}, false).out, "homed\n");
}

TEST_F(ProfilesCommand, QuietSilencesTheNotes) {
    auto r = hyperexport({"--quiet", "profiles", "list"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.err, "");
    r = hyperexport({"--quiet", "profiles", "save", "q", "--set", "format=ovf"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.err, "");
}
