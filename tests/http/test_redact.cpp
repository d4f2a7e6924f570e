// redact(): every credential shape the providers handle is masked, and the
// text around it (what and where) stays readable.
#include <gtest/gtest.h>
#include <hypersdk/http/redact.hpp>

#include <string>

using hypersdk::http::redact;

namespace {

void expect_masked(const std::string& text, const std::string& secret, const std::string& kept = {}) {
    const std::string out = redact(text);
    EXPECT_EQ(out.find(secret), std::string::npos) << "'" << secret << "' survived in: " << out;
    EXPECT_NE(out.find("REDACTED"), std::string::npos) << out;
    if (!kept.empty()) {
        EXPECT_NE(out.find(kept), std::string::npos) << "'" << kept << "' lost in: " << out;
    }
}

}  // namespace

TEST(Redact, CredentialHeadersAtTheStartOfALine) {
    expect_masked(
        "Authorization: AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/ec2/aws4_request, "
        "SignedHeaders=host, Signature=abc123def",
        "abc123def", "Authorization:");
    expect_masked("> Authorization: Bearer eyJhbGciOi.payload.sig\r\n> Host: example.com\r\n", "eyJhbGciOi",
                  "Host: example.com");
    expect_masked("x-amz-security-token: FwoGZXIvYXdzEJr", "FwoGZXIvYXdzEJr", "x-amz-security-token");
    expect_masked("< Set-Cookie: vmware_soap_session=52a1b2c3; Path=/", "52a1b2c3");
    expect_masked("Cookie: vmware_soap_session=52a1b2c3", "52a1b2c3");
    expect_masked("x-ms-encryption-key: c2VjcmV0a2V5", "c2VjcmV0a2V5");
    expect_masked("x-ms-copy-source-authorization: Bearer t0k3n", "t0k3n");
    expect_masked("Proxy-Authorization: Basic dXNlcjpwYXNz", "dXNlcjpwYXNz");
    expect_masked("X-Goog-Api-Key: AIzaSyExample", "AIzaSyExample");
}

TEST(Redact, AlwaysSecretHeadersAnywhereInALine) {
    expect_masked("request failed with Authorization: SharedKey devstoreaccount1:c2lnbmF0dXJl",
                  "c2lnbmF0dXJl", "request failed with");
}

TEST(Redact, BearerTokensAnywhere) {
    expect_masked("token type bearer   ya29.a0AfH6SMBx-secret_value rejected", "ya29.a0AfH6SMBx", "rejected");
}

TEST(Redact, UserinfoInUrls) {
    expect_masked("GET https://admin:Pa55w0rd@vc.example.com/sdk failed", "Pa55w0rd",
                  "vc.example.com/sdk failed");
    expect_masked("proxy http://user@proxy:3128", "user@", "proxy:3128");
}

TEST(Redact, AzureSasParameters) {
    const std::string url =
        "https://acct.blob.core.windows.net/c/disk.vhd?sv=2021-08-06&st=2024-01-01T00%3A00%3A00Z"
        "&se=2024-01-02T00%3A00%3A00Z&sr=b&sp=r&skoid=11111111-2222&sig=AbCdEf%2BgHi%3D";
    const std::string out = redact("GET " + url + ": HTTP 403");
    for (const char* secret : {"AbCdEf", "2024-01-02", "2024-01-01", "11111111-2222"})
        EXPECT_EQ(out.find(secret), std::string::npos) << secret << " in " << out;
    EXPECT_NE(out.find("acct.blob.core.windows.net/c/disk.vhd"), std::string::npos) << out;
    EXPECT_NE(out.find("sig=REDACTED"), std::string::npos) << out;
    EXPECT_NE(out.find(": HTTP 403"), std::string::npos) << out;
}

TEST(Redact, SignedUrlParameters) {
    expect_masked(
        "https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F2024"
        "&X-Amz-Signature=feedface&X-Amz-Security-Token=IQoJb3JpZ2lu",
        "feedface", "X-Amz-Algorithm=AWS4-HMAC-SHA256");
    const std::string out = redact(
        "https://storage.googleapis.com/b/o?X-Goog-Credential=sa%40p.iam&"
        "X-Goog-Signature=0badc0de&X-Goog-Date=20240101T000000Z");
    EXPECT_EQ(out.find("0badc0de"), std::string::npos) << out;
    EXPECT_EQ(out.find("sa%40p.iam"), std::string::npos) << out;
    EXPECT_NE(out.find("X-Goog-Date=20240101T000000Z"), std::string::npos) << out;
    expect_masked("https://b.s3.amazonaws.com/k?X-Amz-Security-Token=IQoJb3JpZ2lu", "IQoJb3JpZ2lu");
}

TEST(Redact, FormAndJsonCredentials) {
    expect_masked("grant_type=client_credentials&client_id=app&client_secret=s3cr3t-value&scope=x",
                  "s3cr3t-value", "client_id=app");
    expect_masked(R"({"token_type":"Bearer","access_token":"eyJ0eXAi.x.y","expires_in":3599})", "eyJ0eXAi",
                  R"("expires_in":3599)");
    expect_masked(R"({"private_key": "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n"})",
                  "MIIE");
    expect_masked(R"({"Credentials":{"SessionToken":"FQoG\"quoted","SecretAccessKey":"wJalr"}})", "wJalr");
}

TEST(Redact, LeavesOrdinaryTextAlone) {
    const std::string text = "GET https://127.0.0.1:8443/disk.raw?partNumber=2: HTTP 503 (Retry-After 2 s)";
    EXPECT_EQ(redact(text), text);
    EXPECT_EQ(redact(""), "");
    EXPECT_EQ(redact("Content-Range: bytes 0-99/100"), "Content-Range: bytes 0-99/100");
}

TEST(Redact, SecretNamesAreRecognised) {
    EXPECT_TRUE(hypersdk::http::is_secret_header("authorization"));
    EXPECT_TRUE(hypersdk::http::is_secret_header("X-Amz-Security-Token"));
    EXPECT_FALSE(hypersdk::http::is_secret_header("x-amz-content-sha256"));
    EXPECT_FALSE(hypersdk::http::is_secret_header("Content-Length"));
    EXPECT_TRUE(hypersdk::http::is_secret_parameter("SIG"));
    EXPECT_FALSE(hypersdk::http::is_secret_parameter("comp"));
}
