#include "service_account.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <memory>

#include "endpoint.hpp"
#include "errors.hpp"
#include "hypersdk/plugin_common/json_access.hpp"

namespace hypersdk::gcp {
namespace pc = hypersdk::plugin_common;

namespace {

std::string required(const rapidjson::Value& doc, const char* key, const std::string& what) {
    auto value = pc::get_string(doc, key, "");
    if (!value || value->empty())
        throw Error(ErrorKind::config, what + " has no \"" + key +
                                           "\": give the JSON key file of a service account "
                                           "(IAM > Service accounts > Keys > Add key > JSON)");
    return *value;
}

}  // namespace

ServiceAccountKey parse_service_account_key(const std::string& json, const std::string& what) {
    rapidjson::Document doc;
    try {
        doc = pc::parse_json(json, what);
        if (!doc.IsObject()) throw pc::JsonError(what + " is not a JSON object");
        const auto type = pc::get_string(doc, "type", "").value_or("");
        if (type != "service_account")
            throw Error(ErrorKind::config,
                        what + " is not a service-account key (its \"type\" is \"" + type +
                            "\"); give a service account's JSON key, or a ready token with "
                            "GOOGLE_OAUTH_ACCESS_TOKEN / --access-token-file");
        ServiceAccountKey key;
        key.client_email = required(doc, "client_email", what);
        key.private_key = required(doc, "private_key", what);
        key.private_key_id = pc::get_string(doc, "private_key_id", "").value_or("");
        key.token_uri = pc::get_string(doc, "token_uri", "").value_or("https://oauth2.googleapis.com/token");
        key.project_id = pc::get_string(doc, "project_id", "").value_or("");
        check_endpoint(key.token_uri, what + ": token_uri");
        return key;
    } catch (const pc::JsonError& e) {
        throw Error(ErrorKind::config, e.what());
    }
}

ServiceAccountKey load_service_account_key(const std::string& path) {
    std::string text;
    try {
        text = pc::read_text_file(path, 1u << 20);
    } catch (const pc::JsonError& e) {
        throw Error(ErrorKind::config, std::string(e.what()) +
                                           " (GOOGLE_APPLICATION_CREDENTIALS / --credentials must name a "
                                           "service account's JSON key file)");
    }
    return parse_service_account_key(text, "the key file " + path);
}

std::string base64url(const std::string& bytes) {
    static const char* const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const uint32_t v = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += alphabet[v & 63];
    }
    if (i + 1 == bytes.size()) {
        const uint32_t v = uint8_t(bytes[i]) << 16;
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
    } else if (i + 2 == bytes.size()) {
        const uint32_t v = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
    }
    return out;
}

std::string make_jwt_assertion(const ServiceAccountKey& key, const std::string& scope,
                               std::chrono::system_clock::time_point now) {
    const int64_t iat = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    auto json = [](auto&& fill) {
        rapidjson::StringBuffer out;
        rapidjson::Writer<rapidjson::StringBuffer> w(out);
        w.StartObject();
        fill(w);
        w.EndObject();
        return std::string(out.GetString(), out.GetSize());
    };
    const std::string header = json([&](auto& w) {
        w.Key("alg");
        w.String("RS256");
        w.Key("typ");
        w.String("JWT");
        if (!key.private_key_id.empty()) {
            w.Key("kid");
            w.String(key.private_key_id.c_str());
        }
    });
    const std::string claims = json([&](auto& w) {
        w.Key("iss");
        w.String(key.client_email.c_str());
        w.Key("scope");
        w.String(scope.c_str());
        w.Key("aud");
        w.String(key.token_uri.c_str());
        w.Key("iat");
        w.Int64(iat);
        w.Key("exp");
        w.Int64(iat + 3600);
    });
    const std::string signing_input = base64url(header) + "." + base64url(claims);

    std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(key.private_key.data(), static_cast<int>(key.private_key.size())), BIO_free);
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(
        bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr, EVP_PKEY_free);
    if (!pkey || EVP_PKEY_get_base_id(pkey.get()) != EVP_PKEY_RSA)
        throw Error(ErrorKind::config, "the private_key of service account " + key.client_email +
                                           " is not an RSA private key in PEM; download a new JSON key");
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    size_t length = 0;
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, pkey.get()) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &length,
                       reinterpret_cast<const unsigned char*>(signing_input.data()),
                       signing_input.size()) != 1)
        throw Error(ErrorKind::config,
                    "cannot sign with the private key of service account " + key.client_email);
    std::string signature(length, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                       reinterpret_cast<const unsigned char*>(signing_input.data()),
                       signing_input.size()) != 1)
        throw Error(ErrorKind::config,
                    "cannot sign with the private key of service account " + key.client_email);
    signature.resize(length);
    return signing_input + "." + base64url(signature);
}

}  // namespace hypersdk::gcp
