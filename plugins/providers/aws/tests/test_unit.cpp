// The AWS client without a server: credentials and region resolved as AWS's
// tools do (explicit keys, profiles in ~/.aws/credentials and ~/.aws/config,
// endpoint overrides), AWS error bodies decoded to one line, the throttling
// classifier, block checksums, and the firmware and power-state mapping.
#include <gtest/gtest.h>

#include <fstream>

#include "ebs.hpp"
#include "ec2.hpp"
#include "errors.hpp"
#include "inventory.hpp"
#include "service.hpp"
#include "temp_dir.hpp"
#include "waits.hpp"

namespace aws = hypersdk::aws;
namespace http = hypersdk::http;

namespace {

void write(const std::filesystem::path& path, const std::string& text) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path) << text;
}

std::string config_error(const aws::ConfigInput& in) {
    try {
        aws::resolve_config(in);
    } catch (const aws::Error& e) {
        EXPECT_EQ(e.kind(), aws::ErrorKind::config);
        return e.what();
    }
    return "";
}

}  // namespace

TEST(AwsConfig, ExplicitKeysAndRegionWinAndEndpointsDefaultToTheRegion) {
    aws::ConfigInput in;
    in.access_key_id = "AKIDEXPLICIT";
    in.secret_access_key = "explicit-secret";
    in.region = "eu-west-1";
    const auto c = aws::resolve_config(in);
    EXPECT_EQ(c.credentials.access_key_id, "AKIDEXPLICIT");
    EXPECT_EQ(c.ec2_endpoint, "https://ec2.eu-west-1.amazonaws.com");
    EXPECT_EQ(c.ebs_endpoint, "https://ebs.eu-west-1.amazonaws.com");
    EXPECT_EQ(c.s3_endpoint, "https://s3.eu-west-1.amazonaws.com");
    EXPECT_FALSE(c.s3_path_style);
}

TEST(AwsConfig, ProfilesComeFromTheSharedFilesUnderHome) {
    hypersdk::test::TempDir home;
    write(home.path() / ".aws/credentials",
          "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = default-secret\n\n"
          "# a comment\n[migrator]\naws_access_key_id=AKIDMIGRATOR\naws_secret_access_key=migrator-secret\n"
          "aws_session_token = migrator-token\n");
    write(home.path() / ".aws/config",
          "[default]\nregion = us-west-2\n[profile migrator]\nregion=ap-south-1\n");
    aws::ConfigInput in;
    in.home = home.path().string();
    auto c = aws::resolve_config(in);
    EXPECT_EQ(c.credentials.access_key_id, "AKIDDEFAULT");
    EXPECT_EQ(c.region, "us-west-2");
    EXPECT_EQ(c.profile, "default");
    in.profile = "migrator";
    c = aws::resolve_config(in);
    EXPECT_EQ(c.credentials.access_key_id, "AKIDMIGRATOR");
    EXPECT_EQ(c.credentials.session_token, "migrator-token");
    EXPECT_EQ(c.region, "ap-south-1");
    in.region = "eu-north-1";  // AWS_REGION beats the profile's region
    EXPECT_EQ(aws::resolve_config(in).region, "eu-north-1");
}

TEST(AwsConfig, FilesNamedByTheVariablesReplaceTheDefaults) {
    hypersdk::test::TempDir dir;
    write(dir.path() / "creds", "[ops]\naws_access_key_id = AKIDOPS\naws_secret_access_key = ops-secret\n");
    write(dir.path() / "conf", "[profile ops]\nregion = ca-central-1\n");
    aws::ConfigInput in;
    in.profile = "ops";
    in.shared_credentials_file = (dir.path() / "creds").string();
    in.config_file = (dir.path() / "conf").string();
    const auto c = aws::resolve_config(in);
    EXPECT_EQ(c.credentials.access_key_id, "AKIDOPS");
    EXPECT_EQ(c.region, "ca-central-1");
}

TEST(AwsConfig, MissingOrBadSettingsSayWhatToSet) {
    hypersdk::test::TempDir home;
    aws::ConfigInput in;
    in.home = home.path().string();
    EXPECT_NE(config_error(in).find("AWS_ACCESS_KEY_ID"), std::string::npos);
    in.profile = "nobody";
    EXPECT_NE(config_error(in).find("the AWS profile \"nobody\""), std::string::npos);
    in.profile.clear();
    in.access_key_id = "AKID";
    in.secret_access_key = "s";
    EXPECT_NE(config_error(in).find("--region or set AWS_REGION"), std::string::npos);
    in.region = "eu-west-1";
    in.endpoint_url_ec2 = "http://127.0.0.1:4566";
    EXPECT_NE(config_error(in).find("must be an https:// URL"), std::string::npos);
    in.endpoint_url_ec2 = "https://user:pw@host";
    EXPECT_NE(config_error(in).find("without user"), std::string::npos);
    in.endpoint_url_ec2.clear();
    in.region = "eu-west-1/../x";
    EXPECT_NE(config_error(in).find("is not a region name"), std::string::npos);
}

TEST(AwsConfig, OneEndpointForAllOrOnePerService) {
    aws::ConfigInput in;
    in.access_key_id = "AKID";
    in.secret_access_key = "s";
    in.region = "eu-west-1";
    in.endpoint_url = "https://localstack.example:4566/";
    in.endpoint_url_ebs = "https://ebs.example";
    const auto c = aws::resolve_config(in);
    EXPECT_EQ(c.ec2_endpoint, "https://localstack.example:4566");
    EXPECT_EQ(c.ebs_endpoint, "https://ebs.example");
    EXPECT_EQ(c.s3_endpoint, "https://localstack.example:4566");
    EXPECT_TRUE(c.s3_path_style);
}

TEST(AwsErrors, Ec2XmlEbsJsonAndS3XmlBecomeOneLine) {
    const auto ec2 = aws::error_from_answer(
        "ec2:CreateSnapshots", 403, {},
        "<?xml version=\"1.0\"?><Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are "
        "not "
        "authorized to perform this "
        "operation.</Message></Error></Errors><RequestID>x</RequestID></Response>");
    EXPECT_EQ(ec2.kind(), aws::ErrorKind::permission);
    EXPECT_EQ(std::string(ec2.what())
                  .rfind("UnauthorizedOperation: You are not authorized to perform this operation. "
                         "(ec2:CreateSnapshots)",
                         0),
              0u)
        << ec2.what();
    const auto ebs = aws::error_from_answer(
        "ebs:ListSnapshotBlocks", 403, {{"x-amzn-ErrorType", "InvalidSignatureException:http://internal"}},
        R"({"message":"The request signature we calculated does not match"})");
    EXPECT_EQ(ebs.kind(), aws::ErrorKind::credentials);
    EXPECT_EQ(ebs.code(), "InvalidSignatureException");
    const auto s3 = aws::error_from_answer("s3:GetObject", 404, {},
                                           "<Error><Code>NoSuchKey</Code><Message>The specified key does not "
                                           "exist.</Message></Error>");
    EXPECT_EQ(s3.kind(), aws::ErrorKind::not_found);
    const auto junk = aws::error_from_answer("s3:GetObject", 502, {}, "<html>bad gateway</html>");
    EXPECT_EQ(std::string(junk.what()), "HTTP 502 without an AWS error body (s3:GetObject)");
    const std::string deep(100000, '<');
    EXPECT_EQ(aws::error_from_answer("ec2:X", 500, {}, deep + "a").kind(), aws::ErrorKind::service);
}

TEST(AwsErrors, ThrottlingIsRetriedWhateverTheStatusAndMutationsOnlyThen) {
    const std::string ebs_throttle = R"({"message":"Rate exceeded"})";
    const http::Headers ebs_headers = {{"x-amzn-ErrorType", "ThrottlingException:http://internal"}};
    http::Attempt a;
    a.method = "GET";
    a.status = 400;
    a.headers = &ebs_headers;
    a.body = &ebs_throttle;
    EXPECT_TRUE(aws::aws_classifier(a).retry);
    EXPECT_FALSE(http::default_classifier(a).retry) << "the default alone would not retry EBS throttling";
    const std::string ec2_500 =
        "<Response><Errors><Error><Code>InternalError</Code></Error></Errors></Response>";
    const http::Headers none;
    a.method = "POST";
    a.status = 500;
    a.headers = &none;
    a.body = &ec2_500;
    EXPECT_TRUE(aws::aws_classifier(a).retry);
    EXPECT_FALSE(aws::aws_throttling_only_classifier(a).retry)
        << "a CreateSnapshots that may have run is not sent twice";
    const std::string limit =
        "<Response><Errors><Error><Code>RequestLimitExceeded</Code></Error></Errors></Response>";
    a.status = 503;
    a.body = &limit;
    EXPECT_TRUE(aws::aws_throttling_only_classifier(a).retry);
}

TEST(AwsEbs, BlockChecksumIsTheBase64Sha256OfTheBytes) {
    // FIPS 180-2's example: SHA-256("abc") = ba7816bf...f20015ad, in base64:
    const http::Headers good = {{"x-amz-Checksum", "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="},
                                {"x-amz-Checksum-Algorithm", "SHA256"}};
    EXPECT_EQ(aws::check_block_checksum(good, "abc"), std::nullopt);
    EXPECT_TRUE(aws::check_block_checksum(good, "abd").has_value());
    const std::string block(524288, 'x');
    http::Headers headers = {{"x-amz-Checksum", ""}, {"x-amz-Checksum-Algorithm", "SHA256"}};
    EXPECT_TRUE(aws::check_block_checksum(headers, block).has_value());
    headers[0].value = aws::base64_encode(std::string(32, '\0'));
    EXPECT_NE(aws::check_block_checksum(headers, block).value_or("").find("does not match"),
              std::string::npos);
    EXPECT_NE(aws::check_block_checksum({}, block).value_or("").find("no x-amz-Checksum"), std::string::npos);
}

TEST(AwsInventory, PowerStatesAndFirmware) {
    EXPECT_EQ(aws::host_power_state("running"), "poweredOn");
    EXPECT_EQ(aws::host_power_state("stopped"), "poweredOff");
    EXPECT_EQ(aws::host_power_state("stopping"), "unknown");
    aws::Instance i;
    aws::InstanceType t;
    i.boot_mode = "uefi";
    EXPECT_EQ(aws::firmware(i, t), "uefi");
    i.boot_mode = "legacy-bios";
    EXPECT_EQ(aws::firmware(i, t), "bios");
    i.boot_mode = "uefi-preferred";
    t.boot_modes = {"legacy-bios", "uefi"};
    EXPECT_EQ(aws::firmware(i, t), "uefi");
    i.boot_mode.clear();
    i.architecture = "arm64";
    EXPECT_EQ(aws::firmware(i, t), "uefi");
    i.architecture = "x86_64";
    EXPECT_EQ(aws::firmware(i, t), "bios");
    EXPECT_DOUBLE_EQ(aws::percent_fraction("42%"), 0.42);
    EXPECT_LT(aws::percent_fraction("Converting"), 0);
}

TEST(AwsHostileAnswers, DeepOrHugeXmlIsRefusedNotParsedRecursively) {
    std::string deep = "<DescribeInstancesResponse>";
    for (int i = 0; i < 200000; ++i) deep += "<a>";
    std::string token;
    try {
        aws::parse_instances(deep, token);
        FAIL() << "200,000 levels were accepted";
    } catch (const aws::Error& e) {
        EXPECT_EQ(e.kind(), aws::ErrorKind::network);
        EXPECT_NE(std::string(e.what()).find("EC2's answer to DescribeInstances is"), std::string::npos) << e.what();
    }
    EXPECT_THROW(aws::parse_export_tasks("not xml at all <<<"), aws::Error);
    // Items without the fields are read as empty, never as a crash.
    const auto tasks = aws::parse_export_tasks("<R><exportTaskSet><item/><item><state/></item></exportTaskSet></R>");
    EXPECT_EQ(tasks.size(), 2u);
}
