#include "config.hpp"

#include <cctype>
#include <cstdlib>

#include <hypersdk/http/tls.hpp>

#include "errors.hpp"

namespace hypersdk::vsphere {
namespace {

// A user or password in the URL (user@host, user:pass@host) shows in `ps`,
// shell history and logs. Both are refused, so one rule covers --url and
// GOVC_URL alike (the plugin cannot tell which one a value came from). Any
// '@' counts, even past a '/' or '?' that an unencoded password may hold;
// the message keeps only what follows the last '@'. `rest` is the URL
// without its scheme.
void refuse_userinfo(const std::string& rest) {
    const auto at = rest.rfind('@');
    if (at == std::string::npos) return;
    const std::string after = rest.substr(at + 1);
    const auto path_start = after.find_first_of("/?#");
    std::string path = path_start == std::string::npos ? "" : after.substr(path_start);
    path = path.substr(0, path.find_first_of("?#"));
    if (path.empty() || path == "/") path = "/sdk";
    throw Error(ErrorKind::config,
                "the vSphere URL must not hold a user name or password (it would show in ps, shell history "
                "and logs): give the URL as https://" +
                    after.substr(0, path_start) + path +
                    ", the user with --username (or GOVC_USERNAME) and the password with --password-file "
                    "FILE (or GOVC_PASSWORD)");
}

}  // namespace

bool parse_bool(const std::string& name, const std::string& value) {
    // The spellings Go's strconv.ParseBool (and so govc) accepts.
    for (const char* t : {"1", "t", "T", "true", "TRUE", "True"}) {
        if (value == t) return true;
    }
    for (const char* f : {"", "0", "f", "F", "false", "FALSE", "False"}) {
        if (value == f) return false;
    }
    throw Error(ErrorKind::config, name + "='" + value + "' is not a boolean; use 1/0 or true/false");
}

std::string parse_thumbprint(const std::string& thumbprint) {
    try {
        return http::parse_thumbprint(thumbprint);  // the shared transport's rules, which pin with it
    } catch (const http::Error& e) {
        throw Error(ErrorKind::config, e.what());
    }
}

void Config::normalise() {
    if (url.empty())
        throw Error(ErrorKind::config,
                    "no vSphere URL: set url (or GOVC_URL), e.g. https://vcenter.example.com/sdk");
    std::string rest = url;
    auto scheme_end = rest.find("://");
    if (scheme_end == std::string::npos) {
        rest = "https://" + rest;
        scheme_end = 5;
    }
    std::string scheme = rest.substr(0, scheme_end);
    for (auto& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (scheme != "https") {
        throw Error(ErrorKind::config, "vSphere URL must use https (got '" + scheme + "://...')");
    }
    rest = rest.substr(scheme_end + 3);
    refuse_userinfo(rest);
    auto path_start = rest.find_first_of("/?#");
    std::string authority = rest.substr(0, path_start);
    std::string path = path_start == std::string::npos ? "" : rest.substr(path_start);
    path = path.substr(0, path.find_first_of("?#"));
    if (authority.empty()) throw Error(ErrorKind::config, "vSphere URL has no host: set url (or GOVC_URL)");
    if (path.empty() || path == "/") path = "/sdk";
    url = "https://" + authority + path;
    if (!thumbprint.empty()) parse_thumbprint(thumbprint);  // fail early on a malformed pin
}

std::string url_authority(const std::string& url) {
    auto start = url.find("://");
    start = start == std::string::npos ? 0 : start + 3;
    std::string authority = url.substr(start, url.find_first_of("/?#", start) - start);
    if (auto at = authority.rfind('@'); at != std::string::npos) authority.erase(0, at + 1);
    return authority;
}

std::string Config::host() const {
    return url_authority(url);
}

Config Config::from_env(const Lookup& lookup) {
    auto get = [&](const char* name) -> std::optional<std::string> {
        if (lookup) return lookup(name);
        const char* v = std::getenv(name);
        return v ? std::optional<std::string>(v) : std::nullopt;
    };
    Config config;
    config.url = get("GOVC_URL").value_or("");
    config.username = get("GOVC_USERNAME").value_or("");
    config.password = get("GOVC_PASSWORD").value_or("");
    if (auto v = get("GOVC_INSECURE")) config.insecure = parse_bool("GOVC_INSECURE", *v);
    config.datacenter = get("GOVC_DATACENTER").value_or("");
    config.ca_file = get("GOVC_TLS_CA_CERTS").value_or("");
    config.normalise();
    return config;
}

}  // namespace hypersdk::vsphere
