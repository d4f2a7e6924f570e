// Progress display for the whole CLI: one bar per item (a disk being hashed,
// exported or converted) plus an overall bar when there are several.
//
//   on a TTY      bars redrawn in place: label, bar, percent, bytes, rate, ETA
//   not a TTY     plain lines, at most one batch every ~2 s, so logs stay readable
//   quiet         nothing at all (--quiet)
//
// Every method is thread-safe; update() is cheap enough to call per buffer.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace hypersdk::host {

enum class ProgressStyle { automatic, tty, plain, quiet };

struct ProgressOptions {
    std::FILE* stream = stderr;
    ProgressStyle style = ProgressStyle::automatic;  // automatic: tty when `stream` is a terminal
    std::chrono::milliseconds tty_interval{100};
    std::chrono::milliseconds plain_interval{2000};
    bool show_overall = true;  // adds an "overall" bar when there is more than one item
    // Time source; tests replace it.
    std::function<std::chrono::steady_clock::time_point()> clock = [] {
        return std::chrono::steady_clock::now();
    };
};

class ProgressDisplay {
public:
    explicit ProgressDisplay(ProgressOptions options = {});
    ~ProgressDisplay();  // calls finish()
    ProgressDisplay(const ProgressDisplay&) = delete;
    ProgressDisplay& operator=(const ProgressDisplay&) = delete;

    // Returns the item's handle for update()/finish_item(). total 0 = unknown.
    size_t add_item(std::string label, uint64_t total_bytes);
    void set_total(size_t item, uint64_t total_bytes);
    void update(size_t item, uint64_t done_bytes);
    // Marks the item finished with a one-word outcome ("done", "OK", "FAILED").
    void finish_item(size_t item, std::string_view outcome);
    // Prints a line above the bars without breaking them.
    void print_line(std::FILE* stream, std::string_view line);
    // Final redraw; later updates are ignored. Idempotent.
    void finish();

    ProgressStyle style() const { return style_; }

private:
    struct Item {
        std::string label;
        uint64_t total = 0;
        uint64_t done = 0;
        std::chrono::steady_clock::time_point started;
        std::chrono::steady_clock::time_point finished_at;
        std::string outcome;  // empty while running
    };

    void redraw_locked(bool force);
    void draw_tty_locked(std::chrono::steady_clock::time_point now);
    void draw_plain_locked(std::chrono::steady_clock::time_point now);
    void erase_tty_locked();
    std::vector<std::string> item_lines_locked(std::chrono::steady_clock::time_point now, size_t width) const;

    ProgressOptions options_;
    ProgressStyle style_;
    std::mutex mutex_;
    std::vector<Item> items_;
    std::chrono::steady_clock::time_point started_;
    std::chrono::steady_clock::time_point last_draw_{};
    bool drawn_once_ = false;
    size_t lines_on_screen_ = 0;
    bool finished_ = false;
};

// Formatting helpers, shared with other commands and unit-tested.
std::string format_bytes(uint64_t bytes);               // "1.50 GiB", "512 B"
std::string format_rate(double bytes_per_second);       // "512.0 MiB/s"
std::string format_eta(double seconds);                 // "00:42", "1:02:03", "--:--" when unknown
std::string render_bar(double fraction, size_t width);  // "[######------]" of exactly `width` chars
// One item's text: label, bar, percent, done/total, rate, ETA (or the outcome when finished).
std::string format_progress_line(std::string_view label, uint64_t done, uint64_t total,
                                 double elapsed_seconds, std::string_view outcome, size_t width);

}  // namespace hypersdk::host
