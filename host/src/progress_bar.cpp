#include "progress_bar.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace hypersdk::host {

namespace {

constexpr size_t kDefaultTerminalWidth = 80;
constexpr size_t kMaxLabelWidth = 24;
// " 45%  1023.99 GiB / 1023.99 GiB  999.9 MiB/s  ETA 1:00:00"
constexpr size_t kDetailsWidth = 56;

double seconds_between(std::chrono::steady_clock::time_point from, std::chrono::steady_clock::time_point to) {
    return std::chrono::duration<double>(to - from).count();
}

size_t terminal_width(std::FILE* stream) {
    winsize size{};
    if (::ioctl(::fileno(stream), TIOCGWINSZ, &size) == 0 && size.ws_col >= 20) return size.ws_col;
    return kDefaultTerminalWidth;
}

std::string fit_label(std::string_view label, size_t width) {
    if (label.size() > width) return std::string(label.substr(0, width - 1)) + "~";
    return std::string(label) + std::string(width - label.size(), ' ');
}

}  // namespace

std::string format_bytes(uint64_t bytes) {
    static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    if (bytes < 1024) return std::to_string(bytes) + " B";
    double value = static_cast<double>(bytes);
    size_t unit = 0;
    while (value >= 1024.0 && unit + 1 < std::size(kUnits)) {
        value /= 1024.0;
        ++unit;
    }
    char text[32];
    std::snprintf(text, sizeof text, "%.2f %s", value, kUnits[unit]);
    return text;
}

std::string format_rate(double bytes_per_second) {
    if (!(bytes_per_second > 0) || !std::isfinite(bytes_per_second)) return "-- B/s";
    static constexpr const char* kUnits[] = {"B/s", "KiB/s", "MiB/s", "GiB/s", "TiB/s"};
    size_t unit = 0;
    while (bytes_per_second >= 1024.0 && unit + 1 < std::size(kUnits)) {
        bytes_per_second /= 1024.0;
        ++unit;
    }
    char text[32];
    std::snprintf(text, sizeof text, "%.1f %s", bytes_per_second, kUnits[unit]);
    return text;
}

std::string format_eta(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0 || seconds > 359999) return "--:--";
    const auto total = static_cast<long>(std::lround(seconds));
    char text[32];
    if (total >= 3600)
        std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", total / 3600, total / 60 % 60, total % 60);
    else
        std::snprintf(text, sizeof text, "%02ld:%02ld", total / 60, total % 60);
    return text;
}

std::string render_bar(double fraction, size_t width) {
    if (width < 3) return std::string(width, ' ');
    const size_t inner = width - 2;
    fraction = std::clamp(std::isfinite(fraction) ? fraction : 0.0, 0.0, 1.0);
    const auto filled = static_cast<size_t>(fraction * static_cast<double>(inner));
    return "[" + std::string(filled, '#') + std::string(inner - filled, '-') + "]";
}

std::string format_progress_line(std::string_view label, uint64_t done, uint64_t total,
                                 double elapsed_seconds, std::string_view outcome, size_t width) {
    const double rate = elapsed_seconds > 0 ? static_cast<double>(done) / elapsed_seconds : 0;
    const bool finished = !outcome.empty();
    std::string details;
    if (total > 0) {
        const double fraction = std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
        char percent[8];
        std::snprintf(percent, sizeof percent, "%3d%%", static_cast<int>(fraction * 100));
        details = std::string(percent) + "  " + format_bytes(done) + " / " + format_bytes(total);
    } else {
        details = format_bytes(done);
    }
    details += "  " + format_rate(rate);
    if (finished) {
        details += "  " + std::string(outcome);
    } else if (total > 0) {
        const double remaining = rate > 0 ? static_cast<double>(total - std::min(done, total)) / rate : -1;
        details += "  ETA " + format_eta(remaining);
    }

    if (width == 0) return std::string(label) + ": " + details;  // plain lines: no bar
    const size_t label_width = std::min(kMaxLabelWidth, std::max<size_t>(label.size(), 8));
    // Bars get the same width on every line (so they align), sized for the
    // longest details text we usually print; no bar on very narrow terminals.
    const size_t room = width > label_width + 4 + kDetailsWidth ? width - label_width - 4 - kDetailsWidth : 0;
    const size_t bar_width = room >= 10 ? std::min<size_t>(room, 40) : 0;
    const double fraction =
        total > 0 ? static_cast<double>(done) / static_cast<double>(total) : (finished ? 1 : 0);
    std::string line = fit_label(label, label_width) + "  ";
    if (bar_width > 0) line += render_bar(fraction, bar_width) + "  ";
    line += details;
    if (line.size() >= width) line.resize(width - 1);  // never wrap: wrapping breaks the redraw
    return line;
}

ProgressDisplay::ProgressDisplay(ProgressOptions options) : options_(std::move(options)) {
    style_ = options_.style;
    if (style_ == ProgressStyle::automatic)
        style_ = ::isatty(::fileno(options_.stream)) ? ProgressStyle::tty : ProgressStyle::plain;
    started_ = options_.clock();
    last_draw_ = started_;
}

ProgressDisplay::~ProgressDisplay() {
    finish();
}

size_t ProgressDisplay::add_item(std::string label, uint64_t total_bytes) {
    std::lock_guard lock(mutex_);
    Item item;
    item.label = std::move(label);
    item.total = total_bytes;
    item.started = options_.clock();
    items_.push_back(std::move(item));
    return items_.size() - 1;
}

void ProgressDisplay::set_total(size_t item, uint64_t total_bytes) {
    std::lock_guard lock(mutex_);
    if (item < items_.size()) items_[item].total = total_bytes;
}

void ProgressDisplay::update(size_t item, uint64_t done_bytes) {
    std::lock_guard lock(mutex_);
    if (finished_ || item >= items_.size()) return;
    items_[item].done = done_bytes;
    redraw_locked(false);
}

void ProgressDisplay::finish_item(size_t item, std::string_view outcome) {
    std::lock_guard lock(mutex_);
    if (finished_ || item >= items_.size() || !items_[item].outcome.empty()) return;
    Item& finished_item = items_[item];
    finished_item.outcome = outcome.empty() ? "done" : std::string(outcome);
    finished_item.finished_at = options_.clock();
    if (style_ == ProgressStyle::plain) {
        // A finished item gets its own line at once; logs show every outcome.
        const double elapsed = seconds_between(finished_item.started, finished_item.finished_at);
        std::fprintf(options_.stream, "%s\n",
                     format_progress_line(finished_item.label, finished_item.done, finished_item.total,
                                          elapsed, finished_item.outcome, 0)
                         .c_str());
        std::fflush(options_.stream);
    } else {
        redraw_locked(true);
    }
}

void ProgressDisplay::print_line(std::FILE* stream, std::string_view line) {
    std::lock_guard lock(mutex_);
    if (style_ == ProgressStyle::tty) erase_tty_locked();
    std::fwrite(line.data(), 1, line.size(), stream);
    std::fputc('\n', stream);
    std::fflush(stream);
    if (style_ == ProgressStyle::tty && !finished_) redraw_locked(true);
}

void ProgressDisplay::finish() {
    std::lock_guard lock(mutex_);
    if (finished_) return;
    if (style_ == ProgressStyle::tty && !items_.empty()) redraw_locked(true);
    lines_on_screen_ = 0;  // the final bars stay on screen
    finished_ = true;
}

void ProgressDisplay::redraw_locked(bool force) {
    if (style_ == ProgressStyle::quiet) return;
    const auto now = options_.clock();
    const auto interval = style_ == ProgressStyle::tty ? options_.tty_interval : options_.plain_interval;
    // TTY: draw at once, then at most every interval. Plain: first lines only
    // after one interval, so quick jobs print just their outcomes.
    const bool due = now - last_draw_ >= interval || (style_ == ProgressStyle::tty && !drawn_once_);
    if (!force && !due) return;
    last_draw_ = now;
    drawn_once_ = true;
    if (style_ == ProgressStyle::tty)
        draw_tty_locked(now);
    else if (!force)
        draw_plain_locked(now);
}

std::vector<std::string> ProgressDisplay::item_lines_locked(std::chrono::steady_clock::time_point now,
                                                            size_t width) const {
    std::vector<std::string> lines;
    uint64_t done = 0, total = 0;
    bool all_finished = true;
    for (const Item& item : items_) {
        const auto end = item.outcome.empty() ? now : item.finished_at;
        done += item.done;
        total += item.total;
        all_finished = all_finished && !item.outcome.empty();
        // Plain output repeats only what is still moving.
        if (width == 0 && !item.outcome.empty()) continue;
        lines.push_back(format_progress_line(item.label, item.done, item.total,
                                             seconds_between(item.started, end), item.outcome, width));
    }
    if (options_.show_overall && items_.size() > 1 && (width != 0 || !all_finished))
        lines.push_back(format_progress_line("overall", done, total, seconds_between(started_, now),
                                             all_finished ? "done" : "", width));
    return lines;
}

void ProgressDisplay::erase_tty_locked() {
    if (lines_on_screen_ == 0) return;
    // Up to the first bar's line, then clear to the end of the screen.
    std::fprintf(options_.stream, "\x1b[%zuF\x1b[J", lines_on_screen_);
    lines_on_screen_ = 0;
}

void ProgressDisplay::draw_tty_locked(std::chrono::steady_clock::time_point now) {
    const std::vector<std::string> lines = item_lines_locked(now, terminal_width(options_.stream));
    erase_tty_locked();
    for (const std::string& line : lines) std::fprintf(options_.stream, "\x1b[2K%s\n", line.c_str());
    lines_on_screen_ = lines.size();
    std::fflush(options_.stream);
}

void ProgressDisplay::draw_plain_locked(std::chrono::steady_clock::time_point now) {
    for (const std::string& line : item_lines_locked(now, 0))
        std::fprintf(options_.stream, "%s\n", line.c_str());
    std::fflush(options_.stream);
}

}  // namespace hypersdk::host
