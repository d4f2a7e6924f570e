// One authenticated vSphere SDK session: the service content, Login/Logout,
// and the call() every other part of the client goes through.
#pragma once

#include <chrono>
#include <string>

#include "config.hpp"
#include "http_transport.hpp"
#include "soap.hpp"

namespace hypersdk::vsphere {

struct ServiceContent {
    MoRef root_folder;
    MoRef property_collector;
    MoRef session_manager;
    MoRef search_index;
    MoRef ovf_manager;
    std::string api_version;  // "6.5", "8.0.2.0"
    std::string api_type;     // "VirtualCenter" or "HostAgent"
    std::string full_name;    // "VMware vCenter Server 6.5.0 build-5973321"
};

class Session {
public:
    // Normalises `config`; does not connect.
    explicit Session(Config config);
    ~Session();  // logout()
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // RetrieveServiceContent, then Login. Wrong credentials:
    // Error(auth, "vSphere rejected the credentials for USER at URL: check the
    // password (... GOVC_PASSWORD) and the user name (... GOVC_USERNAME)"), never the password.
    void login();
    // Ends the session on the server; never throws. Safe to call twice.
    void logout() noexcept;
    bool logged_in() const { return logged_in_; }

    // One SOAP call. A session that expired on the server (NotAuthenticated)
    // is logged in again once and the call repeated.
    Response call(const Call& call);

    const Config& config() const { return config_; }
    const ServiceContent& service_content() const { return content_; }
    HttpTransport& transport() { return transport_; }

private:
    Response post(const Call& call, std::chrono::seconds timeout = std::chrono::seconds(0));
    void retrieve_service_content();

    Config config_;
    HttpTransport transport_;
    ServiceContent content_;
    bool logged_in_ = false;
};

}  // namespace hypersdk::vsphere
