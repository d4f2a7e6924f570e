// The connection settings of `hyperexport export` and `hyperexport vms`:
// flags over the provider's own environment conventions (GOVC_* for vSphere),
// turned into the provider's config JSON (docs/provider-json.md#config).
// The password never comes from a flag value (it would show in ps): only
// from --password-file, the variable --password-env names, or GOVC_PASSWORD.
#pragma once

#include <boost/program_options/options_description.hpp>

#include <functional>
#include <optional>
#include <string>

namespace hypersdk::host {

struct ConnectionFlags {
    std::string url;
    std::string username;
    std::string password_file;
    std::string password_env;
    std::optional<bool> insecure;  // unset: GOVC_INSECURE decides
    std::string thumbprint;
    std::string ca_file;
    std::string datacenter;
};

// Adds --url, --username, --password-file, --password-env, --insecure,
// --thumbprint, --ca-file, --datacenter.
boost::program_options::options_description connection_options(ConnectionFlags& flags);

using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// The config JSON for `provider`. Throws std::runtime_error for an unreadable
// password file or a missing --password-env variable; the message never
// holds the password.
std::string build_provider_config(const std::string& provider, const ConnectionFlags& flags,
                                  const EnvLookup& lookup = {});

}  // namespace hypersdk::host
