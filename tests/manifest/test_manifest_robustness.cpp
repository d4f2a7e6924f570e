// Hostile input: the reader reports problems and never crashes, hangs or
// overflows the stack. Labelled "sanitize": scripts/test also runs these
// under AddressSanitizer and UndefinedBehaviorSanitizer.
#include <rapidjson/document.h>
#include <rapidjson/pointer.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <hypersdk/core/manifest_reader.hpp>
#include <hypersdk/core/manifest_validator.hpp>
#include <hypersdk/core/manifest_writer.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "manifest_test_support.hpp"

namespace {

using namespace hypersdk::core;
using manifest_test::TempDir;
namespace fs = std::filesystem;

constexpr ValidationOptions kNoFileCheck{false};

const std::string& base_json() {
    static const std::string json = [] {
        TempDir dir;
        return manifest_to_json(manifest_test::full_manifest(dir.path()));
    }();
    return json;
}

std::vector<ValidationIssue> issues_of(std::string_view json) {
    return validate_read_result(parse_manifest(json), kNoFileCheck);
}

// Reading, validating and (when it parsed) writing back must not crash.
void exercise(std::string_view json) {
    const ManifestReadResult read = parse_manifest(json);
    (void)validate_read_result(read, kNoFileCheck);
    if (!read.parsed) return;
    try {
        const ManifestReadResult again = parse_manifest(manifest_to_json(read.manifest));
        EXPECT_TRUE(again.parsed);
    } catch (const std::runtime_error&) {
        // Refusing to serialize is fine; crashing is not.
    }
}

bool mentions(const std::vector<ValidationIssue>& issues, std::string_view path, std::string_view text) {
    for (const auto& issue : issues)
        if (issue.path == path && issue.message.find(text) != std::string::npos) return true;
    return false;
}

TEST(ManifestRobustness, EveryTruncationIsAnError) {
    const std::string& json = base_json();
    ASSERT_TRUE(issues_of(json).empty());
    // The document ends with "}\n": every cut before the closing brace is not JSON.
    const size_t closing_brace = json.rfind('}');
    for (size_t length = 0; length < closing_brace; ++length) {
        const auto result = parse_manifest(std::string_view(json).substr(0, length));
        ASSERT_FALSE(result.parsed) << "prefix of " << length << " bytes parsed";
        ASSERT_EQ(result.issues.size(), 1u);
        ASSERT_EQ(result.issues[0].path, "(document)");
    }
}

TEST(ManifestRobustness, EmptyAndNonObjectDocuments) {
    EXPECT_TRUE(mentions(issues_of(""), "(document)", "not valid JSON: The document is empty"));
    EXPECT_TRUE(mentions(issues_of(" \n\t "), "(document)", "not valid JSON"));
    for (const char* json : {"null", "0", "\"manifest\"", "[]", "true", "[{\"manifest_version\":\"1.0\"}]"})
        EXPECT_TRUE(mentions(issues_of(json), "(document)", "must be a JSON object")) << json;
    EXPECT_TRUE(mentions(issues_of("{} {}"), "(document)", "not valid JSON"));
    const auto empty_object = issues_of("{}");
    EXPECT_EQ(format_issues(empty_object),
              "manifest_version: required key is missing\ndisks: required key is missing");
}

TEST(ManifestRobustness, WrongTypesEverywhere) {
    rapidjson::Document base;
    base.Parse(base_json().c_str());
    // Every value in the document, by JSON Pointer.
    std::vector<std::pair<std::string, rapidjson::Type>> pointers;
    std::vector<std::pair<std::string, const rapidjson::Value*>> pending = {{"", &base}};
    while (!pending.empty()) {
        auto [pointer, value] = pending.back();
        pending.pop_back();
        if (!pointer.empty()) pointers.emplace_back(pointer, value->GetType());
        if (value->IsObject())
            for (const auto& member : value->GetObject())
                pending.emplace_back(pointer + "/" + member.name.GetString(), &member.value);
        if (value->IsArray())
            for (rapidjson::SizeType i = 0; i < value->Size(); ++i)
                pending.emplace_back(pointer + "/" + std::to_string(i), &(*value)[i]);
    }
    ASSERT_GT(pointers.size(), 60u);

    const auto category = [](rapidjson::Type type) {
        return type == rapidjson::kTrueType ? rapidjson::kFalseType : type;
    };
    const char* replacements[] = {"null", "true", "-1", "1.5", "\"s\"", "[]", "{}", "[[[]]]", "{\"a\":{}}"};
    size_t checked = 0;
    for (const auto& [pointer, original_type] : pointers) {
        for (const char* replacement : replacements) {
            rapidjson::Document document;
            document.CopyFrom(base, document.GetAllocator());
            rapidjson::Document value(&document.GetAllocator());
            value.Parse(replacement);
            const rapidjson::Type replacement_type = value.GetType();
            rapidjson::Pointer(pointer.c_str()).Set(document, value);
            rapidjson::StringBuffer buffer;
            rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
            document.Accept(writer);
            const auto issues = issues_of(buffer.GetString());
            exercise(buffer.GetString());
            // A value of another JSON type is always an error (no field of
            // the manifest accepts two types).
            // Inside configuration.* anything goes: those objects are free-form.
            const bool free_form = pointer.rfind("/configuration/", 0) == 0 &&
                                   std::count(pointer.begin(), pointer.end(), '/') > 2;
            if (!free_form && category(replacement_type) != category(original_type)) {
                EXPECT_FALSE(issues.empty()) << pointer << " = " << replacement;
                ++checked;
            }
        }
    }
    EXPECT_GT(checked, 400u);
}

TEST(ManifestRobustness, TenMegabyteStrings) {
    const std::string huge(10u << 20, 'a');
    // Valid but enormous id: accepted, and writing it back works.
    std::string json = R"({"manifest_version":"1.0","disks":[{"id":")" + huge +
                       R"(","source_format":"raw","bytes":1,"local_path":"/x"}]})";
    EXPECT_TRUE(issues_of(json).empty());
    exercise(json);
    // Invalid enormous values: one issue each, messages stay short.
    json = R"({"manifest_version":")" + huge + R"(","disks":[{"id":")" + huge + R"( ","source_format":")" +
           huge + R"(","bytes":1,"local_path":")" + huge + R"(","x_big":")" + huge + R"("}]})";
    const auto issues = issues_of(json);
    ASSERT_EQ(issues.size(), 4u) << format_issues(issues).substr(0, 2000);
    for (const auto& issue : issues) EXPECT_LT(issue.message.size(), 300u) << issue.path;
    exercise(json);
    // A 10 MB key.
    EXPECT_TRUE(issues_of(R"({")" + huge + R"(":1,"manifest_version":"1.0"})").size() == 1);
}

TEST(ManifestRobustness, HundredThousandDeepNesting) {
    constexpr size_t kDepth = 100000;
    const std::string arrays = std::string(kDepth, '[') + std::string(kDepth, ']');
    EXPECT_TRUE(mentions(issues_of(arrays), "(document)", "nested deeper than"));
    std::string objects;
    for (size_t i = 0; i < kDepth; ++i) objects += "{\"a\":";
    objects += "1" + std::string(kDepth, '}');
    EXPECT_TRUE(mentions(issues_of(objects), "(document)", "nested deeper than"));
    // Deep nesting hidden in an unknown key or a free-form object.
    const std::string hidden = R"({"manifest_version":"1.0","disks":[],"x":)" + arrays + "}";
    EXPECT_TRUE(mentions(issues_of(hidden), "(document)", "nested deeper than"));
    const std::string unbalanced = R"({"configuration":{"users":)" + std::string(kDepth, '[');
    EXPECT_TRUE(mentions(issues_of(unbalanced), "(document)", "nested deeper than"));
    // Brackets inside strings do not count.
    const std::string in_string =
        R"({"manifest_version":"1.0","notes":[")" + std::string(kDepth, '[') +
        R"("],"disks":[{"id":"a","source_format":"raw","bytes":1,"local_path":"/a"}]})";
    EXPECT_TRUE(issues_of(in_string).empty());
    // Just under the limit is parsed (and copied as an unknown key) normally.
    const size_t allowed = kManifestMaxNestingDepth - 3;
    const std::string near_limit =
        R"({"manifest_version":"1.0","disks":[{"id":"a","source_format":"raw","bytes":1,)"
        R"("local_path":"/a","x":)" +
        std::string(allowed, '[') + std::string(allowed, ']') + "}]}";
    EXPECT_EQ(format_issues(issues_of(near_limit)), "");
    exercise(near_limit);
}

TEST(ManifestRobustness, InvalidUtf8) {
    const std::string prefix = R"({"manifest_version":"1.0","notes":[")";
    const std::string suffix =
        R"("],"disks":[{"id":"a","source_format":"raw","bytes":1,"local_path":"/a"}]})";
    for (const std::string& bad :
         std::vector<std::string>{"\xff", "\xc0\xaf", "\xe0\x80\xaf", "caf\xc3", "\xed\xa0\x80",
                                  "\xf4\x90\x80\x80", std::string("a\0b", 3)}) {
        EXPECT_TRUE(mentions(issues_of(prefix + bad + suffix), "(document)", "not valid JSON")) << bad;
    }
    EXPECT_TRUE(issues_of(prefix + "caf\xc3\xa9 \xf0\x9f\x92\xbe" + suffix).empty());
    // Outside strings.
    EXPECT_TRUE(mentions(issues_of("\xff{}"), "(document)", "not valid JSON"));
    // An escaped NUL is valid JSON; an id holding it is invalid and quoted safely.
    const auto issues =
        issues_of(R"({"manifest_version":"1.0","disks":[{"id":"a\u0000b","source_format":"raw",)"
                  R"("bytes":1,"local_path":"/a"}]})");
    ASSERT_EQ(issues.size(), 1u);
    EXPECT_NE(issues[0].message.find(R"(got "a\x00b")"), std::string::npos) << issues[0].message;
}

TEST(ManifestRobustness, HugeAndNegativeNumbers) {
    const auto with_bytes = [](const std::string& bytes) {
        return R"({"manifest_version":"1.0","disks":[{"id":"a","source_format":"raw","bytes":)" + bytes +
               R"(,"local_path":"/a"}],"vm":{"cpu":)" + bytes + "}}";
    };
    EXPECT_TRUE(mentions(issues_of(with_bytes("1e400")), "(document)", "Number too big"));
    for (const char* big :
         {"18446744073709551615", "9223372036854775808", "99999999999999999999999", "1e300"}) {
        const auto issues = issues_of(with_bytes(big));
        EXPECT_TRUE(mentions(issues, "disks[0].bytes", "integer out of range"))
            << big << format_issues(issues);
        EXPECT_TRUE(mentions(issues, "vm.cpu", "integer out of range")) << big;
    }
    const auto negative = issues_of(with_bytes("-9223372036854775808"));
    EXPECT_TRUE(mentions(negative, "disks[0].bytes", "must be an integer >= 0, got -9223372036854775808"));
    EXPECT_TRUE(mentions(negative, "vm.cpu", "must be an integer >= 1"));
    EXPECT_TRUE(mentions(issues_of(with_bytes("-1")), "disks[0].bytes", ">= 0, got -1"));
    EXPECT_TRUE(mentions(issues_of(with_bytes("-0.5")), "disks[0].bytes", "must be an integer, got -0.5"));
    EXPECT_TRUE(issues_of(with_bytes("9223372036854775807")).empty());
}

TEST(ManifestRobustness, RandomMutationsNeverCrash) {
    const std::string& json = base_json();
    std::mt19937 random(20260102);  // fixed seed: a failure reproduces
    const char interesting[] = {'{', '}', '[', ']',  '"',    '\\',   ',', ':',
                                '0', '-', 'e', '\0', '\x80', '\xff', ' '};
    for (int round = 0; round < 3000; ++round) {
        std::string mutated = json;
        const int edits = 1 + static_cast<int>(random() % 4);
        for (int e = 0; e < edits && !mutated.empty(); ++e) {
            const size_t at = random() % mutated.size();
            switch (random() % 3) {
                case 0:
                    mutated[at] = interesting[random() % sizeof interesting];
                    break;
                case 1:
                    mutated.erase(at, 1 + random() % 8);
                    break;
                default:
                    mutated.insert(at, 1, interesting[random() % sizeof interesting]);
                    break;
            }
        }
        exercise(mutated);
    }
}

TEST(ManifestRobustness, UnreadableFiles) {
    TempDir dir;
    EXPECT_TRUE(mentions(read_manifest_file(dir / "absent.json").issues, "(document)", "cannot read"));
    EXPECT_TRUE(mentions(read_manifest_file(dir.path()).issues, "(document)", "cannot read"));
    manifest_test::write_file(dir / "empty.json", "");
    EXPECT_TRUE(
        mentions(read_manifest_file(dir / "empty.json").issues, "(document)", "The document is empty"));
}

}  // namespace
