// parse_json_limited / parse_json_into: the bounded, non-recursive JSON parse
// every reader of untrusted JSON uses.
#include <gtest/gtest.h>
#include <hypersdk/manifest/json_limits.hpp>

#include <string>

namespace {

using namespace hypersdk::manifest;

std::string reason(std::string_view text, const JsonLimits& limits = {}) {
    rapidjson::Document document;
    return parse_json_into(document, text, limits);
}

std::string nested_arrays(size_t depth) {
    return std::string(depth, '[') + std::string(depth, ']');
}

TEST(JsonLimits, ValidDocumentsParse) {
    rapidjson::Document document;
    ASSERT_EQ(parse_json_into(document, R"({"a": [1, 2.5, "x", true, null, {"b": -3}], "c": "caf\u00e9"})"),
              "");
    ASSERT_TRUE(document.IsObject());
    EXPECT_EQ(document["a"].Size(), 6u);
    EXPECT_EQ(document["a"][5]["b"].GetInt(), -3);
    EXPECT_STREQ(document["c"].GetString(), "caf\xc3\xa9");
    const rapidjson::Document copy = parse_json_limited("[1]", "test");
    EXPECT_TRUE(copy.IsArray());
}

TEST(JsonLimits, DepthIsBoundedWithoutRecursion) {
    EXPECT_EQ(reason(nested_arrays(128)), "");
    EXPECT_EQ(reason(nested_arrays(129)), "nested deeper than 128 levels");
    // Far deeper than any stack: refused while parsing, never recursed into.
    EXPECT_EQ(reason(nested_arrays(1000000)), "nested deeper than 128 levels");
    std::string objects;
    for (int i = 0; i < 200000; ++i) objects += "{\"a\":";
    objects += "1" + std::string(200000, '}');
    EXPECT_EQ(reason(objects), "nested deeper than 128 levels");
    EXPECT_EQ(reason(std::string(200000, '[')), "nested deeper than 128 levels");
    EXPECT_EQ(reason(nested_arrays(5), JsonLimits{1024, 4}), "nested deeper than 4 levels");
    EXPECT_EQ(reason(nested_arrays(4), JsonLimits{1024, 4}), "");
    // Brackets inside strings are text.
    EXPECT_EQ(reason("[\"" + std::string(100000, '[') + "\"]"), "");
}

TEST(JsonLimits, SizeIsBoundedBeforeParsing) {
    EXPECT_EQ(reason("[1, 2, 3]", JsonLimits{9, 128}), "");
    EXPECT_EQ(reason("[1, 2, 3] ", JsonLimits{9, 128}), "too large: 10 bytes (limit 9)");
    // The default limit is 64 MiB.
    EXPECT_EQ(reason(std::string((64u << 20) + 1, ' ')), "too large: 67108865 bytes (limit 67108864)");
}

TEST(JsonLimits, InvalidTextIsNamedWithItsOffset) {
    EXPECT_EQ(reason(""), "not valid JSON: The document is empty. (at byte 0)");
    EXPECT_EQ(reason("{\"a\": 1,"), "not valid JSON: Missing a name for object member. (at byte 8)");
    EXPECT_EQ(reason("{} {}"),
              "not valid JSON: The document root must not be followed by other values. (at byte 3)");
    EXPECT_EQ(reason("[\"\xff\"]"), "not valid JSON: Invalid encoding in string. (at byte 2)");
    EXPECT_EQ(reason("[1e400]"), "not valid JSON: Number too big to be stored in double. (at byte 1)");
    // A raw NUL would otherwise end the text early and hide what follows it.
    EXPECT_EQ(reason(std::string("{}\0 garbage", 11)), "not valid JSON: a NUL byte (at byte 2)");
    EXPECT_EQ(reason(std::string("[\"a\0b\"]", 7)), "not valid JSON: a NUL byte (at byte 3)");
    // An escaped NUL is valid JSON.
    EXPECT_EQ(reason(R"(["a\u0000b"])"), "");
}

TEST(JsonLimits, EmbeddedFragmentsLeaveRoomForTheirParents) {
    EXPECT_EQ(embedded_limits(1).max_depth, 127u);
    EXPECT_EQ(embedded_limits(4).max_bytes, JsonLimits{}.max_bytes);
    EXPECT_EQ(embedded_limits(200).max_depth, 0u);
    EXPECT_EQ(reason(nested_arrays(127), embedded_limits(1)), "");
    EXPECT_EQ(reason(nested_arrays(128), embedded_limits(1)), "nested deeper than 127 levels");
    EXPECT_EQ(reason("1", embedded_limits(200)), "");
}

TEST(JsonLimits, FailureLeavesANullDocument) {
    rapidjson::Document document;
    ASSERT_EQ(parse_json_into(document, "[1]"), "");
    EXPECT_NE(parse_json_into(document, nested_arrays(300)), "");
    EXPECT_TRUE(document.IsNull());
}

TEST(JsonLimits, ThrowingFormNamesTheInput) {
    try {
        parse_json_limited(nested_arrays(200000), "hyper2kvm report /out/report.json");
        FAIL() << "no error";
    } catch (const JsonInputError& error) {
        EXPECT_STREQ(error.what(), "hyper2kvm report /out/report.json is nested deeper than 128 levels");
    }
    try {
        parse_json_limited("{", "converter config");
        FAIL() << "no error";
    } catch (const JsonInputError& error) {
        EXPECT_STREQ(error.what(),
                     "converter config is not valid JSON: Missing a name for object member. (at byte 1)");
    }
}

}  // namespace
