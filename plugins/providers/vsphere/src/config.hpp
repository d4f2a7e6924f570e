// Connection settings, in the conventions vSphere users already have (govc's
// GOVC_* variables). The plugin fills this from its config JSON; tests and
// tools may fill it from the environment.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace hypersdk::vsphere {

struct Config {
    std::string url;  // normalised: https://host[:port]/sdk, no credentials
    std::string username;
    std::string password;    // never logged, never in a message
    bool insecure = false;   // skip TLS verification (explicit opt-in)
    std::string thumbprint;  // pin: SHA-1 or SHA-256 of the server certificate, "AA:BB:..."
    std::string ca_file;     // extra CA bundle (PEM)
    std::string datacenter;  // restrict lookups to this datacenter
    std::chrono::seconds connect_timeout{30};
    std::chrono::seconds soap_timeout{300};   // one SOAP call, start to end
    std::chrono::seconds stall_timeout{120};  // a download receiving nothing this long fails

    // GOVC_URL (host, host:port or URL; no user:pass@), GOVC_USERNAME,
    // GOVC_PASSWORD, GOVC_INSECURE, GOVC_DATACENTER, GOVC_TLS_CA_CERTS.
    // `lookup` defaults to std::getenv. Throws Error(config) on bad values.
    using Lookup = std::function<std::optional<std::string>(const std::string&)>;
    static Config from_env(const Lookup& lookup = {});

    // Normalises `url` (adds https:// and /sdk), refuses one holding a user
    // or password (user@ or user:pass@: they belong in username/password)
    // and checks the thumbprint.
    void normalise();

    // "host[:port]" of url: what replaces '*' in NFC device URLs.
    std::string host() const;
};

// "host[:port]" of a URL, without user info, path, query or fragment.
std::string url_authority(const std::string& url);

// Parses a govc-style boolean ("1", "true", "0", "false", ...); `name` is
// for the error message.
bool parse_bool(const std::string& name, const std::string& value);

// Parses a thumbprint ("AA:BB:..", any case, ':' optional) into raw bytes:
// 20 bytes for SHA-1, 32 for SHA-256. Throws Error(config) otherwise.
std::string parse_thumbprint(const std::string& thumbprint);

}  // namespace hypersdk::vsphere
