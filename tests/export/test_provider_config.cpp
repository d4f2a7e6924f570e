// build_provider_config: flags over GOVC_* variables, the password only from
// a file or the environment.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <fstream>
#include <map>

#include "provider_config.hpp"
#include "temp_dir.hpp"

namespace hypersdk::host {
namespace {

EnvLookup env(std::map<std::string, std::string> values) {
    return [values](const std::string& name) -> std::optional<std::string> {
        const auto it = values.find(name);
        return it == values.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
}

rapidjson::Document parse(const std::string& text) {
    rapidjson::Document document;
    document.Parse(text.c_str());
    return document;
}

const std::map<std::string, std::string> kGovc = {
    {"GOVC_URL", "https://vc/sdk"}, {"GOVC_USERNAME", "u"},     {"GOVC_PASSWORD", "p"},
    {"GOVC_INSECURE", "1"},         {"GOVC_DATACENTER", "DC0"}, {"GOVC_TLS_CA_CERTS", "/ca.pem"}};

TEST(ProviderConfig, TakesGovcVariables) {
    const auto config = parse(build_provider_config("vsphere", {}, env(kGovc)));
    EXPECT_STREQ(config["url"].GetString(), "https://vc/sdk");
    EXPECT_STREQ(config["username"].GetString(), "u");
    EXPECT_STREQ(config["password"].GetString(), "p");
    EXPECT_TRUE(config["insecure"].GetBool());
    EXPECT_STREQ(config["datacenter"].GetString(), "DC0");
    EXPECT_STREQ(config["ca_file"].GetString(), "/ca.pem");
}

TEST(ProviderConfig, FlagsOverrideTheEnvironment) {
    ConnectionFlags flags;
    flags.url = "https://other/sdk";
    flags.username = "admin";
    flags.thumbprint = "AA:BB";
    flags.ca_file = "/mine.pem";
    flags.datacenter = "DC1";
    const auto config = parse(build_provider_config("vsphere", flags, env(kGovc)));
    EXPECT_STREQ(config["url"].GetString(), "https://other/sdk");
    EXPECT_STREQ(config["username"].GetString(), "admin");
    EXPECT_STREQ(config["thumbprint"].GetString(), "AA:BB");
    EXPECT_STREQ(config["ca_file"].GetString(), "/mine.pem");
    EXPECT_STREQ(config["datacenter"].GetString(), "DC1");
}

TEST(ProviderConfig, InsecureFlagWinsOverGovcInsecureEitherWay) {
    ConnectionFlags flags;
    flags.insecure = false;  // --insecure=false
    EXPECT_FALSE(parse(build_provider_config("vsphere", flags, env(kGovc)))["insecure"].GetBool());
    flags.insecure = true;
    EXPECT_TRUE(parse(build_provider_config("vsphere", flags, env({})))["insecure"].GetBool());
    EXPECT_FALSE(parse(build_provider_config("vsphere", {}, env({})))["insecure"].GetBool());  // verify by default
}

TEST(ProviderConfig, PasswordFromFileOrNamedVariable) {
    test::TempDir dir;
    std::ofstream(dir / "pw") << "s3cret\n";
    ConnectionFlags flags;
    flags.password_file = (dir / "pw").string();
    EXPECT_STREQ(parse(build_provider_config("vsphere", flags, env(kGovc)))["password"].GetString(),
                 "s3cret");
    flags = {};
    flags.password_env = "MY_PW";
    auto values = kGovc;
    values["MY_PW"] = "from-var";
    EXPECT_STREQ(parse(build_provider_config("vsphere", flags, env(values)))["password"].GetString(),
                 "from-var");
}

TEST(ProviderConfig, MissingPasswordSourcesAreErrorsWithoutSecrets) {
    ConnectionFlags flags;
    flags.password_env = "NOPE";
    EXPECT_THROW(build_provider_config("vsphere", flags, env(kGovc)), std::runtime_error);
    flags = {};
    flags.password_file = "/nonexistent/pw";
    try {
        build_provider_config("vsphere", flags, env(kGovc));
        FAIL();
    } catch (const std::runtime_error& error) {
        EXPECT_NE(std::string(error.what()).find("/nonexistent/pw"), std::string::npos);
    }
}

TEST(ProviderConfig, OtherProvidersIgnoreGovc) {
    const auto config = parse(build_provider_config("aws", {}, env(kGovc)));
    EXPECT_FALSE(config.HasMember("url"));
    EXPECT_FALSE(config.HasMember("password"));
    EXPECT_FALSE(config["insecure"].GetBool());
}

}  // namespace
}  // namespace hypersdk::host
