// The Azure client's parsers and small rules, without a server: Get Page
// Ranges XML, the VHD footer, ARM error bodies and resource ids, the VM JSON,
// endpoints and URLs, the SAS expiry and its renewal ahead of it.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <ctime>

#include "arm_client.hpp"
#include "compute.hpp"
#include "config.hpp"
#include "errors.hpp"
#include "hypersdk/plugin_common/json_access.hpp"
#include "one_line.hpp"
#include "page_blob.hpp"
#include "sas_source.hpp"
#include "url.hpp"
#include "vhd_footer.hpp"

using namespace hypersdk::azure;

namespace {

std::string footer_bytes(uint64_t size, uint32_t type = 2) {
    std::string f(512, '\0');
    std::memcpy(f.data(), "conectix", 8);
    for (int i = 0; i < 8; ++i) f[48 + i] = static_cast<char>(size >> (8 * (7 - i)));
    for (int i = 0; i < 4; ++i) f[60 + i] = static_cast<char>(type >> (8 * (3 - i)));
    for (int i = 0; i < 16; ++i) f[68 + i] = static_cast<char>(0xa0 + i);
    uint32_t sum = 0;
    for (size_t i = 0; i < 512; ++i) sum += static_cast<unsigned char>(f[i]);
    const uint32_t checksum = ~sum;
    for (int i = 0; i < 4; ++i) f[64 + i] = static_cast<char>(checksum >> (8 * (3 - i)));
    return f;
}

}  // namespace

TEST(PageList, ParsesRangesClearRangesAndTheNextMarker) {
    std::vector<hypersdk::http::Extent> out;
    const std::string marker = parse_page_list(
        R"(<?xml version="1.0" encoding="utf-8"?><PageList><PageRange><Start>0</Start><End>511</End></PageRange>)"
        R"(<ClearRange><Start>512</Start><End>1023</End></ClearRange>)"
        R"(<PageRange><Start>4096</Start><End>1052671</End></PageRange><NextMarker>2!abc</NextMarker></PageList>)",
        out);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].offset, 0u);
    EXPECT_EQ(out[0].length, 512u);
    EXPECT_EQ(out[1].offset, 4096u);
    EXPECT_EQ(out[1].length, 1048576u);
    EXPECT_EQ(marker, "2!abc");
}

TEST(PageList, AnEmptyListAndNoMarker) {
    std::vector<hypersdk::http::Extent> out;
    EXPECT_EQ(parse_page_list("<?xml version=\"1.0\"?><PageList />", out), "");
    EXPECT_EQ(parse_page_list("<PageList><NextMarker /></PageList>", out), "");
    EXPECT_TRUE(out.empty());
}

TEST(PageList, RefusesWhatIsNotWholePagesOrNotAPageList) {
    std::vector<hypersdk::http::Extent> out;
    EXPECT_THROW(parse_page_list("<Error/>", out), Error);
    EXPECT_THROW(
        parse_page_list("<PageList><PageRange><Start>0</Start><End>100</End></PageRange></PageList>", out),
        Error);
    EXPECT_THROW(
        parse_page_list("<PageList><PageRange><Start>-1</Start><End>511</End></PageRange></PageList>", out),
        Error);
    EXPECT_THROW(parse_page_list("<PageList><PageRange><Start>0</Start><End>511</End>", out), Error);
    std::string many = "<PageList>";
    for (int i = 0; i < 5; ++i)
        many += "<PageRange><Start>" + std::to_string(i * 1024) + "</Start><End>" +
                std::to_string(i * 1024 + 511) + "</End></PageRange>";
    many += "</PageList>";
    EXPECT_THROW(parse_page_list(many, out, 4), Error);
}

TEST(VhdFooter, AcceptsAFixedDiskOfTheBlobsSize) {
    const auto f = parse_vhd_footer(footer_bytes(1 << 20), (1 << 20) + 512, "the blob");
    EXPECT_EQ(f.current_size, 1u << 20);
    EXPECT_EQ(f.unique_id, "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf");
}

TEST(VhdFooter, RefusesDynamicDisksWrongSizesBadChecksumsAndNoCookie) {
    EXPECT_THROW(parse_vhd_footer(footer_bytes(1 << 20, 3), (1 << 20) + 512, "b"), Error);
    EXPECT_THROW(parse_vhd_footer(footer_bytes(1 << 20), (2 << 20) + 512, "b"), Error);
    std::string bad = footer_bytes(1 << 20);
    bad[100] ^= 1;
    EXPECT_THROW(parse_vhd_footer(bad, (1 << 20) + 512, "b"), Error);
    std::string raw(512, 'x');
    try {
        parse_vhd_footer(raw, 1024, "the blob https://a/b");
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("conectix"), std::string::npos) << e.what();
    }
}

TEST(ArmErrors, OneLineWithCodeAndMessage) {
    EXPECT_EQ(
        arm_error_text(
            404, R"({"error":{"code":"ResourceNotFound","message":"The Resource 'x' was\nnot found."}})"),
        "HTTP 404 ResourceNotFound: The Resource 'x' was not found.");
    EXPECT_EQ(arm_error_text(500, "<html>\nbad gateway</html>"), "HTTP 500 <html>");
    EXPECT_EQ(arm_error_text(503, ""), "HTTP 503");
    EXPECT_EQ(arm_error_member_text(R"({"status":"Failed","error":{"code":"Boom","message":"it broke"}})"),
              "Boom: it broke");
}

TEST(ArmErrors, LongTextIsCutWithoutSplittingACharacter) {
    const std::string text = std::string(299, 'a') + "\xc3\xa9" + "tail";
    const std::string line = one_line(text, 300);
    EXPECT_EQ(line, std::string(299, 'a') + "\xc3\xa9...");
}

TEST(ResourceIds, ParsedAndCheckedAsPlainPaths) {
    const auto id =
        parse_resource_id("/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/disks/d1");
    EXPECT_EQ(id.subscription, "s1");
    EXPECT_EQ(id.resource_group, "rg");
    EXPECT_EQ(id.provider_type, "Microsoft.Compute/disks");
    EXPECT_EQ(id.name, "d1");
    EXPECT_THROW(
        parse_resource_id("/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/disks/.."), Error);
    EXPECT_THROW(
        parse_resource_id("/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/disks/d?x=1"),
        Error);
    EXPECT_THROW(parse_resource_id("https://evil.example/subscriptions/s1"), Error);
    EXPECT_THROW(parse_resource_id("/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/disks"),
                 Error);
}

TEST(VmJson, TrustedLaunchDisksNicsAndPowerState) {
    const auto doc = hypersdk::plugin_common::parse_json(R"({
      "id": "/subscriptions/s/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/vm1",
      "name": "vm1", "location": "westeurope",
      "properties": {"vmId": "abc", "hardwareProfile": {"vmSize": "Standard_D2s_v3"},
        "securityProfile": {"securityType": "TrustedLaunch", "uefiSettings": {"secureBootEnabled": true}},
        "storageProfile": {"osDisk": {"osType": "Linux", "name": "os", "diskSizeGB": 30,
                                      "managedDisk": {"id": "/subscriptions/s/resourceGroups/rg1/providers/Microsoft.Compute/disks/os"}},
                           "dataDisks": [{"lun": 3, "name": "d3", "diskSizeGB": 8, "managedDisk": {"id": "/x/d3"}},
                                         {"lun": 1, "name": "d1", "diskSizeGB": 4, "managedDisk": {"id": "/x/d1"}}]},
        "networkProfile": {"networkInterfaces": [{"id": "/nic1"}]},
        "instanceView": {"statuses": [{"code": "ProvisioningState/succeeded"}, {"code": "PowerState/deallocated"}]}}})",
                                                         "vm");
    const VmInfo vm = vm_from_json(doc);
    EXPECT_EQ(vm.resource_group, "rg1");
    EXPECT_EQ(vm.vm_size, "Standard_D2s_v3");
    EXPECT_TRUE(vm.uefi);
    EXPECT_TRUE(vm.secure_boot);
    EXPECT_EQ(vm.power_state, "deallocated");
    ASSERT_EQ(vm.disks.size(), 3u);
    EXPECT_EQ(vm.disks[0].name, "os");
    EXPECT_FALSE(vm.disks[0].lun.has_value());
    EXPECT_EQ(vm.disks[1].name, "d1");  // data disks by LUN
    EXPECT_EQ(vm.disks[2].name, "d3");
    EXPECT_EQ(vm.nic_ids, std::vector<std::string>{"/nic1"});
}

TEST(VmJson, AWrongTypeIsTheServersFaultNamedByPath) {
    const auto doc = hypersdk::plugin_common::parse_json(
        R"({"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/v", "name": "v",
            "properties": {"hardwareProfile": {"vmSize": 7}}})",
        "vm");
    try {
        vm_from_json(doc);
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::protocol);
        EXPECT_NE(std::string(e.what()).find("properties.hardwareProfile.vmSize"), std::string::npos)
            << e.what();
    }
}

TEST(Endpoints, HttpsRootsOnly) {
    EXPECT_EQ(normalise_endpoint("https://management.azure.com/", "--arm-endpoint"),
              "https://management.azure.com");
    EXPECT_THROW(normalise_endpoint("http://management.azure.com", "--arm-endpoint"), Error);
    EXPECT_THROW(normalise_endpoint("https://user:pw@management.azure.com", "--arm-endpoint"), Error);
    EXPECT_THROW(normalise_endpoint("https://management.azure.com/x", "--arm-endpoint"), Error);
    Config c;
    EXPECT_THROW(c.normalise(), Error);  // no tenant
    c.tenant_id = "t";
    c.client_id = "c";
    c.subscription_id = "s";
    try {
        c.normalise();
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("AZURE_CLIENT_SECRET"), std::string::npos) << e.what();
    }
    c.client_secret = "x";
    c.normalise();
    EXPECT_EQ(c.arm_scope(), "https://management.azure.com/.default");
}

TEST(Urls, OriginsAndQueryParameters) {
    EXPECT_TRUE(same_origin("https://management.azure.com/subscriptions/x", "https://management.azure.com"));
    EXPECT_TRUE(same_origin("HTTPS://Management.azure.com/x", "https://management.azure.com"));
    EXPECT_FALSE(same_origin("https://management.azure.com.evil.example/x", "https://management.azure.com"));
    EXPECT_FALSE(same_origin("https://management.azure.com:444/x", "https://management.azure.com"));
    EXPECT_EQ(query_parameter("https://a/b?sv=1&se=2026-01-01&sig=x", "se"), "2026-01-01");
    EXPECT_EQ(query_parameter("https://a/b?sv=1", "sig"), std::nullopt);
    EXPECT_EQ(with_query_parameter("https://a/b?x=1", "marker", "2!a b"), "https://a/b?x=1&marker=2%21a%20b");
    EXPECT_EQ(percent_encode("a+b/c=="), "a%2Bb%2Fc%3D%3D");
    EXPECT_EQ(without_query("https://a/b?sig=secret"), "https://a/b");
}

// Hostile answers: bounded readers, no recursion, no crash.
TEST(HostileAnswers, DeeplyNestedJsonAndEndlessXmlAreRefusedNotRecursed) {
    const std::string deep = std::string(200000, '[') + std::string(200000, ']');
    EXPECT_EQ(arm_error_text(500, deep).rfind("HTTP 500", 0), 0u);
    EXPECT_THROW(hypersdk::plugin_common::parse_json(deep, "x"), hypersdk::plugin_common::JsonError);
    std::vector<hypersdk::http::Extent> out;
    std::string nested = "<PageList>";
    for (int i = 0; i < 100000; ++i) nested += "<PageRange><Start>";
    EXPECT_THROW(parse_page_list(nested, out), Error);
    std::string huge =
        "<PageList><PageRange><Start>99999999999999999999999</Start><End>511</End></PageRange></PageList>";
    EXPECT_THROW(parse_page_list(huge, out), Error);
    EXPECT_TRUE(out.empty());
}

// ---- the SAS expiry (se) and renewing ahead of it ----

namespace {

SasClock::time_point utc(int year, int month, int day, int hour = 0, int minute = 0, int second = 0) {
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    return SasClock::from_time_t(::timegm(&tm));
}

}  // namespace

TEST(AzureSas, ExpiryIsReadFromEveryFormOfSe) {
    const std::string base = "https://acct.blob.core.windows.net/c/b.vhd?sv=2021-08-06&sr=b&sp=r&";
    EXPECT_EQ(sas_expiry(base + "se=2026-12-02T11%3A30%3A15Z&sig=abc"), utc(2026, 12, 2, 11, 30, 15));
    EXPECT_EQ(sas_expiry(base + "se=2026-12-02T11:30:15Z&sig=abc"), utc(2026, 12, 2, 11, 30, 15));
    EXPECT_EQ(sas_expiry(base + "se=2026-12-02T11%3A30%3A15.1234567Z"), utc(2026, 12, 2, 11, 30, 15));
    EXPECT_EQ(sas_expiry(base + "se=2026-12-02T23%3A59Z"), utc(2026, 12, 2, 23, 59));
    EXPECT_EQ(sas_expiry(base + "se=2027-01-31"), utc(2027, 1, 31));
}

TEST(AzureSas, AnUnreadableOrMissingSeGivesNoExpiry) {
    const std::string base = "https://acct.blob.core.windows.net/c/b.vhd?sp=r&";
    EXPECT_FALSE(sas_expiry(base + "sig=abc"));
    EXPECT_FALSE(sas_expiry(base + "se=tomorrow&sig=abc"));
    EXPECT_FALSE(sas_expiry(base + "se=2026-12-02T11%3A30%3A15"));  // no Z: not UTC
    EXPECT_FALSE(sas_expiry(base + "se=2026-13-02"));
    EXPECT_FALSE(sas_expiry(base + "se=2026-12-02T25%3A00Z"));
    EXPECT_FALSE(sas_expiry(base + "se=2026-12-02T11%3A30%3A15.Z"));
    EXPECT_FALSE(sas_expiry(base + "se=2026-12-02T11%3A30%3A15xZ"));
}

TEST(AzureSas, TheMarginIsAThirdOfTheLifetimeAtMostFiveMinutes) {
    using std::chrono::seconds;
    EXPECT_EQ(sas_renewal_margin(seconds(3600)), seconds(300));
    EXPECT_EQ(sas_renewal_margin(seconds(600)), seconds(200));
    EXPECT_EQ(sas_renewal_margin(seconds(9)), seconds(3));
    EXPECT_EQ(sas_renewal_margin(seconds(-5)), seconds(0));
}

// "YYYY-MM-DDThh%3Amm%3AssZ" of `t`, as a SAS URL carries it.
static std::string se_of(SasClock::time_point t) {
    const time_t seconds = SasClock::to_time_t(t);
    std::tm tm{};
    ::gmtime_r(&seconds, &tm);
    char text[64];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H%%3A%M%%3A%SZ", &tm);
    return text;
}

TEST(AzureSas, RenewsOnlyOnceTheMarginBeforeSeIsReached) {
    // An hour of access from now: renewed from 5 minutes before se on.
    const auto now = std::chrono::time_point_cast<std::chrono::seconds>(SasClock::now());
    const auto url_until = [](SasClock::time_point se) {
        return "https://acct.blob.core.windows.net/c/b.vhd?sp=r&se=" + se_of(se) + "&sig=s";
    };
    const auto first_se = now + std::chrono::hours(1), second_se = now + std::chrono::hours(2);
    int grants = 0;
    SasSource sas(url_until(first_se), [&] {
        ++grants;
        return url_until(second_se);
    });
    ASSERT_EQ(sas.expires_at(), first_se);
    EXPECT_FALSE(sas.renew_if_expiring(first_se - std::chrono::seconds(301)));
    EXPECT_EQ(grants, 0);
    EXPECT_TRUE(sas.renew_if_expiring(first_se - std::chrono::seconds(299)));
    EXPECT_EQ(grants, 1);
    EXPECT_EQ(sas.expires_at(), second_se);
    EXPECT_EQ(sas.url(), url_until(second_se));
    // The new one, an hour and 5 minutes from "now" when it arrived: 5 minutes of margin again.
    EXPECT_FALSE(sas.renew_if_expiring(first_se + std::chrono::seconds(1)));
    EXPECT_EQ(sas.renewals(), 1);
    EXPECT_EQ(sas.early_renewals(), 1);
}

TEST(AzureSas, ASasThatCannotBeRenewedOrHasNoExpiryIsLeftAlone) {
    SasSource users("https://acct.blob.core.windows.net/c/b.vhd?sp=r&se=2000-01-01&sig=s");
    EXPECT_FALSE(users.renew_if_expiring());  // a user's SAS URL: nothing can renew it
    int grants = 0;
    SasSource no_expiry("https://acct.blob.core.windows.net/c/b.vhd?sp=r&sig=s", [&] {
        ++grants;
        return std::string("https://acct.blob.core.windows.net/c/b.vhd?sp=r&sig=t");
    });
    EXPECT_FALSE(no_expiry.renew_if_expiring(SasClock::now() + std::chrono::hours(24 * 365)));
    EXPECT_EQ(grants, 0);
    no_expiry.renew();  // storage refused it: renewed whatever its se says
    EXPECT_EQ(grants, 1);
    EXPECT_EQ(no_expiry.renewals(), 1);
    EXPECT_EQ(no_expiry.early_renewals(), 0);
}
