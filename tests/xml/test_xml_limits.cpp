// The bounded XML reader (hypersdk/xml/xml_limits.hpp): each limit refuses
// what passes it with its own message and leaves the document empty, and
// hostile documents (tests/support/hostile_input.hpp) are refused or parsed,
// never crash or hang; one nested 200,000 deep is refused.
#include <gtest/gtest.h>
#include <hypersdk/xml/xml_limits.hpp>

#include <chrono>

#include "hostile_input.hpp"

namespace hypersdk::xml {
namespace {

std::string nested(size_t depth) {
    std::string xml;
    for (size_t i = 0; i < depth; ++i) xml += "<a>";
    for (size_t i = 0; i < depth; ++i) xml += "</a>";
    return xml;
}

TEST(XmlLimits, BoundsSizeElementsAndDepth) {
    pugi::xml_document document;
    const XmlLimits limits{1u << 20, 1000, 128};
    EXPECT_EQ(parse_xml_limited(document, nested(128), limits), "");
    EXPECT_EQ(std::string(document.document_element().name()), "a");
    EXPECT_EQ(parse_xml_limited(document, nested(129), limits), "nested deeper than 128 levels");
    EXPECT_FALSE(document.document_element()) << "a refused document is emptied";
    // Siblings are not depth.
    std::string wide = "<r>";
    for (int i = 0; i < 300; ++i) wide += "<a><b/></a>";  // 902 tags
    EXPECT_EQ(parse_xml_limited(document, wide + "</r>", limits), "");
    EXPECT_EQ(parse_xml_limited(document, nested(501), limits), "more than 1000 elements");
    EXPECT_EQ(parse_xml_limited(document, std::string((1u << 20) + 1, ' '), limits),
              "too large: 1048577 bytes (limit 1048576)");
    EXPECT_EQ(parse_xml_limited(document, "<a><b></a>", limits).rfind("not XML (", 0), 0u);
    EXPECT_FALSE(document.document_element()) << "a document that is not XML is emptied";
}

TEST(XmlLimits, DepthIsCheckedOnEveryBranchNotOnlyTheFirst) {
    pugi::xml_document document;
    const XmlLimits limits{1u << 20, 10000, 16};
    EXPECT_EQ(parse_xml_limited(document, "<r><shallow/>" + nested(15) + "</r>", limits), "");
    EXPECT_EQ(parse_xml_limited(document, "<r><shallow/><x/>" + nested(16) + "</r>", limits),
              "nested deeper than 16 levels");
}

TEST(XmlLimits, HostileDocumentsAreRefusedOrParsedNeverCrash) {
    const std::string valid =
        R"(<?xml version="1.0" encoding="UTF-8"?>)"
        R"(<DescribeSnapshotsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">)"
        R"(<snapshotSet><item><snapshotId>snap-1</snapshotId><status>completed</status>)"
        R"(<progress>100%</progress></item></snapshotSet></DescribeSnapshotsResponse>)";
    const XmlLimits limits{64u << 20, 4u << 20, 64};
    const auto started = std::chrono::steady_clock::now();
    size_t cases = 0, deep_refused = 0, deep_cases = 0;
    test::for_each_hostile_xml(valid, 2000, 20261202, [&](const std::string& name, const std::string& text) {
        SCOPED_TRACE(name);
        ++cases;
        pugi::xml_document document;
        const std::string why = parse_xml_limited(document, text, limits);
        if (!why.empty()) {
            EXPECT_FALSE(document.document_element()) << why;
        }
        if (name.rfind("deep", 0) == 0) {
            ++deep_cases;
            deep_refused += why.empty() ? 0 : 1;
        }
    });
    EXPECT_GT(cases, 2000u);
    EXPECT_GT(deep_cases, 0u);
    EXPECT_EQ(deep_refused, deep_cases) << "a document nested 200,000 deep was accepted";
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(120));
    pugi::xml_document document;
    EXPECT_EQ(parse_xml_limited(document, valid, limits), "");
}

}  // namespace
}  // namespace hypersdk::xml
