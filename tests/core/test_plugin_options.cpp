// The option tables plugins declare (ABI 1.1): what the loader accepts and
// refuses, and how core resolves values: command line, then profile, then
// environment, then default, each checked against its type.
#include <hypersdk/core/option_resolution.hpp>
#include <hypersdk/core/plugin_options.hpp>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <fstream>
#include <map>

#include "temp_dir.hpp"

namespace hypersdk::core {
namespace {

hypersdk_option entry(const char* name, uint32_t type, const char* env = nullptr, uint32_t flags = 0,
                      const char* default_value = nullptr, int64_t min = 0, int64_t max = 0) {
    return {sizeof(hypersdk_option), type, name, nullptr, "help text", default_value, env, flags, min, max};
}

// Reads a table of the given entries; "" when accepted, else the error.
std::string refusal(std::vector<hypersdk_option> entries) {
    std::vector<const hypersdk_option*> table;
    for (const auto& e : entries) table.push_back(&e);
    table.push_back(nullptr);
    std::string error;
    const auto options = read_option_table(table.data(), error);
    return options ? std::string() : error;
}

TEST(OptionTable, NullMeansNoOptions) {
    std::string error;
    const auto options = read_option_table(nullptr, error);
    ASSERT_TRUE(options);
    EXPECT_TRUE(options->empty());
}

TEST(OptionTable, EveryTypeIsCopiedWithItsDetails) {
    const hypersdk_option region =
        entry("region", HYPERSDK_OPTION_STRING, "AWS_REGION,AWS_DEFAULT_REGION", 0, "us-east-1");
    const hypersdk_option workers =
        entry("workers", HYPERSDK_OPTION_INTEGER, nullptr, HYPERSDK_OPTION_RANGE, "4", 1, 64);
    const hypersdk_option secret =
        entry("secret-key", HYPERSDK_OPTION_SECRET, "AWS_SECRET_ACCESS_KEY", HYPERSDK_OPTION_REQUIRED);
    const hypersdk_option* const table[] = {&region, &workers, &secret, nullptr};
    std::string error;
    const auto options = read_option_table(table, error);
    ASSERT_TRUE(options) << error;
    ASSERT_EQ(options->size(), 3u);
    EXPECT_EQ((*options)[0].name, "region");
    EXPECT_EQ((*options)[0].env, (std::vector<std::string>{"AWS_REGION", "AWS_DEFAULT_REGION"}));
    EXPECT_EQ((*options)[0].default_value, "us-east-1");
    EXPECT_EQ((*options)[0].value_name, "VALUE");  // derived when the plugin gives none
    EXPECT_EQ((*options)[1].min_value, 1);
    EXPECT_EQ((*options)[1].max_value, 64);
    EXPECT_TRUE((*options)[2].secret());
    EXPECT_TRUE((*options)[2].required);
    EXPECT_EQ(option_flag_names((*options)[2]),
              (std::vector<std::string>{"secret-key-file", "secret-key-env", "secret-key"}));
    EXPECT_EQ(option_flag_names((*options)[0], "qemu-img"), (std::vector<std::string>{"qemu-img-region"}));
}

TEST(OptionTable, MalformedEntriesAreRefusedNamingTheOption) {
    EXPECT_NE(refusal({entry("Region", HYPERSDK_OPTION_STRING)}).find("name 'Region'"), std::string::npos);
    EXPECT_NE(refusal({entry("re gion", HYPERSDK_OPTION_STRING)}).find("[a-z][a-z0-9-]*"), std::string::npos);
    EXPECT_NE(refusal({entry("region-", HYPERSDK_OPTION_STRING)}).find("not ending in '-'"),
              std::string::npos);
    EXPECT_NE(refusal({entry("", HYPERSDK_OPTION_STRING)}).find("name ''"), std::string::npos);
    EXPECT_NE(refusal({entry(std::string(49, 'a').c_str(), HYPERSDK_OPTION_STRING)}).find("at most 48"),
              std::string::npos);
    EXPECT_EQ(refusal({entry("region", HYPERSDK_OPTION_STRING), entry("region", HYPERSDK_OPTION_BOOL)}),
              "option 'region' is declared twice");
    EXPECT_EQ(refusal({entry("region", 0)}),
              "option 'region' has an unknown type 0 (use a HYPERSDK_OPTION_* type)");
    EXPECT_EQ(refusal({entry("region", 99)}),
              "option 'region' has an unknown type 99 (use a HYPERSDK_OPTION_* type)");
    EXPECT_EQ(refusal({entry("level", HYPERSDK_OPTION_STRING, nullptr, HYPERSDK_OPTION_RANGE)}),
              "option 'level' has HYPERSDK_OPTION_RANGE but is not an integer");
    EXPECT_EQ(
        refusal({entry("level", HYPERSDK_OPTION_INTEGER, nullptr, HYPERSDK_OPTION_RANGE, nullptr, 9, 1)}),
        "option 'level' range 9..1 is empty");
    EXPECT_EQ(refusal({entry("level", HYPERSDK_OPTION_INTEGER, nullptr, HYPERSDK_OPTION_RANGE, "12", 0, 9)}),
              "option 'level' default value \"12\": expected an integer from 0 to 9");
    EXPECT_EQ(refusal({entry("verbose", HYPERSDK_OPTION_BOOL, nullptr, 0, "maybe")}),
              "option 'verbose' default value \"maybe\": expected true or false (also 1/0, yes/no, on/off)");
    EXPECT_EQ(refusal({entry("token", HYPERSDK_OPTION_SECRET, nullptr, 0, "hunter2")}),
              "option 'token' is a secret and cannot have a default value");
    EXPECT_NE(refusal({entry("region", HYPERSDK_OPTION_STRING, "AWS REGION")}).find("is not comma-separated"),
              std::string::npos);
    EXPECT_NE(
        refusal({entry("region", HYPERSDK_OPTION_STRING, "AWS_REGION,")}).find("is not comma-separated"),
        std::string::npos);
    hypersdk_option no_help = entry("region", HYPERSDK_OPTION_STRING);
    no_help.help = nullptr;
    EXPECT_NE(refusal({no_help}).find("needs a one-line help text"), std::string::npos);
    hypersdk_option multiline = entry("region", HYPERSDK_OPTION_STRING);
    multiline.help = "two\nlines";
    EXPECT_NE(refusal({multiline}).find("needs a one-line help text"), std::string::npos);
    hypersdk_option tiny = entry("region", HYPERSDK_OPTION_STRING);
    tiny.struct_size = 8;
    EXPECT_NE(refusal({tiny}).find("struct_size 8 is outside"), std::string::npos);
}

TEST(OptionTable, ARunawayTableIsRefused) {
    // More entries than the bound and no NULL within it (as a table missing
    // its terminator would read): refused, not walked off the end.
    std::vector<std::string> names;
    for (size_t i = 0; i < HYPERSDK_OPTIONS_MAX + 5; ++i) names.push_back("o" + std::to_string(i));
    std::vector<hypersdk_option> entries;
    for (const auto& name : names) entries.push_back(entry(name.c_str(), HYPERSDK_OPTION_STRING));
    std::vector<const hypersdk_option*> table;
    for (const auto& e : entries) table.push_back(&e);
    std::string error;
    EXPECT_FALSE(read_option_table(table.data(), error));
    EXPECT_NE(error.find("more than 128 entries"), std::string::npos) << error;
}

TEST(OptionTable, ShorterEntriesOfALaterLayoutReadZeroTails) {
    // An entry that claims to be larger (a newer minor) is read up to our size.
    struct Bigger {
        hypersdk_option base;
        int64_t future_field;
    } bigger{entry("region", HYPERSDK_OPTION_STRING), 42};
    bigger.base.struct_size = sizeof(Bigger);
    const hypersdk_option* const table[] = {&bigger.base, nullptr};
    std::string error;
    const auto options = read_option_table(table, error);
    ASSERT_TRUE(options) << error;
    EXPECT_EQ((*options)[0].name, "region");
}

// ---- resolution ----

std::vector<PluginOption> options_of(std::vector<hypersdk_option> entries) {
    std::vector<const hypersdk_option*> table;
    for (auto& e : entries) table.push_back(&e);
    table.push_back(nullptr);
    std::string error;
    auto read = read_option_table(table.data(), error);
    EXPECT_TRUE(read) << error;
    return read.value_or(std::vector<PluginOption>{});
}

OptionInput input_with_env(std::map<std::string, std::string> env) {
    OptionInput input;
    input.owner = "the test provider";
    input.environment = [env = std::move(env)](const std::string& name) -> std::optional<std::string> {
        const auto it = env.find(name);
        if (it == env.end()) return std::nullopt;
        return it->second;
    };
    return input;
}

std::string json_of(const OptionResolution& resolution) {
    return "{" + resolution.json_members() + "}";
}

TEST(OptionResolution, CommandLineBeatsProfileBeatsEnvironmentBeatsDefault) {
    const auto options = options_of({entry("region", HYPERSDK_OPTION_STRING, "R1,R2", 0, "default-region")});
    OptionInput input = input_with_env({{"R1", ""}, {"R2", "from-r2"}});
    EXPECT_EQ(json_of(resolve_options(options, input)), R"({"region":"from-r2"})");  // an empty R1 is skipped
    input.profile["region"] = {"from-profile"};
    input.profile_name = "p";
    EXPECT_EQ(json_of(resolve_options(options, input)), R"({"region":"from-profile"})");
    input.command_line["region"] = {"first", "from-flag"};  // the last one given wins
    const auto resolution = resolve_options(options, input);
    EXPECT_EQ(json_of(resolution), R"({"region":"from-flag"})");
    EXPECT_EQ(resolution.values.front().source, OptionSource::command_line);
    EXPECT_EQ(resolution.values.front().origin, "--region");
    OptionInput bare = input_with_env({});
    const auto defaulted = resolve_options(options, bare);
    EXPECT_EQ(json_of(defaulted), R"({"region":"default-region"})");
    EXPECT_EQ(defaulted.values.front().source, OptionSource::default_value);
}

TEST(OptionResolution, ValuesAreTypedAndChecked) {
    const auto options =
        options_of({entry("workers", HYPERSDK_OPTION_INTEGER, "W", HYPERSDK_OPTION_RANGE, nullptr, 1, 8),
                    entry("insecure", HYPERSDK_OPTION_BOOL, "I"), entry("ca-file", HYPERSDK_OPTION_PATH),
                    entry("tag", HYPERSDK_OPTION_LIST, "T")});
    OptionInput input = input_with_env({{"W", "3"}, {"I", "YES"}, {"T", "a=1,b=2"}});
    input.command_line["ca-file"] = {"relative/ca.pem"};
    const auto resolution = resolve_options(options, input);
    ASSERT_TRUE(resolution.ok()) << resolution.errors.front();
    rapidjson::Document document;
    document.Parse(json_of(resolution).c_str());
    ASSERT_TRUE(document.IsObject());
    EXPECT_EQ(document["workers"].GetInt64(), 3);
    EXPECT_TRUE(document["insecure"].GetBool());
    const std::string ca = document["ca-file"].GetString();
    EXPECT_EQ(ca.front(), '/');  // made absolute
    EXPECT_NE(ca.find("relative/ca.pem"), std::string::npos);
    ASSERT_TRUE(document["tag"].IsArray());
    EXPECT_EQ(document["tag"].Size(), 2u);

    OptionInput bad = input_with_env({{"W", "9"}, {"I", "perhaps"}});
    const auto refused = resolve_options(options, bad);
    ASSERT_EQ(refused.errors.size(), 2u);
    EXPECT_EQ(refused.errors[0], "invalid value '9' for --workers (from W): expected an integer from 1 to 8");
    EXPECT_EQ(
        refused.errors[1],
        "invalid value 'perhaps' for --insecure (from I): expected true or false (also 1/0, yes/no, on/off)");
}

TEST(OptionResolution, ARepeatedListFlagAndACommaListBothCount) {
    const auto options = options_of({entry("tag", HYPERSDK_OPTION_LIST)});
    OptionInput input = input_with_env({});
    input.command_line["tag"] = {"a=1", "b=2,c=3"};
    EXPECT_EQ(json_of(resolve_options(options, input)), R"({"tag":["a=1","b=2","c=3"]})");
}

TEST(OptionResolution, AMissingRequiredOptionNamesTheFlagAndTheVariable) {
    const auto options = options_of(
        {entry("project", HYPERSDK_OPTION_STRING, "GOOGLE_CLOUD_PROJECT,X", HYPERSDK_OPTION_REQUIRED)});
    OptionInput input = input_with_env({});
    input.flag_prefix = "";
    const auto resolution = resolve_options(options, input);
    EXPECT_TRUE(resolution.errors.empty());
    ASSERT_EQ(resolution.missing.size(), 1u);
    EXPECT_EQ(resolution.missing[0],
              "the test provider needs --project (or GOOGLE_CLOUD_PROJECT, ...): help text");
    EXPECT_FALSE(resolution.ok());
}

TEST(OptionResolution, SecretsComeFromAFileOrAVariableAndAreNeverShown) {
    hypersdk::test::TempDir dir;
    std::ofstream(dir / "token") << "s3cr3t-from-file\r\nsecond line ignored\n";
    std::ofstream(dir / "empty") << "";
    const auto options = options_of({entry("token", HYPERSDK_OPTION_SECRET, "TOKEN_VAR")});

    OptionInput from_env = input_with_env({{"TOKEN_VAR", "s3cr3t-from-env"}});
    auto resolution = resolve_options(options, from_env);
    EXPECT_EQ(json_of(resolution), R"({"token":"s3cr3t-from-env"})");
    EXPECT_EQ(resolution.display(), (std::vector<std::pair<std::string, std::string>>{{"token", "(set)"}}));

    OptionInput from_file = input_with_env({{"TOKEN_VAR", "s3cr3t-from-env"}});
    from_file.command_line["token"] = {(dir / "token").string()};
    EXPECT_EQ(json_of(resolve_options(options, from_file)), R"({"token":"s3cr3t-from-file"})");

    OptionInput named = input_with_env({{"MY_TOKEN", "s3cr3t-named"}});
    named.secret_variables["token"] = "MY_TOKEN";
    EXPECT_EQ(json_of(resolve_options(options, named)), R"({"token":"s3cr3t-named"})");
    named.secret_variables["token"] = "UNSET_VAR";
    EXPECT_EQ(resolve_options(options, named).errors,
              (std::vector<std::string>{"--token-env UNSET_VAR: the variable is not set"}));

    OptionInput empty = input_with_env({});
    empty.command_line["token"] = {(dir / "empty").string()};
    const auto refused = resolve_options(options, empty);
    ASSERT_EQ(refused.errors.size(), 1u);
    EXPECT_NE(refused.errors[0].find("is empty"), std::string::npos);

    OptionInput profile = input_with_env({});
    profile.profile["token"] = {"s3cr3t-in-profile"};
    profile.profile_name = "p";
    const auto from_profile = resolve_options(options, profile);
    ASSERT_EQ(from_profile.errors.size(), 1u);
    EXPECT_EQ(
        from_profile.errors[0],
        "profile p: \"token\" is a secret and is never kept in a profile: use --token-file or TOKEN_VAR");
    EXPECT_EQ(from_profile.errors[0].find("s3cr3t"), std::string::npos);
}

TEST(OptionResolution, ConverterOptionsCarryThePrefixInMessages) {
    const auto options = options_of({entry("level", HYPERSDK_OPTION_INTEGER)});
    OptionInput input = input_with_env({});
    input.flag_prefix = "qemu-img";
    input.command_line["level"] = {"high"};
    const auto resolution = resolve_options(options, input);
    ASSERT_EQ(resolution.errors.size(), 1u);
    EXPECT_EQ(resolution.errors[0],
              "invalid value 'high' for --qemu-img-level (from --qemu-img-level): expected an integer");
}

TEST(OptionValues, BoolWords) {
    for (const char* yes : {"1", "true", "TRUE", "Yes", "on"}) EXPECT_EQ(parse_bool_word(yes), true) << yes;
    for (const char* no : {"0", "false", "No", "OFF"}) EXPECT_EQ(parse_bool_word(no), false) << no;
    for (const char* neither : {"", "2", "y", "truee"}) EXPECT_FALSE(parse_bool_word(neither)) << neither;
}

}  // namespace
}  // namespace hypersdk::core
