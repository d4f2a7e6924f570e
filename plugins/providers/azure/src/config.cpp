#include "config.hpp"

#include <cctype>

#include "errors.hpp"

namespace hypersdk::azure {
namespace {

bool is_plain_identifier(const std::string& value) {
    if (value.empty() || value.size() > 128) return false;
    for (unsigned char c : value)
        if (!std::isalnum(c) && c != '-' && c != '.' && c != '_') return false;
    return true;
}

void require(const std::string& value, const char* option, const char* variable) {
    if (value.empty())
        throw Error(ErrorKind::config,
                    std::string("no ") + option + " given: pass --" + option + " or set " + variable);
    if (!is_plain_identifier(value))
        throw Error(ErrorKind::config, std::string("--") + option + " (" + variable +
                                           ") must be a GUID or a name of letters, digits, '-', '.' and '_'");
}

}  // namespace

std::string normalise_endpoint(const std::string& url, const std::string& what) {
    std::string u = url;
    while (!u.empty() && u.back() == '/') u.pop_back();
    const std::string scheme = "https://";
    if (u.size() <= scheme.size() || u.compare(0, scheme.size(), scheme) != 0)
        throw Error(ErrorKind::config,
                    what + " must be an https:// URL such as https://management.azure.com");
    const std::string rest = u.substr(scheme.size());
    if (rest.find_first_of("@?#/ ") != std::string::npos)
        throw Error(ErrorKind::config,
                    what + " must be a bare https://host[:port] without a path, user, query or fragment");
    return u;
}

void Config::normalise(bool need_credentials) {
    authority_host = normalise_endpoint(authority_host.empty() ? kPublicAuthorityHost : authority_host,
                                        "--authority-host (AZURE_AUTHORITY_HOST)");
    arm_endpoint =
        normalise_endpoint(arm_endpoint.empty() ? kPublicArmEndpoint : arm_endpoint, "--arm-endpoint");
    if (!need_credentials) return;
    require(tenant_id, "tenant-id", "AZURE_TENANT_ID");
    require(client_id, "client-id", "AZURE_CLIENT_ID");
    require(subscription_id, "subscription-id", "AZURE_SUBSCRIPTION_ID");
    if (client_secret.empty())
        throw Error(ErrorKind::config,
                    "no client secret given: pass --client-secret-file FILE or set AZURE_CLIENT_SECRET");
}

}  // namespace hypersdk::azure
