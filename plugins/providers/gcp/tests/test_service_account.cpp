// Key files and endpoints as the client accepts them: every refusal names the
// file and what to do; the JWT's header and claims are what Google documents.
#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "endpoint.hpp"
#include "errors.hpp"
#include "service_account.hpp"
#include "storage.hpp"
#include "token_source.hpp"

namespace hypersdk::gcp {
namespace {

std::string pem_key() {
    EVP_PKEY* key = EVP_RSA_gen(2048);
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    std::string out(data, static_cast<size_t>(n));
    BIO_free(bio);
    EVP_PKEY_free(key);
    return out;
}

std::string escaped(const std::string& pem) {
    std::string out;
    for (char c : pem) out += c == '\n' ? std::string("\\n") : std::string(1, c);
    return out;
}

std::string key_json(const std::string& extra,
                     const std::string& pem = "-----BEGIN PRIVATE KEY-----\\nAAAA\\n") {
    return R"({"type": "service_account", "client_email": "a@p.iam.gserviceaccount.com", "private_key": ")" +
           pem + R"(", "private_key_id": "k1", "project_id": "p")" + extra + "}";
}

std::string config_error(const std::string& json) {
    try {
        parse_service_account_key(json, "the key file k.json");
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::config);
        return e.what();
    }
    return "";
}

std::string decode_base64url(const std::string& text) {
    std::string b64 = text;
    for (char& c : b64) c = c == '-' ? '+' : c == '_' ? '/' : c;
    while (b64.size() % 4) b64 += '=';
    std::string out(b64.size(), '\0');
    const int n =
        EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                        reinterpret_cast<const unsigned char*>(b64.data()), static_cast<int>(b64.size()));
    out.resize(static_cast<size_t>(n) - (text.size() % 4 == 2 ? 2 : text.size() % 4 == 3 ? 1 : 0));
    return out;
}

TEST(ServiceAccountKey, ReadsTheFieldsAndDefaultsTheTokenUri) {
    const auto key = parse_service_account_key(key_json(""), "k");
    EXPECT_EQ(key.client_email, "a@p.iam.gserviceaccount.com");
    EXPECT_EQ(key.project_id, "p");
    EXPECT_EQ(key.token_uri, "https://oauth2.googleapis.com/token");
}

TEST(ServiceAccountKey, RefusesWhatIsNotAServiceAccountKey) {
    EXPECT_NE(
        config_error(R"({"type": "authorized_user", "client_id": "x"})").find("not a service-account key"),
        std::string::npos);
    EXPECT_NE(
        config_error(R"({"type": "service_account", "private_key": "x"})").find("has no \"client_email\""),
        std::string::npos);
    EXPECT_NE(config_error("{not json").find("k.json"), std::string::npos);
    EXPECT_NE(
        config_error(key_json(R"(, "token_uri": "http://oauth2.example.com/token")")).find("plain http"),
        std::string::npos);
    EXPECT_NE(config_error(key_json(R"(, "token_uri": "ftp://x/token")")).find("not an https:// URL"),
              std::string::npos);
    EXPECT_EQ(config_error(key_json(R"(, "token_uri": "http://127.0.0.1:8080/token")")), "");
}

TEST(ServiceAccountKey, ABrokenPrivateKeyIsAConfigErrorWithoutTheKey) {
    const auto key = parse_service_account_key(key_json(""), "k");
    try {
        make_jwt_assertion(key, "s", std::chrono::system_clock::now());
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::config);
        EXPECT_EQ(std::string(e.what()).find("AAAA"), std::string::npos) << e.what();
    }
}

TEST(ServiceAccountKey, TheAssertionHasGooglesHeaderAndClaims) {
    const auto key = parse_service_account_key(
        key_json(R"(, "token_uri": "https://oauth2.googleapis.com/token")", escaped(pem_key())), "k");
    const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
    const std::string jwt = make_jwt_assertion(key, kCloudPlatformScope, now);
    const auto dot1 = jwt.find('.'), dot2 = jwt.find('.', dot1 + 1);
    ASSERT_NE(dot2, std::string::npos);
    EXPECT_EQ(decode_base64url(jwt.substr(0, dot1)), R"({"alg":"RS256","typ":"JWT","kid":"k1"})");
    EXPECT_EQ(
        decode_base64url(jwt.substr(dot1 + 1, dot2 - dot1 - 1)),
        R"({"iss":"a@p.iam.gserviceaccount.com","scope":"https://www.googleapis.com/auth/cloud-platform",)"
        R"("aud":"https://oauth2.googleapis.com/token","iat":1700000000,"exp":1700003600})");
    EXPECT_EQ(decode_base64url(jwt.substr(dot2 + 1)).size(), 256u);  // RSA-2048
    EXPECT_EQ(jwt.find('='), std::string::npos);
}

TEST(Base64Url, MatchesRfc4648Vectors) {
    EXPECT_EQ(base64url(""), "");
    EXPECT_EQ(base64url("f"), "Zg");
    EXPECT_EQ(base64url("fo"), "Zm8");
    EXPECT_EQ(base64url("foo"), "Zm9v");
    EXPECT_EQ(base64url("foob"), "Zm9vYg");
    EXPECT_EQ(base64url("\xfb\xff"), "-_8");
}

TEST(Endpoints, StorageEmulatorHostAndGcsUris) {
    EXPECT_EQ(storage_endpoint_from_emulator_host("127.0.0.1:9023"), "https://127.0.0.1:9023");
    EXPECT_EQ(storage_endpoint_from_emulator_host("http://localhost:9023/"), "http://localhost:9023");
    const auto uri = parse_gcs_uri("gs://my-bucket/exports/disk 0.tar.gz");
    EXPECT_EQ(uri.bucket, "my-bucket");
    EXPECT_EQ(uri.object, "exports/disk 0.tar.gz");
    EXPECT_EQ(url_encode(uri.object), "exports%2Fdisk%200.tar.gz");
    for (const char* bad : {"s3://b/o", "gs://b", "gs:///o", "gs://B@d/o", "gs://b/"})
        EXPECT_THROW(parse_gcs_uri(bad), Error) << bad;
}

}  // namespace
}  // namespace hypersdk::gcp
