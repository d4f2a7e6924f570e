// escape_for_terminal and quote_for_message: text from manifests, plugins and
// servers can never act on the terminal it is printed to.
#include <gtest/gtest.h>
#include <hypersdk/manifest/terminal_text.hpp>

#include <string>

namespace {

using hypersdk::manifest::escape_for_terminal;
using hypersdk::manifest::quote_for_message;

TEST(TerminalText, PlainAndNonAsciiTextIsKept) {
    EXPECT_EQ(escape_for_terminal("web-01 (prod) 100% \\share"), "web-01 (prod) 100% \\share");
    const std::string utf8 = "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x92\xbe \xc2\xa0";
    EXPECT_EQ(escape_for_terminal(utf8), utf8);
    EXPECT_EQ(escape_for_terminal(""), "");
}

TEST(TerminalText, ControlCharactersAreRenderedVisibly) {
    EXPECT_EQ(escape_for_terminal("vm\x1b[2J\x1b]0;owned\x07"), "vm\\x1b[2J\\x1b]0;owned\\x07");
    EXPECT_EQ(escape_for_terminal("two\nlines\r\ttab"), "two\\x0alines\\x0d\\x09tab");
    EXPECT_EQ(escape_for_terminal(std::string("nul\0byte", 8)), "nul\\x00byte");
    EXPECT_EQ(escape_for_terminal("del\x7f"), "del\\x7f");
    // C1 controls in UTF-8 form; U+009B is a CSI on terminals that honour C1.
    EXPECT_EQ(escape_for_terminal("csi\xc2\x9b"
                                  "2J \xc2\x85"),
              "csi\\u009b2J \\u0085");
    // Bidirectional overrides and line separators reorder or break the line.
    EXPECT_EQ(escape_for_terminal("abc\xe2\x80\xae"
                                  "fdp.exe \xe2\x80\xa8 \xe2\x81\xa6"),
              "abc\\u202efdp.exe \\u2028 \\u2066");
}

TEST(TerminalText, BytesThatAreNotUtf8AreRenderedAsHex) {
    EXPECT_EQ(escape_for_terminal("a\xff"
                                  "b"),
              "a\\xffb");
    EXPECT_EQ(escape_for_terminal("\xc0\xaf"), "\\xc0\\xaf");           // overlong '/'
    EXPECT_EQ(escape_for_terminal("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // a surrogate
    EXPECT_EQ(escape_for_terminal("caf\xc3"), "caf\\xc3");              // cut short
    // A raw 8-bit C1 byte (not UTF-8) is shown as hex, never passed through.
    EXPECT_EQ(escape_for_terminal("\x9b"
                                  "2J"),
              "\\x9b2J");
}

TEST(TerminalText, QuotingEscapesQuotesAndCutsLongValues) {
    EXPECT_EQ(quote_for_message("plain"), "\"plain\"");
    EXPECT_EQ(quote_for_message("say \"hi\" \\ bye"), R"("say \"hi\" \\ bye")");
    EXPECT_EQ(quote_for_message("a\x1b[2Jb"), R"("a\x1b[2Jb")");
    const std::string huge(10u << 20, 'a');
    EXPECT_EQ(quote_for_message(huge), "\"" + std::string(80, 'a') + "\"... (10485760 bytes)");
    // The cut never splits a character: 79 ASCII bytes + a 2-byte character
    // would end at byte 81, so the character is left out.
    const std::string accented = std::string(79, 'a') + "\xc3\xa9" + "tail";
    EXPECT_EQ(quote_for_message(accented), "\"" + std::string(79, 'a') + "\"... (85 bytes)");
}

}  // namespace
