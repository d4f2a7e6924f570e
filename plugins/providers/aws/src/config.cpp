#include "config.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <sstream>

#include "errors.hpp"

namespace hypersdk::aws {

namespace {

std::string trimmed(const std::string& text) {
    const size_t first = text.find_first_not_of(" \t\r");
    if (first == std::string::npos) return "";
    const size_t last = text.find_last_not_of(" \t\r");
    return text.substr(first, last - first + 1);
}

std::string read_small_file(const std::string& path, bool& exists) {
    exists = false;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        if (errno == ENOENT) return "";
        throw Error(ErrorKind::config, "cannot read the AWS file " + path + ": " + std::strerror(errno));
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > (1 << 20)) {
        ::close(fd);
        throw Error(ErrorKind::config, "the AWS file " + path + " is not a regular file of at most 1 MiB");
    }
    std::string text(static_cast<size_t>(st.st_size), '\0');
    size_t got = 0;
    while (got < text.size()) {
        const ssize_t n = ::read(fd, text.data() + got, text.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += static_cast<size_t>(n);
    }
    ::close(fd);
    text.resize(got);
    exists = true;
    return text;
}

std::string endpoint_or_default(const std::string& specific, const std::string& general,
                                const std::string& service, const std::string& region, const char* variable) {
    std::string url = !specific.empty()  ? specific
                      : !general.empty() ? general
                                         : "https://" + service + "." + region + ".amazonaws.com";
    while (!url.empty() && url.back() == '/') url.pop_back();
    const bool https = url.rfind("https://", 0) == 0;
    if (!https)
        throw Error(ErrorKind::config, "the " + service + " endpoint \"" + url +
                                           "\" (from --endpoint-url or " + variable +
                                           ") must be an https:// URL: credentials are never sent in clear");
    if (url.find('?') != std::string::npos || url.find('#') != std::string::npos ||
        url.find('@') != std::string::npos || url.size() <= 8)
        throw Error(ErrorKind::config, "the " + service + " endpoint \"" + url + "\" (from " + variable +
                                           ") must be https://HOST[:PORT] without user, query or fragment");
    return url;
}

}  // namespace

std::map<std::string, std::map<std::string, std::string>> read_aws_ini(const std::string& path) {
    bool exists = false;
    const std::string text = read_small_file(path, exists);
    std::map<std::string, std::map<std::string, std::string>> sections;
    std::istringstream in(text);
    std::string line, section;
    while (std::getline(in, line)) {
        line = trimmed(line);
        if (line.empty() || line[0] == '#' || line[0] == ';') continue;
        if (line.front() == '[' && line.back() == ']') {
            section = trimmed(line.substr(1, line.size() - 2));
            sections[section];
            continue;
        }
        const size_t eq = line.find('=');
        if (eq == std::string::npos || section.empty())
            continue;  // nested values (s3 = ...) are not used here
        std::string key = trimmed(line.substr(0, eq));
        std::transform(key.begin(), key.end(), key.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        sections[section][key] = trimmed(line.substr(eq + 1));
    }
    return sections;
}

Config resolve_config(const ConfigInput& input) {
    Config c;
    c.credentials = {input.access_key_id, input.secret_access_key, input.session_token};
    c.region = input.region;
    c.ca_bundle = input.ca_bundle;

    const bool explicit_keys = !input.access_key_id.empty() || !input.secret_access_key.empty();
    const std::string profile = input.profile.empty() ? "default" : input.profile;
    const std::string aws_dir = input.home.empty() ? std::string() : input.home + "/.aws/";
    const std::string credentials_file = !input.shared_credentials_file.empty()
                                             ? input.shared_credentials_file
                                         : aws_dir.empty() ? ""
                                                           : aws_dir + "credentials";
    const std::string config_file = !input.config_file.empty() ? input.config_file
                                    : aws_dir.empty()          ? ""
                                                               : aws_dir + "config";

    std::map<std::string, std::string> config_section;
    if (!config_file.empty()) {
        auto sections = read_aws_ini(config_file);
        const std::string name = profile == "default" ? "default" : "profile " + profile;
        if (sections.count(name))
            config_section = sections[name];
        else if (profile == "default" && sections.count("profile default"))
            config_section = sections["profile default"];
    }
    if (!explicit_keys) {
        std::map<std::string, std::string> keys;
        bool found = false;
        if (!credentials_file.empty()) {
            auto sections = read_aws_ini(credentials_file);
            if (sections.count(profile)) {
                keys = sections[profile];
                found = true;
            }
        }
        // The config file may hold keys too; the credentials file wins.
        for (const char* key : {"aws_access_key_id", "aws_secret_access_key", "aws_session_token"})
            if (!keys.count(key) && config_section.count(key)) keys[key] = config_section[key], found = true;
        if (!found && !input.profile.empty())
            throw Error(ErrorKind::config,
                        "the AWS profile \"" + profile + "\" (from --profile or AWS_PROFILE) is in neither " +
                            (credentials_file.empty() ? "the credentials file" : credentials_file) + " nor " +
                            (config_file.empty() ? "the config file" : config_file));
        c.credentials.access_key_id = keys["aws_access_key_id"];
        c.credentials.secret_access_key = keys["aws_secret_access_key"];
        c.credentials.session_token = keys["aws_session_token"];
        if (found) c.profile = profile;
    }
    if (c.credentials.access_key_id.empty() || c.credentials.secret_access_key.empty())
        throw Error(
            ErrorKind::config,
            "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or --access-key-id and "
            "--secret-access-key-file FILE), or name a profile of ~/.aws/credentials with --profile or "
            "AWS_PROFILE" +
                std::string(c.profile.empty() ? "" : " (profile \"" + c.profile + "\" lacks a key)"));
    if (c.region.empty() && config_section.count("region")) c.region = config_section["region"];
    if (c.region.empty())
        throw Error(ErrorKind::config,
                    "no AWS region: pass --region or set AWS_REGION (or AWS_DEFAULT_REGION, or region in the "
                    "profile of ~/.aws/config)");
    const bool region_ok = std::all_of(c.region.begin(), c.region.end(), [](unsigned char ch) {
        return std::islower(ch) || std::isdigit(ch) || ch == '-';
    });
    if (!region_ok || c.region.size() > 32)
        throw Error(ErrorKind::config,
                    "the AWS region \"" + c.region + "\" is not a region name such as eu-west-1");

    c.ec2_endpoint = endpoint_or_default(input.endpoint_url_ec2, input.endpoint_url, "ec2", c.region,
                                         "AWS_ENDPOINT_URL_EC2");
    c.ebs_endpoint = endpoint_or_default(input.endpoint_url_ebs, input.endpoint_url, "ebs", c.region,
                                         "AWS_ENDPOINT_URL_EBS");
    c.s3_endpoint =
        endpoint_or_default(input.endpoint_url_s3, input.endpoint_url, "s3", c.region, "AWS_ENDPOINT_URL_S3");
    c.s3_path_style = !input.endpoint_url_s3.empty() || !input.endpoint_url.empty();
    return c;
}

}  // namespace hypersdk::aws
