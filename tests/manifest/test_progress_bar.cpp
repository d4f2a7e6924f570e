// The CLI's progress display: formatting, throttled plain lines when not on a
// terminal, redrawn bars on a terminal, silence when quiet.
#include <gtest/gtest.h>

#include <cstdio>

#include "progress_bar.hpp"

namespace {

using namespace hypersdk::host;
using Clock = std::chrono::steady_clock;

// Captures what the display writes, on a fake clock.
class CapturedDisplay {
public:
    explicit CapturedDisplay(ProgressStyle style) : stream_(std::tmpfile()) {
        ProgressOptions options;
        options.stream = stream_;
        options.style = style;
        options.clock = [this] { return now_; };
        display_ = std::make_unique<ProgressDisplay>(options);
    }
    ~CapturedDisplay() {
        display_.reset();
        std::fclose(stream_);
    }
    ProgressDisplay& display() { return *display_; }
    std::FILE* stream() { return stream_; }
    void advance(std::chrono::milliseconds step) { now_ += step; }
    std::string output() {
        std::fflush(stream_);
        std::rewind(stream_);
        std::string text;
        char buffer[4096];
        size_t got;
        while ((got = std::fread(buffer, 1, sizeof buffer, stream_)) > 0) text.append(buffer, got);
        return text;
    }

private:
    std::FILE* stream_;
    Clock::time_point now_ = Clock::time_point(std::chrono::hours(1));
    std::unique_ptr<ProgressDisplay> display_;
};

size_t count(const std::string& text, const std::string& part) {
    size_t found = 0;
    for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++found;
    return found;
}

TEST(ProgressFormat, Bytes) {
    EXPECT_EQ(format_bytes(0), "0 B");
    EXPECT_EQ(format_bytes(1023), "1023 B");
    EXPECT_EQ(format_bytes(1024), "1.00 KiB");
    EXPECT_EQ(format_bytes(1536ull << 20), "1.50 GiB");
    EXPECT_EQ(format_bytes(~0ull), "16.00 EiB");
}

TEST(ProgressFormat, RateDurationBar) {
    EXPECT_EQ(format_rate(512.0 * 1024 * 1024), "512.0 MiB/s");
    EXPECT_EQ(format_rate(0), "-- B/s");
    EXPECT_EQ(format_eta(42), "00:42");
    EXPECT_EQ(format_eta(3723), "1:02:03");
    EXPECT_EQ(format_eta(-1), "--:--");
    EXPECT_EQ(render_bar(0.5, 12), "[#####-----]");
    EXPECT_EQ(render_bar(2.0, 6), "[####]");
    EXPECT_EQ(render_bar(0, 6), "[----]");
}

TEST(ProgressFormat, LineHasPercentBytesRateAndEta) {
    const std::string line = format_progress_line("disk-0", 1u << 30, 2u << 30, 2.0, "", 120);
    EXPECT_NE(line.find("disk-0"), std::string::npos);
    EXPECT_NE(line.find(" 50%"), std::string::npos) << line;
    EXPECT_NE(line.find("1.00 GiB / 2.00 GiB"), std::string::npos) << line;
    EXPECT_NE(line.find("512.0 MiB/s"), std::string::npos) << line;
    EXPECT_NE(line.find("ETA 00:02"), std::string::npos) << line;
    EXPECT_NE(line.find("[#"), std::string::npos) << line;
    EXPECT_LT(line.size(), 120u);
    const std::string done = format_progress_line("disk-0", 2u << 30, 2u << 30, 4.0, "OK", 0);
    EXPECT_EQ(done, "disk-0: 100%  2.00 GiB / 2.00 GiB  512.0 MiB/s  OK");
    EXPECT_LT(format_progress_line(std::string(200, 'x'), 1, 2, 1, "", 60).size(), 60u);
}

TEST(ProgressDisplayTest, PlainLinesAtMostEveryTwoSeconds) {
    CapturedDisplay captured(ProgressStyle::plain);
    auto& display = captured.display();
    const size_t item = display.add_item("disk-0", 100);
    for (int i = 1; i <= 19; ++i) {  // 1.9 s of updates: nothing yet
        captured.advance(std::chrono::milliseconds(100));
        display.update(item, static_cast<uint64_t>(i));
    }
    EXPECT_EQ(captured.output(), "");
    captured.advance(std::chrono::milliseconds(100));
    display.update(item, 20);
    EXPECT_EQ(count(captured.output(), "disk-0: "), 1u) << captured.output();
    for (int i = 0; i < 10; ++i) {  // another 1 s: still one line
        captured.advance(std::chrono::milliseconds(100));
        display.update(item, 30);
    }
    EXPECT_EQ(count(captured.output(), "disk-0: "), 1u);
    captured.advance(std::chrono::milliseconds(1000));
    display.update(item, 40);
    EXPECT_EQ(count(captured.output(), "disk-0: "), 2u);
    display.finish_item(item, "OK");
    display.finish();
    const std::string output = captured.output();
    EXPECT_EQ(count(output, "disk-0: "), 3u) << output;
    EXPECT_NE(output.find("OK\n"), std::string::npos);
    EXPECT_EQ(output.find('\x1b'), std::string::npos) << "escape codes in plain output";
    EXPECT_EQ(output.find('\r'), std::string::npos);
}

TEST(ProgressDisplayTest, TtyRedrawsBarsWithAnOverallLine) {
    CapturedDisplay captured(ProgressStyle::tty);
    auto& display = captured.display();
    const size_t first = display.add_item("disk-0", 1000);
    const size_t second = display.add_item("disk-1", 1000);
    captured.advance(std::chrono::milliseconds(500));
    display.update(first, 500);
    captured.advance(std::chrono::milliseconds(500));
    display.update(second, 250);
    display.print_line(captured.stream(), "a line above the bars");
    display.finish_item(first, "OK");
    display.finish_item(second, "OK");
    display.finish();
    const std::string output = captured.output();
    EXPECT_NE(output.find("\x1b[3F\x1b[J"), std::string::npos)
        << "moves up over two bars and the overall line";
    EXPECT_NE(output.find("overall"), std::string::npos);
    // print_line clears the bars ("up 3 lines, clear to end"), prints, redraws.
    EXPECT_NE(output.find("\x1b[3F\x1b[Ja line above the bars\n\x1b[2K"), std::string::npos) << output;
    EXPECT_NE(output.find("ETA"), std::string::npos);
    EXPECT_NE(output.find("[#"), std::string::npos);
    // The last frame shows both items finished and the overall line done.
    const std::string last_frame = output.substr(output.rfind("disk-0"));
    EXPECT_NE(last_frame.find("OK"), std::string::npos) << last_frame;
    EXPECT_NE(last_frame.find("done"), std::string::npos) << last_frame;
}

TEST(ProgressDisplayTest, QuietPrintsNothing) {
    CapturedDisplay captured(ProgressStyle::quiet);
    auto& display = captured.display();
    const size_t item = display.add_item("disk-0", 10);
    for (int i = 0; i < 50; ++i) {
        captured.advance(std::chrono::milliseconds(500));
        display.update(item, static_cast<uint64_t>(i));
    }
    display.finish_item(item, "OK");
    display.finish();
    EXPECT_EQ(captured.output(), "");
}

TEST(ProgressDisplayTest, IgnoresUnknownItemsAndUpdatesAfterFinish) {
    CapturedDisplay captured(ProgressStyle::plain);
    auto& display = captured.display();
    display.update(7, 1);
    display.finish_item(7, "OK");
    display.finish();
    captured.advance(std::chrono::seconds(10));
    display.update(0, 1);
    EXPECT_EQ(captured.output(), "");
}

}  // namespace
