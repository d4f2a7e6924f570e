#include "hypersdk/process/child_environment.hpp"

#include <algorithm>

namespace hypersdk::process {

const std::vector<std::string_view>& provider_credential_variables() {
    static const std::vector<std::string_view> names = {
        // vSphere. govc's password, and its URL: govc accepts user:password@
        // inside it, and no converter needs the vCenter address.
        "GOVC_PASSWORD",
        "GOVC_URL",
        // The vSphere password of Terraform's vsphere provider and of
        // Ansible's community.vmware modules, often set in the same shells.
        "VSPHERE_PASSWORD",
        "VMWARE_PASSWORD",
        // AWS (every SDK and the CLI). The secret key, and the key id with
        // it: an SDK that finds only the id fails with a confusing "partial
        // credentials" error instead of looking elsewhere.
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        // Temporary credentials: the session token, and its older name that
        // boto and botocore still read.
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        // The bearer token for the ECS/EKS container credentials endpoint.
        "AWS_CONTAINER_AUTHORIZATION_TOKEN",
        // A web identity token file: any SDK in a child would exchange it for
        // the role's credentials.
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        // Azure (azure-identity's EnvironmentCredential, the az CLI). A service
        // principal's secret, its certificate's password, a user's password.
        "AZURE_CLIENT_SECRET",
        "AZURE_CLIENT_CERTIFICATE_PASSWORD",
        "AZURE_PASSWORD",
        // Storage: the account key, a connection string (which holds the
        // account key or a SAS), a SAS token.
        "AZURE_STORAGE_KEY",
        "AZURE_STORAGE_CONNECTION_STRING",
        "AZURE_STORAGE_SAS_TOKEN",
        // GCP. An OAuth access token, and a service-account key's JSON
        // itself (both read by Terraform's google provider and others).
        "GOOGLE_OAUTH_ACCESS_TOKEN",
        "GOOGLE_CREDENTIALS",
        // The key file of Application Default Credentials, and gcloud's
        // access token file: any Google client in a child would use them.
        "GOOGLE_APPLICATION_CREDENTIALS",
        "CLOUDSDK_AUTH_ACCESS_TOKEN_FILE",
    };
    return names;
}

std::vector<std::string> child_environment(const char* const* parent, const std::vector<std::string>& unset,
                                           const std::map<std::string, std::string>& set) {
    const auto& credentials = provider_credential_variables();
    auto removed = [&](std::string_view name) {
        return set.count(std::string(name)) != 0 ||
               std::find(unset.begin(), unset.end(), name) != unset.end() ||
               std::find(credentials.begin(), credentials.end(), name) != credentials.end();
    };
    std::vector<std::string> env;
    for (const char* const* e = parent; e != nullptr && *e != nullptr; ++e) {
        const std::string_view entry(*e);
        if (!removed(entry.substr(0, entry.find('=')))) env.emplace_back(entry);
    }
    for (const auto& [name, value] : set) env.push_back(name + "=" + value);
    return env;
}

}  // namespace hypersdk::process
