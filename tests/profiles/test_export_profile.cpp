// The export profile API: every key parsed, every bad key, type and value
// refused with its exact message, JSON round trip, atomic save into a private
// directory, list and delete.
#include <hypersdk/core/export_profile.hpp>

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "temp_dir.hpp"

namespace fs = std::filesystem;
using hypersdk::core::ExportProfile;
using hypersdk::core::ProfileError;
namespace core = hypersdk::core;

namespace {

constexpr const char* kKnown =
    "name, description, provider, format, compress, fix, output, parallel, power_off, "
    "generate_manifest, verify_manifest, manifest_checksum, manifest_target_format, auto_convert, converter, "
    "conversion_timeout, stream_conversion";

// The message parse_profile_json throws for `json`, or "" when it parses.
std::string parse_error(const std::string& json, const std::string& source = "/x/p.json") {
    try {
        core::parse_profile_json(json, source);
    } catch (const ProfileError& error) {
        return error.what();
    }
    return "";
}

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The flat plugin keys full_profile() uses, claimed as the host claims the
// keys its loaded plugins declare.
bool claim_flat_keys(const std::string& key) {
    return key == "insecure" || key == "hyper2kvm_binary";
}

ExportProfile full_profile() {
    ExportProfile p;
    p.name = "auto-kvm-migration";
    p.description = "Automatic export and conversion to KVM";
    p.provider = "vsphere";
    p.format = "ova";
    p.compress = true;
    p.output = "/srv/exports";
    p.parallel = 8;
    p.power_off = true;
    p.loose_keys["insecure"] = {"false"};
    p.generate_manifest = true;
    p.verify_manifest = true;
    p.manifest_checksum = false;
    p.manifest_target_format = "raw";
    p.auto_convert = true;
    p.converter = "qemu-img";
    p.loose_keys["hyper2kvm_binary"] = {"/usr/local/bin/hyper2kvm"};
    p.plugin_options["vsphere"]["datacenter"] = {"DC0"};
    p.plugin_options["vsphere"]["parallel-ranges"] = {"8"};
    p.plugin_options["aws"]["tags"] = {"a", "b"};
    p.conversion_timeout = "4h30m";
    p.stream_conversion = false;
    return p;
}

void expect_same(const ExportProfile& a, const ExportProfile& b) {
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.description, b.description);
    EXPECT_EQ(a.provider, b.provider);
    EXPECT_EQ(a.format, b.format);
    EXPECT_EQ(a.manifest_target_format, b.manifest_target_format);
    EXPECT_EQ(a.loose_keys, b.loose_keys);
    EXPECT_EQ(a.plugin_options, b.plugin_options);
    EXPECT_EQ(a.converter, b.converter);
    EXPECT_EQ(a.output, b.output);
    EXPECT_EQ(a.conversion_timeout, b.conversion_timeout);
    EXPECT_EQ(a.compress, b.compress);
    EXPECT_EQ(a.generate_manifest, b.generate_manifest);
    EXPECT_EQ(a.verify_manifest, b.verify_manifest);
    EXPECT_EQ(a.manifest_checksum, b.manifest_checksum);
    EXPECT_EQ(a.auto_convert, b.auto_convert);
    EXPECT_EQ(a.stream_conversion, b.stream_conversion);
    EXPECT_EQ(a.power_off, b.power_off);
    EXPECT_EQ(a.parallel, b.parallel);
}

// Points profiles_dir() at a private directory for the test's lifetime.
class ProfileDir : public ::testing::Test {
protected:
    void SetUp() override {
        dir_path_ = tmp_.path() / "profiles";
        ::setenv("HYPEREXPORT_PROFILE_DIR", dir_path_.c_str(), 1);
    }
    void TearDown() override { ::unsetenv("HYPEREXPORT_PROFILE_DIR"); }

    hypersdk::test::TempDir tmp_;
    fs::path dir_path_;
};

}  // namespace

TEST(ProfileParse, TheSeedExampleParses) {
    const auto p = core::parse_profile_json(R"({
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
})",
                                            "seed.json");
    EXPECT_EQ(p.name, "auto-kvm-migration");
    EXPECT_EQ(p.description, "Automatic export and conversion to KVM");
    EXPECT_EQ(p.format, "ovf");
    EXPECT_EQ(p.compress, false);
    EXPECT_EQ(p.generate_manifest, true);
    EXPECT_EQ(p.verify_manifest, true);
    EXPECT_EQ(p.manifest_checksum, true);
    EXPECT_EQ(p.manifest_target_format, "qcow2");
    EXPECT_EQ(p.auto_convert, true);
    EXPECT_EQ(p.stream_conversion, true);
    EXPECT_FALSE(p.parallel);
    EXPECT_TRUE(p.loose_keys.empty());
    EXPECT_FALSE(p.power_off);
}

TEST(ProfileParse, EveryKeyParses) {
    // The flat plugin keys of full_profile() are claimed, as the host claims
    // the keys its loaded plugins declare.
    const auto p =
        core::parse_profile_json(core::profile_to_json(full_profile()), "all.json", claim_flat_keys);
    expect_same(p, full_profile());
}

TEST(ProfileParse, FlatPluginKeysNeedAClaimAndAScalarValue) {
    EXPECT_EQ(parse_error(R"({"insecure": true})").rfind("profile /x/p.json: unknown key \"insecure\"", 0),
              0u);
    const auto claim = [](const std::string& key) { return key == "insecure"; };
    EXPECT_EQ(core::parse_profile_json(R"({"insecure": true})", "p.json", claim).loose_keys.at("insecure"),
              core::ProfileOptionValue{"true"});
    try {
        core::parse_profile_json(R"({"insecure": {"x": 1}})", "/x/p.json", claim);
        FAIL();
    } catch (const ProfileError& error) {
        EXPECT_EQ(std::string(error.what()),
                  "profile /x/p.json: \"insecure\" must be a string, integer, boolean or array of strings");
    }
}

TEST(ProfileParse, PluginOptionSectionsKeepTypedValuesAsText) {
    const auto p = core::parse_profile_json(
        R"({"plugin_options": {"aws": {"region": "eu-west-1", "parallel": 8, "keep-snapshots": true,
                                       "tags": ["a", "b"]}}})",
        "p.json");
    const auto& aws = p.plugin_options.at("aws");
    EXPECT_EQ(aws.at("region"), core::ProfileOptionValue{"eu-west-1"});
    EXPECT_EQ(aws.at("parallel"), core::ProfileOptionValue{"8"});
    EXPECT_EQ(aws.at("keep-snapshots"), core::ProfileOptionValue{"true"});
    EXPECT_EQ(aws.at("tags"), (core::ProfileOptionValue{"a", "b"}));
    for (const char* bad :
         {R"({"plugin_options": []})", R"({"plugin_options": {"AWS": {}}})",
          R"({"plugin_options": {"aws": {"region": null}}})", R"({"plugin_options": {"aws": {"x": [1]}}})"})
        EXPECT_EQ(parse_error(bad).rfind("profile /x/p.json: \"plugin_options", 0), 0u) << bad;
}

TEST(ProfileParse, AnEmptyObjectIsAnEmptyProfile) {
    const auto p = core::parse_profile_json("{}", "empty.json");
    EXPECT_EQ(p.name, "");
    EXPECT_FALSE(p.format);
    EXPECT_FALSE(p.compress);
}

TEST(ProfileParse, UnknownKeyNamesFileKeyAndKnownKeys) {
    EXPECT_EQ(parse_error(R"({"formt": "ovf"})"),
              std::string("profile /x/p.json: unknown key \"formt\" (known: ") + kKnown +
                  "; plugin options go under \"plugin_options\")");
}

TEST(ProfileParse, CredentialsAreUnknownKeys) {
    for (const char* key : {"password", "username", "user", "token", "thumbprint"}) {
        const auto message = parse_error(std::string("{\"") + key + "\": \"x\"}");
        EXPECT_EQ(message.rfind(std::string("profile /x/p.json: unknown key \"") + key + "\" (known: ", 0),
                  0u)
            << message;
    }
}

TEST(ProfileParse, HostileKeyIsEscapedInTheMessage) {
    EXPECT_EQ(
        parse_error("{\"a\\u0001\\\"b\": 1}").rfind("profile /x/p.json: unknown key \"a\\x01\\\"b\"", 0), 0u);
}

TEST(ProfileParse, EachBooleanKeyRefusesOtherTypes) {
    for (const char* key : {"compress", "generate_manifest", "verify_manifest", "manifest_checksum",
                            "auto_convert", "stream_conversion", "power_off"}) {
        for (const char* value : {"\"true\"", "1", "null", "[]", "{}"}) {
            EXPECT_EQ(parse_error(std::string("{\"") + key + "\": " + value + "}"),
                      std::string("profile /x/p.json: \"") + key + "\" must be true or false")
                << key << "=" << value;
        }
    }
}

TEST(ProfileParse, EachStringKeyRefusesOtherTypes) {
    for (const char* key : {"description", "provider", "format", "manifest_target_format", "converter",
                            "output", "conversion_timeout"}) {
        for (const char* value : {"true", "1", "null", "[\"ovf\"]"}) {
            EXPECT_EQ(parse_error(std::string("{\"") + key + "\": " + value + "}"),
                      std::string("profile /x/p.json: \"") + key + "\" must be a string")
                << key << "=" << value;
        }
    }
}

TEST(ProfileParse, EmptyStringsAreRefusedExceptDescription) {
    for (const char* key : {"provider", "converter", "output"})
        EXPECT_EQ(parse_error(std::string("{\"") + key + "\": \"\"}"),
                  std::string("profile /x/p.json: \"") + key + "\" must not be empty");
    EXPECT_EQ(parse_error(R"({"description": ""})"), "");
}

// Which formats exist depends on the provider (the export checks); a profile
// only holds a word that could be one.
TEST(ProfileParse, FormatMustBeAFormatWord) {
    EXPECT_EQ(
        parse_error(R"({"format": "OVF"})"),
        "profile /x/p.json: \"format\" must be an export format such as \"ovf\" or \"ova\", not \"OVF\"");
    EXPECT_EQ(
        parse_error(R"({"format": "v m"})"),
        "profile /x/p.json: \"format\" must be an export format such as \"ovf\" or \"ova\", not \"v m\"");
    EXPECT_EQ(parse_error(R"({"format": "ova"})"), "");
    EXPECT_EQ(parse_error(R"({"format": "ebs-direct"})"), "");
}

TEST(ProfileParse, ManifestTargetFormatMustBeQcow2RawOrVdi) {
    EXPECT_EQ(
        parse_error(R"({"manifest_target_format": "vmdk"})"),
        "profile /x/p.json: \"manifest_target_format\" must be \"qcow2\", \"raw\" or \"vdi\", not \"vmdk\"");
    for (const char* ok : {"qcow2", "raw", "vdi"})
        EXPECT_EQ(parse_error(std::string(R"({"manifest_target_format": ")") + ok + "\"}"), "");
}

TEST(ProfileParse, ParallelMustBeAnIntegerFrom1To64) {
    const std::string message = "profile /x/p.json: \"parallel\" must be an integer from 1 to 64";
    for (const char* bad : {"0", "65", "-1", "2.5", "\"4\"", "true", "1e3", "99999999999"})
        EXPECT_EQ(parse_error(std::string(R"({"parallel": )") + bad + "}"), message) << bad;
    EXPECT_EQ(core::parse_profile_json(R"({"parallel": 1})", "p").parallel, 1);
    EXPECT_EQ(core::parse_profile_json(R"({"parallel": 64})", "p").parallel, 64);
}

TEST(ProfileParse, ConversionTimeoutUsesTheCommandLineDurationGrammar) {
    for (const char* ok : {"2h", "90m", "4h30m", "45s", "3600"})
        EXPECT_EQ(parse_error(std::string(R"({"conversion_timeout": ")") + ok + "\"}"), "") << ok;
    for (const char* bad : {"", "2 hours", "0", "-5m", "4h30", "2d", "1h ", "99999999999h"})
        EXPECT_EQ(parse_error(std::string(R"({"conversion_timeout": ")") + bad + "\"}"),
                  std::string("profile /x/p.json: \"conversion_timeout\" must be a duration like 2h, 90m, "
                              "4h30m or 3600 (seconds), not \"") +
                      bad + "\"")
            << bad;
}

TEST(ProfileParse, NameMustBeAValidProfileName) {
    EXPECT_EQ(parse_error(R"({"name": 3})"), "profile /x/p.json: \"name\" must be a string");
    for (const char* bad : {"", "a/b", "..", "a..b", ".", "sp ace"})
        EXPECT_EQ(
            parse_error(std::string(R"({"name": ")") + bad + "\"}"),
            std::string("profile /x/p.json: \"name\" must be a profile name (letters, digits, '_', '.', "
                        "'-', at most 200, no \"..\"), not \"") +
                bad + "\"")
            << bad;
}

TEST(ProfileParse, DuplicateKeyIsAnError) {
    EXPECT_EQ(parse_error(R"({"format": "ovf", "format": "ova"})"),
              "profile /x/p.json: duplicate key \"format\"");
}

TEST(ProfileParse, NotJsonOrNotAnObject) {
    EXPECT_EQ(parse_error("[]"), "profile /x/p.json: must be a JSON object");
    EXPECT_EQ(parse_error("\"ovf\""), "profile /x/p.json: must be a JSON object");
    EXPECT_EQ(parse_error(R"({"format": "ovf",})").rfind("profile /x/p.json: not valid JSON: ", 0), 0u);
    EXPECT_EQ(parse_error("{} {}").rfind("profile /x/p.json: not valid JSON: ", 0), 0u);
    EXPECT_EQ(parse_error("").rfind("profile /x/p.json: not valid JSON: ", 0), 0u);
}

TEST(ProfileParse, DeepNestingDoesNotCrash) {
    const std::string deep = "{\"description\": " + std::string(100000, '[') + std::string(100000, ']') + "}";
    EXPECT_EQ(parse_error(deep), "profile /x/p.json: nested deeper than 128 levels");
}

TEST(ProfileJson, OnlySetKeysInAFixedOrderWithTwoSpaceIndent) {
    ExportProfile p;
    p.name = "small";
    p.stream_conversion = false;
    p.format = "ovf";
    p.parallel = 4;
    EXPECT_EQ(
        core::profile_to_json(p),
        "{\n  \"name\": \"small\",\n  \"format\": \"ovf\",\n  \"parallel\": 4,\n  \"stream_conversion\": "
        "false\n}\n");
}

TEST(ProfileJson, RoundTripKeepsEveryField) {
    const ExportProfile p = full_profile();
    const std::string json = core::profile_to_json(p);
    expect_same(core::parse_profile_json(json, "rt", claim_flat_keys), p);
    EXPECT_EQ(core::profile_to_json(core::parse_profile_json(json, "rt", claim_flat_keys)), json);
}

TEST(ProfileJson, EscapesStrings) {
    ExportProfile p;
    p.name = "esc";
    p.description = "quote \" backslash \\ newline \n tab \t";
    EXPECT_EQ(core::parse_profile_json(core::profile_to_json(p), "rt").description, p.description);
}

TEST_F(ProfileDir, ProfilesDirComesFromTheEnvironmentElseHome) {
    EXPECT_EQ(core::profiles_dir(), dir_path_);
    ::unsetenv("HYPEREXPORT_PROFILE_DIR");
    const char* old_home = std::getenv("HOME");
    const std::string saved = old_home ? old_home : "";
    ::setenv("HOME", "/home/someone", 1);
    EXPECT_EQ(core::profiles_dir(), fs::path("/home/someone/.hyperexport/profiles"));
    ::setenv("HYPEREXPORT_PROFILE_DIR", "", 1);  // empty means unset
    EXPECT_EQ(core::profiles_dir(), fs::path("/home/someone/.hyperexport/profiles"));
    if (old_home)
        ::setenv("HOME", saved.c_str(), 1);
    else
        ::unsetenv("HOME");
}

TEST_F(ProfileDir, SaveCreatesAPrivateDirectoryAndLoadReadsItBack) {
    core::save_profile(full_profile(), false);
    struct stat st {};
    ASSERT_EQ(::stat(dir_path_.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
    const fs::path file = dir_path_ / "auto-kvm-migration.json";
    EXPECT_EQ(read_text(file), core::profile_to_json(full_profile()));
    EXPECT_FALSE(fs::exists(file.string() + ".part"));
    expect_same(core::load_profile("auto-kvm-migration", claim_flat_keys), full_profile());
    expect_same(core::load_profile(file.string(), claim_flat_keys), full_profile());
}

TEST_F(ProfileDir, SaveCreatesMissingParentsPrivate) {
    dir_path_ = tmp_.path() / "a" / "b" / "profiles";
    ::setenv("HYPEREXPORT_PROFILE_DIR", dir_path_.c_str(), 1);
    ExportProfile p;
    p.name = "x";
    core::save_profile(p, false);
    struct stat st {};
    ASSERT_EQ(::stat((tmp_.path() / "a").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
    EXPECT_TRUE(fs::exists(dir_path_ / "x.json"));
}

TEST_F(ProfileDir, SaveRefusesToReplaceWithoutOverwrite) {
    ExportProfile p;
    p.name = "keep";
    p.format = "ovf";
    core::save_profile(p, false);
    p.format = "ova";
    try {
        core::save_profile(p, false);
        FAIL() << "saved over an existing profile";
    } catch (const ProfileError& error) {
        EXPECT_EQ(std::string(error.what()), "profile " + (dir_path_ / "keep.json").string() +
                                                 ": already exists (use --force to replace it)");
    }
    EXPECT_EQ(core::load_profile("keep").format, "ovf");
    core::save_profile(p, true);
    EXPECT_EQ(core::load_profile("keep").format, "ova");
}

TEST_F(ProfileDir, SaveIsAtomicAStalePartFileIsReplacedAndTheOldProfileSurvivesAFailure) {
    ExportProfile p;
    p.name = "atomic";
    p.format = "ovf";
    core::save_profile(p, false);
    // A crash left a half-written .part behind: the next save must not care.
    std::ofstream(dir_path_ / "atomic.json.part") << "{\"form";
    p.format = "ova";
    core::save_profile(p, true);
    EXPECT_FALSE(fs::exists(dir_path_ / "atomic.json.part"));
    EXPECT_EQ(core::load_profile("atomic").format, "ova");

    // An invalid profile is refused before anything is written.
    p.format = "v m";
    EXPECT_THROW(core::save_profile(p, true), ProfileError);
    EXPECT_EQ(core::load_profile("atomic").format, "ova");
    EXPECT_FALSE(fs::exists(dir_path_ / "atomic.json.part"));
}

TEST_F(ProfileDir, SaveWritesThroughARenameNotInPlace) {
    ExportProfile p;
    p.name = "inode";
    core::save_profile(p, false);
    struct stat before {};
    ASSERT_EQ(::stat((dir_path_ / "inode.json").c_str(), &before), 0);
    p.compress = true;
    core::save_profile(p, true);
    struct stat after {};
    ASSERT_EQ(::stat((dir_path_ / "inode.json").c_str(), &after), 0);
    // A new inode: readers holding the old file saw the old bytes, whole.
    EXPECT_NE(before.st_ino, after.st_ino);
    EXPECT_EQ(after.st_mode & 0777, 0600u);
}

TEST_F(ProfileDir, InvalidNamesAreRefused) {
    for (const char* bad : {"", "..", "a..b", ".", "a b", "a/b", "x\n"}) {
        ExportProfile p;
        p.name = bad;
        try {
            core::save_profile(p, false);
            FAIL() << "saved " << bad;
        } catch (const ProfileError& error) {
            EXPECT_EQ(std::string(error.what()).rfind("invalid profile name ", 0), 0u) << error.what();
        }
        if (std::string(bad).find('/') == std::string::npos) {
            EXPECT_THROW(core::load_profile(bad), ProfileError);
            EXPECT_THROW(core::delete_profile(bad), ProfileError);
        }
    }
    EXPECT_FALSE(fs::exists(dir_path_));
}

TEST_F(ProfileDir, LoadOfAMissingProfileNamesThePath) {
    try {
        core::load_profile("nope");
        FAIL();
    } catch (const ProfileError& error) {
        EXPECT_EQ(std::string(error.what()),
                  "profile " + (dir_path_ / "nope.json").string() + ": does not exist");
    }
}

TEST_F(ProfileDir, LoadByPathNamesTheFileInErrorsAndTakesTheNameFromTheStem) {
    const fs::path file = tmp_.path() / "elsewhere.json";
    std::ofstream(file) << R"({"formt": "ovf"})";
    try {
        core::load_profile(file.string());
        FAIL();
    } catch (const ProfileError& error) {
        EXPECT_EQ(std::string(error.what()).rfind("profile " + file.string() + ": unknown key \"formt\"", 0),
                  0u);
    }
    std::ofstream(file) << R"({"format": "ova"})";
    const auto p = core::load_profile(file.string());
    EXPECT_EQ(p.name, "elsewhere");
    EXPECT_EQ(p.format, "ova");
}

TEST_F(ProfileDir, ListIsSortedAndSkipsWhatIsNotAProfile) {
    EXPECT_TRUE(core::list_profiles().empty());  // no directory yet
    for (const char* name : {"zeta", "alpha", "mid.dle"}) {
        ExportProfile p;
        p.name = name;
        core::save_profile(p, false);
    }
    std::ofstream(dir_path_ / "notes.txt") << "x";
    std::ofstream(dir_path_ / "half.json.part") << "x";
    std::ofstream(dir_path_ / "bad name.json") << "{}";
    fs::create_directory(dir_path_ / "dir.json");
    EXPECT_EQ(core::list_profiles(), (std::vector<std::string>{"alpha", "mid.dle", "zeta"}));
}

TEST_F(ProfileDir, DeleteRemovesAndReportsMissing) {
    ExportProfile p;
    p.name = "gone";
    core::save_profile(p, false);
    EXPECT_TRUE(core::delete_profile("gone"));
    EXPECT_FALSE(fs::exists(dir_path_ / "gone.json"));
    EXPECT_FALSE(core::delete_profile("gone"));
    EXPECT_TRUE(core::list_profiles().empty());
}
