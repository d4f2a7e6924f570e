// SigV4 as AWS defines it: AWS's published example signature, and a table of
// requests signed both by our signer and by AWS's own JavaScript signer
// (@smithy/signature-v4, run at test time by tests/peers/aws/sign_table.cjs):
// reserved characters, repeated query keys, keys without values, empty and
// UNSIGNED-PAYLOAD bodies, session tokens, regions other than us-east-1,
// header values with runs of spaces, paths that need encoding, and the clock
// given by the test.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <fstream>

#include "ebs.hpp"  // base64_encode
#include "known_peers.hpp"
#include "sigv4.hpp"
#include "temp_dir.hpp"

namespace aws = hypersdk::aws;
namespace http = hypersdk::http;
using namespace std::chrono;

namespace {

system_clock::time_point utc(int y, unsigned mo, unsigned d, int h, int mi, int s) {
    return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s};
}

std::string iso(system_clock::time_point t) {
    const std::string a = aws::amz_date(t);  // 20150830T123600Z
    return a.substr(0, 4) + "-" + a.substr(4, 2) + "-" + a.substr(6, 2) + "T" + a.substr(9, 2) + ":" +
           a.substr(11, 2) + ":" + a.substr(13, 2) + "Z";
}

std::string authorization(const http::Request& r) {
    return http::find_header(r.headers, "Authorization").value_or("");
}

struct Case {
    std::string method, url;
    http::Headers headers;
    std::string body;
    std::string region, service;
    system_clock::time_point when;
    aws::Credentials credentials;
    bool unsigned_payload = false;
    bool content_sha256_header = true;
};

}  // namespace

TEST(AwsSigV4, AwsPublishedExampleSignature) {
    // docs.aws.amazon.com, "Signature Version 4 test suite", get-vanilla.
    http::Request r;
    r.method = "GET";
    r.url = "https://example.amazonaws.com/";
    aws::SigningParams p;
    p.region = "us-east-1";
    p.service = "service";
    p.when = utc(2015, 8, 30, 12, 36, 0);
    p.add_content_sha256_header = false;
    aws::sign_request(r, {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""}, p);
    EXPECT_EQ(authorization(r),
              "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
              "SignedHeaders=host;x-amz-date, "
              "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
    EXPECT_EQ(http::find_header(r.headers, "x-amz-date").value_or(""), "20150830T123600Z");
}

TEST(AwsSigV4, CanonicalQuerySortsEncodedPairsAndKeepsRepeats) {
    EXPECT_EQ(aws::canonical_query("b=2&a=2&a=1&c"), "a=1&a=2&b=2&c=");
    EXPECT_EQ(aws::canonical_query("k=a%20b+c%2F~"), "k=a%20b%2Bc%2F~");
    EXPECT_EQ(aws::canonical_path("/snap/a%20b", true), "/snap/a%2520b");
    EXPECT_EQ(aws::canonical_path("/bucket/a%20b", false), "/bucket/a%20b");
}

TEST(AwsSigV4, SessionTokenIsSentAndSigned) {
    http::Request r;
    r.url = "https://ebs.eu-west-1.amazonaws.com/snapshots/snap-1/blocks";
    aws::SigningParams p;
    p.region = "eu-west-1";
    p.service = "ebs";
    p.when = utc(2026, 1, 2, 3, 4, 5);
    aws::sign_request(r, {"ASIAEXAMPLE", "secret", "the-session-token"}, p);
    EXPECT_EQ(http::find_header(r.headers, "x-amz-security-token").value_or(""), "the-session-token");
    EXPECT_NE(authorization(r).find("x-amz-security-token"), std::string::npos) << authorization(r);
    EXPECT_EQ(authorization(r).find("the-session-token"), std::string::npos)
        << "the token is not in Authorization";
}

TEST(AwsSigV4, SameSignaturesAsAwsSmithySigner) {
    hypersdk::test::NodePeer::require_modules();
    const aws::Credentials plain{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
    const aws::Credentials temporary{"ASIAQEXAMPLE", "d/4+secret=with/reserved",
                                     "FwoGZXIvYXdzEXAMPLE//+token=="};
    std::vector<Case> cases = {
        {"POST",
         "https://ec2.eu-west-1.amazonaws.com/",
         {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}},
         "Action=DescribeInstances&Version=2016-11-15&Filter.1.Name=tag%3AName&Filter.1.Value.1=web%2001",
         "eu-west-1",
         "ec2",
         utc(2026, 12, 2, 6, 30, 0),
         plain},
        {"GET",
         "https://s3.ap-southeast-2.amazonaws.com/bucket/dir/a%20key%2Bplus~tilde.vmdk?versionId=3%2F4&acl",
         {},
         "",
         "ap-southeast-2",
         "s3",
         utc(2024, 2, 29, 23, 59, 59),
         plain,
         true},
        {"GET",
         "https://ebs.us-west-2.amazonaws.com/snapshots/snap-0abc/blocks/17?blockToken=AbC%2B%2F%3D%3D",
         {},
         "",
         "us-west-2",
         "ebs",
         utc(2030, 1, 1, 0, 0, 0),
         temporary},
        {"GET",
         "https://ebs.eu-central-1.amazonaws.com/snapshots/snap-1/"
         "blocks?maxResults=100&pageToken=a%20b%26c%3Dd",
         {{"X-Custom", "  several   spaces  inside "}},
         "",
         "eu-central-1",
         "ebs",
         utc(2026, 6, 15, 12, 0, 0),
         plain},
        {"GET",
         "https://example.amazonaws.com/?b=2&a=z&a=y&a=%C3%A9t%C3%A9&empty=&%21key=%2A%28%29",
         {},
         "",
         "us-east-1",
         "service",
         utc(2015, 8, 30, 12, 36, 0),
         plain,
         false,
         false},
        {"POST",
         "https://ec2.sa-east-1.amazonaws.com/",
         {{"Content-Type", "application/x-www-form-urlencoded"}},
         "",
         "sa-east-1",
         "ec2",
         utc(2026, 3, 1, 0, 0, 1),
         temporary},
        {"DELETE",
         "https://s3.us-east-2.amazonaws.com/exports/prefix/export-i-123.vmdk",
         {},
         "",
         "us-east-2",
         "s3",
         utc(2026, 12, 31, 23, 59, 59),
         temporary},
        {"PUT",
         "https://s3.eu-north-1.amazonaws.com/b/k",
         {{"Content-Type", "application/octet-stream"}},
         std::string("binary\0body\xff", 12),
         "eu-north-1",
         "s3",
         utc(2027, 7, 4, 4, 5, 6),
         plain},
        {"GET",
         "https://ebs.me-south-1.amazonaws.com/snapshots/./snap-2/../snap-3/blocks",
         {},
         "",
         "me-south-1",
         "ebs",
         utc(2026, 12, 2, 6, 30, 0),
         plain},
    };

    rapidjson::Document table(rapidjson::kArrayType);
    auto& a = table.GetAllocator();
    std::vector<std::string> ours;
    for (const Case& c : cases) {
        http::Request r;
        r.method = c.method;
        r.url = c.url;
        r.headers = c.headers;
        r.body = c.body;
        aws::SigningParams p;
        p.region = c.region;
        p.service = c.service;
        p.when = c.when;
        if (c.unsigned_payload) p.payload_hash = aws::kUnsignedPayload;
        p.double_encode_path = c.service != "s3";
        p.add_content_sha256_header = c.content_sha256_header || c.unsigned_payload;
        aws::sign_request(r, c.credentials, p);
        ours.push_back(authorization(r));

        rapidjson::Value v(rapidjson::kObjectType);
        auto str = [&](const std::string& s) {
            return rapidjson::Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
        };
        v.AddMember("method", str(c.method), a);
        v.AddMember("url", str(c.url), a);
        rapidjson::Value headers(rapidjson::kArrayType);
        for (const auto& h : c.headers) {
            rapidjson::Value pair(rapidjson::kArrayType);
            pair.PushBack(str(h.name), a).PushBack(str(h.value), a);
            headers.PushBack(pair, a);
        }
        v.AddMember("headers", headers, a);
        v.AddMember("bodyBase64", str(aws::base64_encode(c.body)), a);  // binary bodies survive JSON
        v.AddMember("region", str(c.region), a);
        v.AddMember("service", str(c.service), a);
        v.AddMember("date", str(iso(c.when)), a);
        v.AddMember("accessKeyId", str(c.credentials.access_key_id), a);
        v.AddMember("secretAccessKey", str(c.credentials.secret_access_key), a);
        v.AddMember("sessionToken", str(c.credentials.session_token), a);
        v.AddMember("unsignedPayload", c.unsigned_payload, a);
        v.AddMember("contentSha256Header", c.content_sha256_header && !c.unsigned_payload, a);
        table.PushBack(v, a);
    }
    hypersdk::test::TempDir dir;
    const auto table_path = dir.path() / "table.json";
    {
        rapidjson::StringBuffer buffer;
        rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
        table.Accept(writer);
        std::ofstream(table_path) << buffer.GetString();
    }
    const auto result = hypersdk::test::run_node_script(
        hypersdk::test::peer_scripts_dir() / "aws/sign_table.cjs", {table_path.string()}, "", seconds(60));
    ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
    rapidjson::Document theirs;
    theirs.Parse(result.out.c_str());
    ASSERT_TRUE(theirs.IsArray()) << result.out;
    ASSERT_EQ(theirs.Size(), cases.size());
    for (size_t i = 0; i < cases.size(); ++i)
        EXPECT_EQ(ours[i], theirs[static_cast<rapidjson::SizeType>(i)].GetString())
            << "case " << i << ": " << cases[i].method << " " << cases[i].url;
}
