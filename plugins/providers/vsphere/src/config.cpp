#include "config.hpp"

#include <cctype>
#include <cstdlib>

#include <hypersdk/http/tls.hpp>

#include "errors.hpp"

namespace hypersdk::vsphere {
namespace {

std::string percent_decode(const std::string& in) {
    std::string out;
    for (size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '%' && i + 2 < in.size() && std::isxdigit(static_cast<unsigned char>(in[i + 1])) &&
            std::isxdigit(static_cast<unsigned char>(in[i + 2]))) {
            out.push_back(static_cast<char>(std::stoi(in.substr(i + 1, 2), nullptr, 16)));
            i += 2;
        } else {
            out.push_back(in[i]);
        }
    }
    return out;
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
    auto path_start = rest.find_first_of("/?#");
    std::string authority = rest.substr(0, path_start);
    std::string path = path_start == std::string::npos ? "" : rest.substr(path_start);
    path = path.substr(0, path.find_first_of("?#"));
    if (auto at = authority.rfind('@'); at != std::string::npos) {
        std::string userinfo = authority.substr(0, at);
        authority = authority.substr(at + 1);
        auto colon = userinfo.find(':');
        if (username.empty()) username = percent_decode(userinfo.substr(0, colon));
        if (password.empty() && colon != std::string::npos)
            password = percent_decode(userinfo.substr(colon + 1));
    }
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
