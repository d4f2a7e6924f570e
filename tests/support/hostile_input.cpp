#include "hostile_input.hpp"

#include <random>
#include <string_view>
#include <vector>

namespace hypersdk::test {
namespace {

constexpr size_t kDeep = 200000;
constexpr size_t kHugeBytes = 10u << 20;

// Inserts `member` ("key": value,) right after the first '{' of a JSON object.
std::string with_member(const std::string& json, const std::string& member) {
    const size_t brace = json.find('{');
    if (brace == std::string::npos) return json;
    return json.substr(0, brace + 1) + member + "," + json.substr(brace + 1);
}

// Inserts `content` right after the first start tag's closing '>' past the prolog.
std::string with_child(const std::string& xml, const std::string& content) {
    size_t at = 0;
    while ((at = xml.find('<', at)) != std::string::npos) {
        if (at + 1 < xml.size() && xml[at + 1] != '?' && xml[at + 1] != '!') break;
        ++at;
    }
    const size_t close = at == std::string::npos ? std::string::npos : xml.find('>', at);
    if (close == std::string::npos) return xml + content;
    return xml.substr(0, close + 1) + content + xml.substr(close + 1);
}

std::string repeat(std::string_view unit, size_t times) {
    std::string out;
    out.reserve(unit.size() * times);
    for (size_t i = 0; i < times; ++i) out += unit;
    return out;
}

// Random edits: replace, delete or insert "interesting" bytes, duplicate or
// drop a slice. One to four edits per case.
std::string mutate(const std::string& valid, std::mt19937& random, std::string_view interesting) {
    std::string text = valid;
    const int edits = 1 + static_cast<int>(random() % 4);
    for (int e = 0; e < edits && !text.empty(); ++e) {
        const size_t at = random() % text.size();
        const char byte = interesting[random() % interesting.size()];
        switch (random() % 5) {
            case 0:
                text[at] = byte;
                break;
            case 1:
                text.erase(at, 1 + random() % 8);
                break;
            case 2:
                text.insert(at, 1, byte);
                break;
            case 3: {  // duplicate a slice somewhere else
                const size_t length = 1 + random() % std::min<size_t>(64, text.size() - at);
                const std::string slice = text.substr(at, length);
                text.insert(random() % text.size(), slice);
                break;
            }
            default:  // cut the document short
                text.resize(at);
                break;
        }
    }
    return text;
}

}  // namespace

void for_each_hostile_json(const std::string& valid, unsigned mutations, uint32_t seed,
                           const HostileInputVisitor& visit) {
    visit("empty", "");
    visit("whitespace", " \n\t ");
    for (const char* scalar : {"null", "0", "\"text\"", "[]", "true", "{} {}", "{", "}", "[[[]]"})
        visit(std::string("scalar ") + scalar, scalar);
    visit("deep arrays", std::string(kDeep, '[') + std::string(kDeep, ']'));
    visit("deep objects", repeat("{\"a\":", kDeep) + "1" + std::string(kDeep, '}'));
    visit("deep unbalanced", std::string(kDeep, '['));
    visit("deep member",
          with_member(valid, "\"x_deep\":" + std::string(kDeep, '[') + std::string(kDeep, ']')));
    visit("deep member of objects",
          with_member(valid, "\"x_deep\":" + repeat("{\"a\":", kDeep) + "null" + std::string(kDeep, '}')));
    for (size_t depth : {127u, 128u, 129u, 130u})
        visit("member " + std::to_string(depth) + " deep",
              with_member(valid, "\"x_deep\":" + std::string(depth, '[') + std::string(depth, ']')));
    visit("huge string", with_member(valid, "\"x_big\":\"" + std::string(kHugeBytes, 'a') + "\""));
    visit("huge key", with_member(valid, "\"" + std::string(kHugeBytes, 'k') + "\":1"));
    visit("huge escapes", with_member(valid, "\"x_esc\":\"" + repeat("\\u001b", kHugeBytes / 6) + "\""));
    visit(
        "many members", "{" + [] {
            std::string members;
            for (int i = 0; i < 200000; ++i) members += (i ? ",\"m" : "\"m") + std::to_string(i) + "\":0";
            return members;
        }() + "}");
    visit("long array", with_member(valid, "\"x_list\":[" + repeat("0,", 1000000) + "0]"));
    for (const std::string& bad : {std::string("\xff"), std::string("\xc0\xaf"), std::string("\xed\xa0\x80"),
                                   std::string("\xf4\x90\x80\x80"), std::string("caf\xc3")})
        visit("invalid UTF-8 in a string", with_member(valid, "\"x\":\"" + bad + "\""));
    visit("invalid UTF-8 outside strings", "\xff" + valid);
    visit("byte order mark", "\xef\xbb\xbf" + valid);
    visit("NUL byte",
          valid.substr(0, valid.size() / 2) + std::string(1, '\0') + valid.substr(valid.size() / 2));
    visit("NUL byte in a string", with_member(valid, std::string("\"x\":\"a\0b\"", 9)));
    visit("escaped NUL and controls", with_member(valid, "\"x\":\"a\\u0000b\\u001b[2J\\u009b\""));
    for (const char* number : {"1e400", "-1e400", "1e-400", "99999999999999999999999", "-9223372036854775809",
                               "18446744073709551616", "-0", "0.0000000000000000000001"})
        visit(std::string("number ") + number, with_member(valid, std::string("\"x\":") + number));
    visit("control characters outside strings", with_member(valid, "\"x\":\x01"));

    std::mt19937 random(seed);
    static constexpr char kInteresting[] = {'{', '}', '[', ']',  '"',    '\\',   ',',    ':', '0', '-',
                                            'e', 'n', 't', '\0', '\x80', '\xff', '\x1b', ' ', '.'};
    for (unsigned i = 0; i < mutations; ++i)
        visit("mutation " + std::to_string(i) + " of seed " + std::to_string(seed),
              mutate(valid, random, std::string_view(kInteresting, sizeof kInteresting)));
}

void for_each_hostile_xml(const std::string& valid, unsigned mutations, uint32_t seed,
                          const HostileInputVisitor& visit) {
    visit("empty", "");
    visit("not XML", "this is not XML");
    visit("only a declaration", "<?xml version=\"1.0\"?>");
    visit("deep elements", repeat("<a>", kDeep) + repeat("</a>", kDeep));
    visit("deep unclosed", repeat("<a>", kDeep));
    visit("deep inside the document", with_child(valid, repeat("<a>", kDeep) + repeat("</a>", kDeep)));
    visit("deep with attributes",
          with_child(valid, repeat("<a x=\"1\">", kDeep / 4) + repeat("</a>", kDeep / 4)));
    visit("many siblings", with_child(valid, repeat("<a/>", 1000000)));
    visit("huge text", with_child(valid, "<t>" + std::string(kHugeBytes, 'a') + "</t>"));
    visit("huge attribute", with_child(valid, "<t v=\"" + std::string(kHugeBytes, 'a') + "\"/>"));
    visit("huge name", with_child(valid, "<" + std::string(1u << 20, 'n') + "/>"));
    visit("entities", with_child(valid, "<t>&lt;&#x1b;[2J&#0;&#xFFFFFFFF;&#99999999999;&unknown;&amp</t>"));
    visit(
        "billion laughs",
        "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b "
        "\"&a;&a;&a;&a;&a;&a;&a;&a;\">"
        "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;\"><!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;\">]><l>&d;&d;&d;</l>");
    visit("external entity",
          "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>");
    visit("CDATA and comments", with_child(valid, "<![CDATA[<a>]]><!-- <b> --><?pi x?>"));
    for (const std::string& bad : {std::string("\xff"), std::string("\xc0\xaf"), std::string("\xed\xa0\x80")})
        visit("invalid UTF-8", with_child(valid, "<t>" + bad + "</t>"));
    visit("NUL byte",
          valid.substr(0, valid.size() / 2) + std::string(1, '\0') + valid.substr(valid.size() / 2));
    visit("control characters", with_child(valid, "<t>\x1b[2J\x07</t>"));
    visit("mismatched tags", with_child(valid, "<a><b></a></b>"));

    std::mt19937 random(seed);
    static constexpr char kInteresting[] = {'<', '>', '/', '"',  '\'',   '=',    '&',    ';', '!', '?',
                                            '[', ']', 'a', '\0', '\x80', '\xff', '\x1b', ' ', ':'};
    for (unsigned i = 0; i < mutations; ++i)
        visit("mutation " + std::to_string(i) + " of seed " + std::to_string(seed),
              mutate(valid, random, std::string_view(kInteresting, sizeof kInteresting)));
}

}  // namespace hypersdk::test
