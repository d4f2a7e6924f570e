#include "provider_config.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <boost/program_options.hpp>

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace hypersdk::host {
namespace {

namespace po = boost::program_options;

std::optional<std::string> from_environment(const std::string& name) {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
}

bool truthy(const std::string& value) {
    return value == "1" || value == "true" || value == "TRUE" || value == "True" || value == "yes";
}

std::string read_password_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read --password-file " + path);
    std::string password;
    std::getline(in, password);
    if (!password.empty() && password.back() == '\r') password.pop_back();
    if (password.empty()) throw std::runtime_error("--password-file " + path + " is empty");
    return password;
}

}  // namespace

po::options_description connection_options(ConnectionFlags& flags) {
    po::options_description options(
        "Connection (flags override GOVC_URL, GOVC_USERNAME, GOVC_PASSWORD, "
        "GOVC_INSECURE, GOVC_DATACENTER, GOVC_TLS_CA_CERTS)",
        100);
    // clang-format off
    options.add_options()
        ("url", po::value(&flags.url)->value_name("URL"), "the endpoint, e.g. https://vcenter.example.com/sdk")
        ("username", po::value(&flags.username)->value_name("USER"), "the user to log in as")
        ("password-file", po::value(&flags.password_file)->value_name("FILE"),
         "read the password from the first line of FILE (there is no --password: it would show in ps)")
        ("password-env", po::value(&flags.password_env)->value_name("VAR"),
         "read the password from environment variable VAR (default: GOVC_PASSWORD)")
        ("insecure", po::value<bool>()->value_name("BOOL")->implicit_value(true)
             ->notifier([&flags](bool value) { flags.insecure = value; }),
         "skip TLS certificate verification (not recommended); --insecure=false overrides GOVC_INSECURE")
        ("thumbprint", po::value(&flags.thumbprint)->value_name("AA:BB:.."),
         "trust exactly this server certificate (SHA-1 or SHA-256 fingerprint)")
        ("ca-file", po::value(&flags.ca_file)->value_name("PEM"), "trust the CA certificates in this file")
        ("datacenter", po::value(&flags.datacenter)->value_name("DC"), "the datacenter to search");
    // clang-format on
    return options;
}

std::string build_provider_config(const std::string& provider, const ConnectionFlags& flags,
                                  const EnvLookup& lookup_in) {
    const EnvLookup lookup = lookup_in ? lookup_in : EnvLookup(from_environment);
    // Each provider's own conventions; vSphere users have govc's variables.
    const bool govc = provider == "vsphere";
    const auto env = [&](const char* name) -> std::string {
        if (!govc) return {};
        return lookup(name).value_or("");
    };
    std::string url = flags.url.empty() ? env("GOVC_URL") : flags.url;
    std::string username = flags.username.empty() ? env("GOVC_USERNAME") : flags.username;
    std::string password;
    if (!flags.password_file.empty()) {
        password = read_password_file(flags.password_file);
    } else if (!flags.password_env.empty()) {
        const auto value = lookup(flags.password_env);
        if (!value)
            throw std::runtime_error("--password-env " + flags.password_env + ": the variable is not set");
        password = *value;
    } else {
        password = env("GOVC_PASSWORD");
    }
    const bool insecure = flags.insecure ? *flags.insecure : truthy(env("GOVC_INSECURE"));
    const std::string ca_file = flags.ca_file.empty() ? env("GOVC_TLS_CA_CERTS") : flags.ca_file;
    const std::string datacenter = flags.datacenter.empty() ? env("GOVC_DATACENTER") : flags.datacenter;

    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartObject();
    const auto add = [&](const char* key, const std::string& value) {
        if (value.empty()) return;
        writer.Key(key);
        writer.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
    };
    add("url", url);
    add("username", username);
    add("password", password);
    writer.Key("insecure");
    writer.Bool(insecure);
    add("thumbprint", flags.thumbprint);
    add("ca_file", ca_file);
    add("datacenter", datacenter);
    writer.EndObject();
    return buffer.GetString();
}

}  // namespace hypersdk::host
