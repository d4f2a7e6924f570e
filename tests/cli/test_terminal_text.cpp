// terminal_safe: what hyperexport does to text it did not write before
// printing it (VM names, server fault strings, tool output, file names).
#include <gtest/gtest.h>

#include "terminal_text.hpp"

namespace hypersdk::host {
namespace {

TEST(TerminalText, ControlCharactersAreWrittenVisibly) {
    EXPECT_EQ(terminal_safe("vm\x1b[2Jname"), "vm\\x1b[2Jname");
    EXPECT_EQ(terminal_safe(std::string("a\0b", 3)), "a\\x00b");
    EXPECT_EQ(terminal_safe("bell\a del\x7f cr\r"), "bell\\x07 del\\x7f cr\\x0d");
    EXPECT_EQ(terminal_safe("two\nlines"), "two\nlines");
    EXPECT_EQ(terminal_safe("two\nlines", false), "two\\x0alines");
    EXPECT_EQ(terminal_safe("tab\tkept"), "tab\tkept");
}

TEST(TerminalText, Utf8PassesButC1AndBrokenBytesDoNot) {
    EXPECT_EQ(terminal_safe("Überprüfung 検証 🙂"), "Überprüfung 検証 🙂");
    EXPECT_EQ(terminal_safe("\xc2\x9b"
                            "2J"),
              "\\u009b2J");  // C1 CSI, as UTF-8
    EXPECT_EQ(terminal_safe("\x9b"
                            "2J"),
              "\\x9b2J");  // C1 CSI, raw byte
    EXPECT_EQ(terminal_safe("\xff\xfe"), "\\xff\\xfe");
    EXPECT_EQ(terminal_safe("\xe2\x82"), "\\xe2\\x82");                         // truncated sequence
    EXPECT_EQ(terminal_safe("\xc0\xaf"), "\\xc0\\xaf");                         // overlong '/'
    EXPECT_EQ(terminal_safe("\xed\xa0\x80"), "\\xed\\xa0\\x80");                // a surrogate
    EXPECT_EQ(terminal_safe("evil\xe2\x80\xaetxt.exe"), "evil\\u202etxt.exe");  // bidi override
}

}  // namespace
}  // namespace hypersdk::host
