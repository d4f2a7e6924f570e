// Connection settings, in the conventions azure-identity users already have
// (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET,
// AZURE_SUBSCRIPTION_ID, AZURE_AUTHORITY_HOST). The plugin fills this from
// its config JSON.
#pragma once

#include <chrono>
#include <string>

namespace hypersdk::azure {

inline constexpr const char* kPublicAuthorityHost = "https://login.microsoftonline.com";
inline constexpr const char* kPublicArmEndpoint = "https://management.azure.com";

struct Config {
    std::string tenant_id;
    std::string client_id;
    std::string client_secret;  // never logged, never in a message
    std::string subscription_id;
    std::string authority_host = kPublicAuthorityHost;  // Entra ID: https://host[:port], no path
    std::string arm_endpoint = kPublicArmEndpoint;      // ARM: https://host[:port], no path
    std::string ca_file;  // PEM bundle replacing the system store (all endpoints)
    std::chrono::seconds connect_timeout{30};
    std::chrono::seconds stall_timeout{120};
    std::chrono::seconds call_timeout{120};  // one ARM or token call, start to end

    // Checks the endpoints (https, a host, no user info, query or fragment;
    // a trailing '/' is dropped) and the identifiers. Throws Error(config)
    // naming the option and its variable. `need_credentials`: false for a
    // run that only downloads SAS URLs the user gave.
    void normalise(bool need_credentials = true);

    // The scope of ARM tokens: "<arm endpoint>/.default".
    std::string arm_scope() const { return arm_endpoint + "/.default"; }
};

// `url` checked as an endpoint root and returned without its trailing '/';
// `what` names the option for the message.
std::string normalise_endpoint(const std::string& url, const std::string& what);

}  // namespace hypersdk::azure
