// Plugin-declared options through the real hyperexport binary (ABI 1.1): the
// test plugin "optcloud"/"optconv" (tests/abi/plugins/options.c) records the
// config JSON it receives, so each test checks what the host resolved from
// flags, profiles, the environment and defaults, and that secrets never
// reach the output.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "run_process.hpp"

namespace {

namespace fs = std::filesystem;
using Env = std::vector<std::pair<std::string, std::string>>;

const char* const kSecret = "s3cr3t-t0ken-value";

class CliOptions : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("hypersdk-cli-options-" + std::to_string(::getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_ / "profiles");
        dump_ = dir_ / "config.log";
    }
    void TearDown() override { fs::remove_all(dir_); }

    ProcessResult run(const std::vector<std::string>& args, Env env = {}) {
        std::vector<std::string> all{"--no-default-plugin-dirs", "--plugin-dir",
                                     std::string(HYPERSDK_ABI_PLUGIN_ROOT) + "/options"};
        all.insert(all.end(), args.begin(), args.end());
        env.emplace_back("OPTIONS_TEST_CONFIG_DUMP", dump_.string());
        env.emplace_back("HYPEREXPORT_PROFILE_DIR", (dir_ / "profiles").string());
        return run_process(HYPEREXPORT_BINARY, all, env);
    }

    // The last config the plugin received as `kind` ("provider", "converter").
    rapidjson::Document last_config(const std::string& kind) {
        std::ifstream in(dump_);
        std::string line, last;
        while (std::getline(in, line))
            if (line.rfind(kind + " ", 0) == 0) last = line.substr(kind.size() + 1);
        rapidjson::Document document;
        document.Parse(last.c_str());
        return document;
    }

    fs::path write(const std::string& name, const std::string& text) {
        std::ofstream(dir_ / name) << text;
        return dir_ / name;
    }

    fs::path dir_;
    fs::path dump_;
};

TEST_F(CliOptions, HelpListsAProvidersOptionsOnlyOnceItIsNamed) {
    const auto general = run({"vms", "--help"});
    EXPECT_EQ(general.exit_code, 0);
    EXPECT_EQ(general.out.find("--region"), std::string::npos) << general.out;
    const auto named = run({"vms", "--provider", "optcloud", "--help"});
    ASSERT_EQ(named.exit_code, 0) << named.err;
    for (const char* text :
         {"--region REGION", "(default: us-east-1) [env: OPT_REGION,", "OPT_DEFAULT_REGION]", "--project P",
          "(required)", "--workers N", "--keep-snapshots [=BOOL(=true)]", "--key-file PEM", "--tag K=V",
          "--token-file FILE", "--token-env VAR"})
        EXPECT_NE(named.out.find(text), std::string::npos) << text << "\n" << named.out;
    // The secret has no value flag in the help.
    EXPECT_EQ(named.out.find("--token "), std::string::npos) << named.out;
    // Converter options are always offered by export, with the converter's name.
    const auto export_help = run({"export", "--help"});
    EXPECT_NE(export_help.out.find("--optconv-level N"), std::string::npos) << export_help.out;
    EXPECT_NE(export_help.out.find("--optconv-api-key-file FILE"), std::string::npos) << export_help.out;
}

TEST_F(CliOptions, FlagsBeatTheEnvironmentWhichBeatsDefaultsAndValuesArriveTyped) {
    const fs::path token = write("token", std::string(kSecret) + "\n");
    auto r = run({"vms", "--provider", "optcloud", "--project", "p1", "--workers", "8", "--keep-snapshots",
                  "--key-file", "relative.pem", "--tag", "a=1", "--tag", "b=2,c=3", "--token-file",
                  token.string(), "--json"},
                 {{"OPT_REGION", "eu-west-1"}, {"OPT_WORKERS", "2"}});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto config = last_config("provider");
    ASSERT_TRUE(config.IsObject());
    EXPECT_STREQ(config["region"].GetString(), "eu-west-1");  // environment over the default
    EXPECT_STREQ(config["project"].GetString(), "p1");
    EXPECT_EQ(config["workers"].GetInt64(), 8);  // flag over OPT_WORKERS
    EXPECT_TRUE(config["keep-snapshots"].GetBool());
    EXPECT_EQ(fs::path(config["key-file"].GetString()), fs::current_path() / "relative.pem");
    ASSERT_TRUE(config["tag"].IsArray());
    EXPECT_EQ(config["tag"].Size(), 3u);
    EXPECT_STREQ(config["token"].GetString(), kSecret);
    // The listing is the typed vm-summary, mapped power state and all.
    EXPECT_NE(r.out.find("\"power_state\": \"poweredOn\""), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find(kSecret), std::string::npos);

    r = run({"vms", "--provider", "optcloud"}, {{"OPT_PROJECT", "from-env"}});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    config = last_config("provider");
    EXPECT_STREQ(config["region"].GetString(), "us-east-1");  // the declared default
    EXPECT_STREQ(config["project"].GetString(), "from-env");
    EXPECT_EQ(config["workers"].GetInt64(), 4);
    EXPECT_FALSE(config["keep-snapshots"].GetBool());
    EXPECT_FALSE(config.HasMember("token"));  // nothing gave it: absent
    EXPECT_NE(r.out.find("on (running)"), std::string::npos) << r.out;
}

TEST_F(CliOptions, BadValuesAndMissingRequiredOptionsAreOneLineUsageErrors) {
    auto r = run({"vms", "--provider", "optcloud", "--project", "p", "--workers", "99"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(
        r.err,
        "hyperexport: invalid value '99' for --workers (from --workers): expected an integer from 1 to 32 "
        "(see hyperexport vms --help)\n");
    r = run({"vms", "--provider", "optcloud", "--project", "p", "--keep-snapshots=sometimes"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("expected true or false"), std::string::npos) << r.err;
    r = run({"vms", "--provider", "optcloud"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(
        r.err,
        "hyperexport: the optcloud provider needs --project (or OPT_PROJECT): the project (required) (see "
        "hyperexport vms --help)\n");
    EXPECT_FALSE(fs::exists(dump_)) << "the plugin must not be called with an incomplete config";
}

TEST_F(CliOptions, ASecretIsNeverAFlagValueAndNeverShown) {
    auto r = run({"vms", "--provider", "optcloud", "--project", "p", "--token", kSecret});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--token takes no value on the command line"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("use --token-file FILE, --token-env VAR or OPT_TOKEN"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find(kSecret), std::string::npos);

    // From a named variable, at trace level, in --dry-run and --json output: never printed.
    r = run({"--log-level", "trace", "export", "--provider", "optcloud", "--project", "p", "--vm", "web-01",
             "--token-env", "MY_TOKEN", "--dry-run"},
            {{"MY_TOKEN", kSecret}});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_STREQ(last_config("provider")["token"].GetString(), kSecret);
    EXPECT_NE(r.out.find("Option token"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("(set)"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find(kSecret), std::string::npos) << r.out;
    EXPECT_EQ(r.err.find(kSecret), std::string::npos) << r.err;
    r = run({"export", "--provider", "optcloud", "--project", "p", "--vm", "web-01", "--dry-run", "--json"},
            {{"OPT_LEGACY_TOKEN", kSecret}});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("\"token\": \"(set)\""), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find(kSecret), std::string::npos) << r.out;
}

TEST_F(CliOptions, ProfilesCarryPluginOptionsButNeverSecrets) {
    write("profiles/opt.json", R"({"provider": "optcloud",
        "plugin_options": {"optcloud": {"project": "from-profile", "workers": 3, "tag": ["x", "y"]},
                           "optconv": {"level": 7}}})");
    auto r =
        run({"export", "--profile", "opt", "--vm", "web-01", "--dry-run"}, {{"OPT_PROJECT", "from-env"}});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto config = last_config("provider");
    EXPECT_STREQ(config["project"].GetString(), "from-profile");  // profile over the environment
    EXPECT_EQ(config["workers"].GetInt64(), 3);
    EXPECT_EQ(config["tag"].Size(), 2u);
    r = run({"export", "--profile", "opt", "--vm", "web-01", "--project", "from-flag", "--dry-run"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_STREQ(last_config("provider")["project"].GetString(), "from-flag");  // flag over profile

    // The flat spelling of a provider option is read too.
    write("profiles/flat.json", R"({"provider": "optcloud", "project": "flat", "keep_snapshots": true})");
    r = run({"export", "--profile", "flat", "--vm", "web-01", "--dry-run"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_STREQ(last_config("provider")["project"].GetString(), "flat");
    EXPECT_TRUE(last_config("provider")["keep-snapshots"].GetBool());

    write("profiles/secret.json",
          std::string(
              R"({"provider": "optcloud", "plugin_options": {"optcloud": {"project": "p", "token": ")") +
              kSecret + "\"}}}");
    r = run({"export", "--profile", "secret", "--vm", "web-01", "--dry-run"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("\"token\" is a secret and is never kept in a profile"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find(kSecret), std::string::npos);
    r = run({"profiles", "save", "s2", "--set", "provider=optcloud", "--set",
             std::string("optcloud.token=") + kSecret});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("is a secret and is never kept in a profile"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir_ / "profiles" / "s2.json"));

    write("profiles/typo.json",
          R"({"provider": "optcloud", "plugin_options": {"optcloud": {"regoin": "x"}}})");
    r = run({"export", "--profile", "typo", "--vm", "web-01", "--dry-run"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("\"plugin_options.optcloud.regoin\": optcloud declares no such option"),
              std::string::npos)
        << r.err;
    write("profiles/flat-typo.json", R"({"provider": "optcloud", "regoin": "x"})");
    r = run({"export", "--profile", "flat-typo", "--vm", "web-01", "--dry-run"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("unknown key \"regoin\""), std::string::npos) << r.err;

    r = run({"profiles", "save", "good", "--set", "provider=optcloud", "--set", "optcloud.region=ap-south-1",
             "--set", "optconv.level=5"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = run({"profiles", "show", "good"});
    EXPECT_NE(r.out.find("\"region\": \"ap-south-1\""), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\"level\": 5"), std::string::npos) << r.out;
}

TEST_F(CliOptions, ConverterOptionsReachTheConverterAndSecretsLeaveItsEnvironment) {
    const fs::path disk = dir_ / "disk.raw";
    std::ofstream(disk) << std::string(4096, 'x');
    auto r = run({"manifest", "create", "--disk", disk.string(), "--output-dir", (dir_ / "out").string(),
                  "--output", (dir_ / "m.json").string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = run({"convert", "--manifest", (dir_ / "m.json").string(), "--explain", "--optconv-level", "9"},
            {{"OPTCONV_KEY", kSecret}});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    auto config = last_config("converter");
    ASSERT_TRUE(config.IsObject());
    EXPECT_EQ(config["level"].GetInt64(), 9);
    EXPECT_STREQ(config["api-key"].GetString(), kSecret);
    // Every secret variable of every loaded plugin is listed for removal from the tool's environment.
    ASSERT_TRUE(config["environment_unset"].IsArray());
    std::vector<std::string> unset;
    for (const auto& name : config["environment_unset"].GetArray()) unset.emplace_back(name.GetString());
    EXPECT_EQ(unset, (std::vector<std::string>{"OPTCONV_KEY", "OPT_LEGACY_TOKEN", "OPT_TOKEN"}));
    r = run({"convert", "--manifest", (dir_ / "m.json").string(), "--explain", "--optconv-level", "10"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("for --optconv-level"), std::string::npos) << r.err;
}

TEST_F(CliOptions, PluginsInfoShowsTheOptions) {
    auto r = run({"plugins", "info", "org.hypersdk.test.options"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const char* text : {"Provider options (hyperexport export/vms --provider optcloud):",
                             "--region REGION", "(string, default us-east-1, OPT_REGION, OPT_DEFAULT_REGION)",
                             "--token-file FILE", "(secret, OPT_TOKEN, OPT_LEGACY_TOKEN)",
                             "Converter options", "--optconv-level N", "(integer, default 2)"})
        EXPECT_NE(r.out.find(text), std::string::npos) << text << "\n" << r.out;
    r = run({"plugins", "info", "org.hypersdk.test.options", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    rapidjson::Document doc;
    ASSERT_FALSE(doc.Parse(r.out.c_str()).HasParseError()) << r.out;
    const auto& options = doc["provider"]["options"];
    ASSERT_EQ(options.Size(), 7u);
    EXPECT_STREQ(options[2]["name"].GetString(), "workers");
    EXPECT_EQ(options[2]["max"].GetInt64(), 32);
    EXPECT_TRUE(options[6]["secret"].GetBool());
    EXPECT_STREQ(options[6]["flag"].GetString(), "--token-file");
    EXPECT_STREQ(doc["converter"]["options"][0]["flag"].GetString(), "--optconv-level");
}

TEST_F(CliOptions, InstanceIsTheSameAsVm) {
    auto r = run({"export", "--provider", "optcloud", "--project", "p", "--instance", "i-0abc", "--dry-run",
                  "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("\"name\": \"i-0abc\""), std::string::npos) << r.out;
    r = run(
        {"export", "--provider", "optcloud", "--project", "p", "--instance", "a", "--vm", "b", "--dry-run"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--vm and --instance name the same thing"), std::string::npos) << r.err;
}

// A VM name from the platform (here echoed from --vm by the test provider)
// with terminal escapes is printed visibly, never as a control sequence.
TEST_F(CliOptions, ControlCharactersFromAProviderNeverReachTheTerminal) {
    const std::string hostile = "web\x1b[2J\x1b]0;pwned\x07";
    auto r = run({"export", "--provider", "optcloud", "--project", "p", "--vm", hostile, "--dry-run"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("web\\x1b[2J"), std::string::npos) << r.out;
    r = run({"export", "--provider", "optcloud", "--project", "p", "--vm", "x", "--bogus\x1b[2J"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << r.err;
}

TEST_F(CliOptions, AnUnknownFormatNamesWhatTheProviderOffers) {
    auto r = run({"export", "--provider", "optcloud", "--project", "p", "--vm", "web-01", "--output",
                  (dir_ / "o").string(), "--format", "ovf"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("the optcloud provider cannot export as 'ovf' (it offers: raw)"), std::string::npos)
        << r.err;
}

}  // namespace
