// Config: GOVC_* conventions, URL normalisation, booleans and thumbprints.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "config.hpp"
#include "errors.hpp"

namespace hypersdk::vsphere {
namespace {

Config::Lookup env(std::map<std::string, std::string> vars) {
    return [vars](const std::string& name) -> std::optional<std::string> {
        auto it = vars.find(name);
        return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
}

TEST(VsphereConfig, ReadsGovcVariables) {
    auto c = Config::from_env(env({{"GOVC_URL", "vc.example.com"},
                                   {"GOVC_USERNAME", "alice"},
                                   {"GOVC_PASSWORD", "pw"},
                                   {"GOVC_INSECURE", "1"},
                                   {"GOVC_DATACENTER", "DC0"},
                                   {"GOVC_TLS_CA_CERTS", "/etc/ca.pem"}}));
    EXPECT_EQ(c.url, "https://vc.example.com/sdk");
    EXPECT_EQ(c.username, "alice");
    EXPECT_EQ(c.password, "pw");
    EXPECT_TRUE(c.insecure);
    EXPECT_EQ(c.datacenter, "DC0");
    EXPECT_EQ(c.ca_file, "/etc/ca.pem");
    EXPECT_EQ(c.host(), "vc.example.com");
}

// A password in the URL would show in `ps`: every form of user info is
// refused, from --url (the plugin's `url`) and GOVC_URL alike, with the way to
// pass user and password instead, and without repeating either.
TEST(VsphereConfig, UserInfoInTheUrlIsRefusedWithoutEchoingIt) {
    struct Case {
        std::string url;
        std::string suggested;
    };
    const std::vector<Case> cases = {
        {"https://admin:s3cr%40t@vc.example.com/sdk", "https://vc.example.com/sdk"},
        {"https://admin:s3cret@127.0.0.1:8989/sdk", "https://127.0.0.1:8989/sdk"},
        {"admin:s3cret@vc.example.com", "https://vc.example.com/sdk"},
        {"https://admin@vc.example.com/sdk", "https://vc.example.com/sdk"},
        {"https://admin:@vc.example.com", "https://vc.example.com/sdk"},
        // An unencoded '/' or '?' in the password must not hide the '@'.
        {"https://admin:s3/cret@vc.example.com/sdk", "https://vc.example.com/sdk"},
        {"https://admin:s3?cret@vc.example.com/sdk", "https://vc.example.com/sdk"},
    };
    for (const auto& [url, suggested] : cases) {
        SCOPED_TRACE(url);
        for (const bool from_env : {false, true}) {
            std::string message;
            try {
                if (from_env) {
                    Config::from_env(
                        env({{"GOVC_URL", url}, {"GOVC_USERNAME", "carol"}, {"GOVC_PASSWORD", "y"}}));
                } else {
                    Config c;
                    c.url = url;
                    c.username = "carol";
                    c.normalise();
                }
            } catch (const Error& e) {
                EXPECT_EQ(e.kind(), ErrorKind::config);
                message = e.what();
            }
            ASSERT_FALSE(message.empty()) << "accepted";
            EXPECT_EQ(message.find("s3"), std::string::npos) << "password echoed: " << message;
            EXPECT_EQ(message.find("admin"), std::string::npos) << "user echoed: " << message;
            EXPECT_NE(message.find("must not hold a user name or password"), std::string::npos) << message;
            EXPECT_NE(message.find("give the URL as " + suggested + ","), std::string::npos) << message;
            EXPECT_NE(message.find("--username (or GOVC_USERNAME)"), std::string::npos) << message;
            EXPECT_NE(message.find("--password-file FILE (or GOVC_PASSWORD)"), std::string::npos) << message;
        }
    }
}

TEST(VsphereConfig, HostAndPortWithoutUserInfoAreAccepted) {
    auto c = Config::from_env(env({{"GOVC_URL", "https://127.0.0.1:8989/sdk"}, {"GOVC_USERNAME", "bob"}}));
    EXPECT_EQ(c.url, "https://127.0.0.1:8989/sdk");
    EXPECT_EQ(c.username, "bob");
    EXPECT_EQ(c.host(), "127.0.0.1:8989");
    EXPECT_FALSE(c.insecure);  // TLS verification is on by default
}

TEST(VsphereConfig, KeepsAnExplicitPath) {
    Config c;
    c.url = "https://host:443/custom/sdk";
    c.normalise();
    EXPECT_EQ(c.url, "https://host:443/custom/sdk");
}

TEST(VsphereConfig, RejectsPlainHttpAndEmptyUrl) {
    Config c;
    c.url = "http://host/sdk";
    EXPECT_THROW(c.normalise(), Error);
    EXPECT_THROW(Config::from_env(env({})), Error);
}

TEST(VsphereConfig, BadInsecureValueNamesTheVariable) {
    try {
        Config::from_env(env({{"GOVC_URL", "h"}, {"GOVC_INSECURE", "maybe"}}));
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::config);
        EXPECT_NE(std::string(e.what()).find("GOVC_INSECURE='maybe'"), std::string::npos) << e.what();
    }
}

TEST(VsphereConfig, Thumbprints) {
    const std::string sha1 = "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33";
    EXPECT_EQ(parse_thumbprint(sha1).size(), 20u);
    EXPECT_EQ(parse_thumbprint("00112233445566778899aabbccddeeff00112233").size(), 20u);
    EXPECT_EQ(parse_thumbprint(sha1 + ":44:55:66:77:88:99:AA:BB:CC:DD:EE:FF").size(), 32u);
    EXPECT_EQ(static_cast<unsigned char>(parse_thumbprint(sha1)[10]), 0xAAu);
    EXPECT_THROW(parse_thumbprint("00:11"), Error);
    EXPECT_THROW(parse_thumbprint(sha1.substr(0, sha1.size() - 2) + "ZZ"), Error);
    Config c;
    c.url = "h";
    c.thumbprint = "nope";
    EXPECT_THROW(c.normalise(), Error);
}

TEST(VsphereConfig, Booleans) {
    EXPECT_TRUE(parse_bool("X", "true"));
    EXPECT_TRUE(parse_bool("X", "T"));
    EXPECT_FALSE(parse_bool("X", "0"));
    EXPECT_FALSE(parse_bool("X", ""));
    EXPECT_THROW(parse_bool("X", "yes"), Error);
}

}  // namespace
}  // namespace hypersdk::vsphere
