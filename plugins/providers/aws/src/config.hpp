// Where and as whom the AWS client talks: credentials, region and
// endpoints, resolved the way AWS's own tools do it. Explicit values
// (options, or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN
// through them) win; otherwise the profile (AWS_PROFILE, "default") is read
// from the shared credentials file (~/.aws/credentials or
// AWS_SHARED_CREDENTIALS_FILE) and the config file (~/.aws/config or
// AWS_CONFIG_FILE), which also gives the region. Endpoints default to AWS's
// regional ones; AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_EC2/_EBS/_S3 replace them.
#pragma once

#include <map>
#include <string>

#include "sigv4.hpp"

namespace hypersdk::aws {

// What the user gave (every field optional), as the plugin's declared options carry it.
struct ConfigInput {
    std::string access_key_id, secret_access_key, session_token;
    std::string region, profile;
    std::string shared_credentials_file, config_file;
    std::string endpoint_url, endpoint_url_ec2, endpoint_url_ebs, endpoint_url_s3;
    std::string ca_bundle;
    std::string home;  // $HOME, for ~/.aws
};

struct Config {
    Credentials credentials;
    std::string region;
    std::string profile;                                  // the profile the keys came from, "" when explicit
    std::string ec2_endpoint, ebs_endpoint, s3_endpoint;  // "https://host[:port]", no trailing '/'
    bool s3_path_style = false;                           // custom S3 endpoints are addressed by path
    std::string ca_bundle;
};

// Throws Error(config) naming the missing or bad setting and how to set it.
Config resolve_config(const ConfigInput& input);

// An INI file as AWS's tools read it: [section] then key = value; '#' and
// ';' start comments. Sections map to keys. Throws Error(config) if the
// file exists but cannot be read.
std::map<std::string, std::map<std::string, std::string>> read_aws_ini(const std::string& path);

}  // namespace hypersdk::aws
