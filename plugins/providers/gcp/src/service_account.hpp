// A Google service-account key file (the JSON that GOOGLE_APPLICATION_CREDENTIALS
// names) and the OAuth 2.0 JWT-bearer assertion made from it (RFC 7523 as
// Google documents it for server-to-server apps): RS256 over
// base64url(header).base64url(claims), signed with the key's private half.
#pragma once

#include <chrono>
#include <string>

namespace hypersdk::gcp {

struct ServiceAccountKey {
    std::string client_email;
    std::string private_key;  // PEM; never logged
    std::string private_key_id;
    std::string token_uri;  // where the assertion is exchanged for a token
    std::string project_id;
};

// Reads and checks the key file (bounded JSON; type "service_account",
// client_email, private_key and token_uri present; token_uri https, or http
// only on 127.0.0.1/::1 for tests). Throws Error(config) naming the file.
ServiceAccountKey load_service_account_key(const std::string& path);
ServiceAccountKey parse_service_account_key(const std::string& json, const std::string& what);

// The signed assertion for `scope`, valid for one hour from `now`.
// Throws Error(config) when the private key cannot be read or is not RSA.
std::string make_jwt_assertion(const ServiceAccountKey& key, const std::string& scope,
                               std::chrono::system_clock::time_point now);

// base64url without padding (RFC 4648 §5), as JWS uses it.
std::string base64url(const std::string& bytes);

}  // namespace hypersdk::gcp
