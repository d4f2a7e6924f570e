// AWS Signature Version 4, written once and used by every request the AWS
// client sends (EC2 Query, EBS direct, S3): the canonical request, the
// credential scope, the derived signing key, x-amz-date,
// x-amz-content-sha256 and x-amz-security-token. The clock is the caller's,
// so tests sign with a fixed time.
#pragma once

#include <hypersdk/http/request.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace hypersdk::aws {

struct Credentials {
    std::string access_key_id;
    std::string secret_access_key;  // never logged, never in a message
    std::string session_token;      // empty: long-term keys
};

// The literal AWS accepts instead of a body's SHA-256 (S3 GETs may use it).
inline constexpr const char* kUnsignedPayload = "UNSIGNED-PAYLOAD";

struct SigningParams {
    std::string region;   // "us-east-1"
    std::string service;  // "ec2", "ebs", "s3"
    std::chrono::system_clock::time_point when;
    // The payload's hex SHA-256, or kUnsignedPayload; unset: SHA-256 of request.body.
    std::optional<std::string> payload_hash;
    // S3 signs the path as sent; every other service URI-encodes it again.
    bool double_encode_path = true;
    // x-amz-content-sha256 is required by S3 and EBS, optional elsewhere
    // (AWS's published example vectors sign without it).
    bool add_content_sha256_header = true;
};

// Adds x-amz-date, x-amz-content-sha256 (unless turned off),
// x-amz-security-token (with a session token) and Authorization to
// `request`. Every header already on the request is signed except the
// hop-by-hop ones AWS does not sign (user-agent, expect, ...), plus host
// (the URL's authority). Throws std::invalid_argument on a URL it cannot sign.
void sign_request(http::Request& request, const Credentials& credentials, const SigningParams& params);

// The parts, for tests and for messages that explain a mismatch.
std::string aws_uri_encode(std::string_view text, bool keep_slash = false);
std::string amz_date(std::chrono::system_clock::time_point when);  // 20150830T123600Z
std::string canonical_query(std::string_view raw_query);
std::string canonical_path(std::string_view raw_path, bool double_encode);
std::string canonical_request(const http::Request& request, const SigningParams& params,
                              std::string& signed_headers_out, const std::string& payload_hash);
std::string sha256_hex(std::string_view data);

}  // namespace hypersdk::aws
