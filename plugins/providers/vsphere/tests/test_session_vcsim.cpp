// Login, credentials and TLS trust against the real vcsim.
#include <gtest/gtest.h>

#include "errors.hpp"
#include "session.hpp"
#include "vcsim_config.hpp"

namespace hypersdk::vsphere {
namespace {

using hypersdk::test::Vcsim;
using test::config_for;

class VsphereSession : public ::testing::Test {
protected:
    static void SetUpTestSuite() { sim_ = new Vcsim(); }
    static void TearDownTestSuite() {
        delete sim_;
        sim_ = nullptr;
    }
    static Vcsim* sim_;
};
Vcsim* VsphereSession::sim_ = nullptr;

// Runs f, expects an Error, returns it.
template <typename F>
Error error_of(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return e;
    }
    ADD_FAILURE() << "no error";
    return Error(ErrorKind::protocol, "");
}

TEST_F(VsphereSession, LogsInAndOut) {
    Session session(config_for(*sim_));
    session.login();
    EXPECT_TRUE(session.logged_in());
    EXPECT_EQ(session.service_content().api_type, "VirtualCenter");
    EXPECT_FALSE(session.service_content().root_folder.empty());
    EXPECT_TRUE(session.transport().has_session_cookie());
    session.logout();
    EXPECT_FALSE(session.logged_in());
    EXPECT_FALSE(session.transport().has_session_cookie());
}

TEST_F(VsphereSession, WrongPasswordIsInvalidLoginWithoutThePassword) {
    Config c = config_for(*sim_);
    c.password = "Wr0ng-Secret-77";
    Session session(c);
    Error e = error_of([&] { session.login(); });
    EXPECT_EQ(e.kind(), ErrorKind::auth);
    EXPECT_EQ(std::string(e.what()), "vSphere rejected the credentials for " + sim_->username() + " at " +
                                         sim_->url() +
                                         ": check the password (--password-file, --password-env or "
                                         "GOVC_PASSWORD) and the user name (--username or GOVC_USERNAME)");
    EXPECT_EQ(std::string(e.what()).find("Wr0ng-Secret-77"), std::string::npos);
    EXPECT_FALSE(session.logged_in());
}

TEST_F(VsphereSession, UntrustedCertificateNamesUrlInsecureAndThumbprint) {
    Config c = config_for(*sim_);
    c.ca_file.clear();
    Session session(c);
    Error e = error_of([&] { session.login(); });
    const std::string message = e.what();
    EXPECT_EQ(e.kind(), ErrorKind::tls) << message;
    EXPECT_NE(message.find(sim_->url()), std::string::npos) << message;
    EXPECT_NE(message.find("--insecure"), std::string::npos) << message;
    EXPECT_NE(message.find("--thumbprint " + sim_->thumbprint_sha1()), std::string::npos) << message;
}

TEST_F(VsphereSession, InsecureSkipsVerification) {
    Config c = config_for(*sim_);
    c.ca_file.clear();
    c.insecure = true;
    Session session(c);
    EXPECT_NO_THROW(session.login());
}

TEST_F(VsphereSession, ThumbprintPinTrustsTheServer) {
    for (const auto& pin : {sim_->thumbprint_sha1(), sim_->thumbprint_sha256()}) {
        Config c = config_for(*sim_);
        c.ca_file.clear();
        c.thumbprint = pin;
        Session session(c);
        EXPECT_NO_THROW(session.login()) << pin;
    }
}

TEST_F(VsphereSession, WrongThumbprintIsRefused) {
    Config c = config_for(*sim_);
    c.thumbprint = "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33";
    Session session(c);
    Error e = error_of([&] { session.login(); });
    EXPECT_EQ(e.kind(), ErrorKind::tls);
    EXPECT_NE(std::string(e.what()).find("does not match the pinned thumbprint"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find(sim_->thumbprint_sha1()), std::string::npos) << e.what();
}

TEST_F(VsphereSession, PinHoldsEvenWithInsecure) {
    Config c = config_for(*sim_);
    c.insecure = true;
    c.thumbprint = "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33";
    Session session(c);
    EXPECT_EQ(error_of([&] { session.login(); }).kind(), ErrorKind::tls);
}

TEST_F(VsphereSession, NothingListeningIsAConnectError) {
    Config c = config_for(*sim_);
    c.url = "https://127.0.0.1:1/sdk";
    Session session(c);
    Error e = error_of([&] { session.login(); });
    EXPECT_EQ(e.kind(), ErrorKind::transport);
    EXPECT_NE(std::string(e.what()).find("https://127.0.0.1:1/sdk"), std::string::npos) << e.what();
}

}  // namespace
}  // namespace hypersdk::vsphere
