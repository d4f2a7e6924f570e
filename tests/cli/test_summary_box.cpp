// The summary box: long values wrap inside an 80-column box instead of
// widening it (a failed conversion's error line once made it 130 wide).
#include <gtest/gtest.h>

#include <sstream>

#include "summary_box.hpp"

namespace hypersdk::host {
namespace {

size_t columns(const std::string& line) {
    size_t n = 0;
    for (const char c : line)
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
    return n;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

TEST(SummaryBox, ShortRowsMakeANarrowBox) {
    const auto lines =
        lines_of(render_summary_box("Export Summary", {{"VM Name", "web-01"}, {"Disks", "2"}}));
    ASSERT_EQ(lines.size(), 6u);
    EXPECT_EQ(columns(lines[0]), columns(lines[3]));
    EXPECT_LT(columns(lines[0]), 40u);
    EXPECT_NE(lines[3].find("│ web-01"), std::string::npos);
}

TEST(SummaryBox, ALongValueWrapsWithinEightyColumns) {
    const std::string error =
        "virt-v2v: error: no bootloader detected: inspection found no grub.cfg or /boot/loader/entries on "
        "any "
        "filesystem of /work/out/disk-0.vmdk; if this guest boots, file a bug with the output of virt-v2v -v "
        "-x";
    const auto lines = lines_of(render_summary_box(
        "Conversion Summary", {{"Conversion Status", "FAILED"}, {"Conversion Error", error}}));
    for (const auto& line : lines) EXPECT_LE(columns(line), kMaxBoxWidth) << line;
    // Every word is still there, in order, across the continuation rows.
    std::string joined;
    for (size_t i = 4; i + 1 < lines.size(); ++i) {
        const auto bar = lines[i].find("│ ");
        std::string part = lines[i].substr(bar + std::string("│ ").size());
        part = part.substr(0, part.rfind(" ║"));
        while (!part.empty() && part.back() == ' ') part.pop_back();
        joined += (joined.empty() || joined.back() == '/' ? "" : " ") + part;
    }
    EXPECT_EQ(joined, error);
    // Continuation rows leave the label empty.
    EXPECT_EQ(lines[5].rfind("║                   │ ", 0), 0u) << lines[5];
}

TEST(SummaryBox, AnUnbreakableValueIsCutHard) {
    const std::string path = "/" + std::string(150, 'x');
    const auto lines = lines_of(render_summary_box("T", {{"Path", path}}));
    for (const auto& line : lines) EXPECT_LE(columns(line), kMaxBoxWidth) << line;
    EXPECT_GE(lines.size(), 7u);
}

}  // namespace
}  // namespace hypersdk::host
