#include "virt_v2v_progress.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace hypersdk::virt_v2v {
namespace {

// Where each stage of virt-v2v 2.x (v2v/v2v.ml, convert/convert.ml) starts on
// the overall bar. Shares follow a run measured under TCG (issue 14: 11 min,
// of which the guest's conversion took 10); the copy's share is spread over
// the disks by nbdcopy's percentage. A stage not listed keeps the fraction.
struct KnownStage {
    std::string_view prefix;
    double starts_at;
    Phase phase;
};
constexpr KnownStage kKnownStages[] = {
    {"Setting up the source", 0.00, Phase::inspect},
    {"Opening the source", 0.02, Phase::inspect},
    {"Inspecting the source", 0.06, Phase::inspect},
    {"Checking for sufficient free disk space in the guest", 0.08, Phase::inspect},
    {"Converting ", 0.10, Phase::fix},  // "Converting <product> to run on KVM"
    {"Mapping filesystem data", 0.70, Phase::fix},
    {"Closing the overlay", 0.73, Phase::fix},
    {"Assigning disks to buses", 0.75, Phase::fix},
    {"Checking if the guest needs BIOS or UEFI to boot", 0.76, Phase::fix},
    {"Setting up the destination", 0.77, Phase::convert},
    {"Copying disk ", 0.80, Phase::convert},
    {"Creating output metadata", 0.97, Phase::convert},
    {"Finishing off", 0.99, Phase::convert},
};
// virt-v2v prints about a dozen; a tool printing stage lines in a loop must
// not grow the list (and the report) without bound.
constexpr size_t kMaxStagesKept = 200;
constexpr double kCopyStart = 0.80, kCopyEnd = 0.97;
constexpr std::string_view kConvertingSuffix = " to run on KVM";

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

// "[  12.3] Text" -> (12.3, "Text").
std::optional<std::pair<double, std::string_view>> parse_stage_line(std::string_view line) {
    if (line.size() < 4 || line.front() != '[') return std::nullopt;
    const size_t close = line.find("] ");
    if (close == std::string_view::npos || close > 16) return std::nullopt;
    const std::string_view number = trim(line.substr(1, close - 1));
    if (number.empty() || number.find('.') == std::string_view::npos) return std::nullopt;
    for (char c : number)
        if (std::isdigit(static_cast<unsigned char>(c)) == 0 && c != '.') return std::nullopt;
    double seconds = 0;
    const auto parsed = std::from_chars(number.data(), number.data() + number.size(), seconds);
    if (parsed.ec != std::errc() || parsed.ptr != number.data() + number.size()) return std::nullopt;
    const std::string_view text = trim(line.substr(close + 2));
    if (text.empty()) return std::nullopt;
    return std::make_pair(seconds, text);
}

// nbdcopy --progress: "<spinner> NNN% [****----]"; the percentage, or nullopt.
std::optional<int> parse_copy_bar(std::string_view line) {
    const size_t mark = line.find("% [");
    if (mark == std::string_view::npos || mark == 0) return std::nullopt;
    const size_t close = line.find(']', mark + 3);
    if (close == std::string_view::npos) return std::nullopt;
    for (char c : line.substr(mark + 3, close - mark - 3))
        if (c != '*' && c != '-' && c != '#' && c != '=' && c != ' ') return std::nullopt;
    size_t start = mark;
    while (start > 0 && std::isdigit(static_cast<unsigned char>(line[start - 1])) != 0) --start;
    int percent = -1;
    const auto parsed = std::from_chars(line.data() + start, line.data() + mark, percent);
    if (parsed.ec != std::errc() || percent < 0 || percent > 100) return std::nullopt;
    return percent;
}

// "Copying disk 2/3" -> (2, 3).
std::optional<std::pair<int, int>> parse_copy_stage(std::string_view text) {
    text.remove_prefix(std::string_view("Copying disk ").size());
    const size_t slash = text.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    int disk = 0, disks = 0;
    const auto a = std::from_chars(text.data(), text.data() + slash, disk);
    const auto b = std::from_chars(text.data() + slash + 1, text.data() + text.size(), disks);
    if (a.ec != std::errc() || b.ec != std::errc() || disk < 1 || disks < disk) return std::nullopt;
    return std::make_pair(disk, disks);
}

double copy_fraction(int disk, int disks, double within) {
    const double share = (kCopyEnd - kCopyStart) / disks;
    return kCopyStart + share * (disk - 1) + share * within;
}

}  // namespace

LineKind ProgressParser::feed(std::string_view line) {
    if (const auto stage = parse_stage_line(line)) {
        enter_stage(std::string(stage->second), stage->first);
        return LineKind::stage;
    }
    if (const auto percent = parse_copy_bar(line)) {
        if (copy_disk_ > 0) advance_to(copy_fraction(copy_disk_, copy_disks_, *percent / 100.0));
        return LineKind::copy_progress;
    }
    return LineKind::other;
}

void ProgressParser::enter_stage(std::string name, double at) {
    copy_disk_ = copy_disks_ = 0;
    for (const auto& known : kKnownStages) {
        if (name.rfind(known.prefix, 0) != 0) continue;
        if (known.phase == Phase::fix && known.prefix == "Converting ") {
            const std::string_view rest = std::string_view(name).substr(known.prefix.size());
            if (rest.size() < kConvertingSuffix.size() ||
                rest.substr(rest.size() - kConvertingSuffix.size()) != kConvertingSuffix)
                continue;
            const std::string_view product = rest.substr(0, rest.size() - kConvertingSuffix.size());
            if (product != "the guest") product_ = std::string(product);
        }
        double starts_at = known.starts_at;
        if (known.prefix == "Copying disk ") {
            const auto disk = parse_copy_stage(name);
            if (!disk) continue;
            copy_disk_ = disk->first;
            copy_disks_ = disk->second;
            starts_at = copy_fraction(copy_disk_, copy_disks_, 0);
        }
        // Phases only move forward; each begins at its first stage.
        if (known.phase >= phase_) {
            phase_ = known.phase;
            auto& start = phase_start_[static_cast<int>(phase_)];
            if (!start) start = at;
        }
        advance_to(starts_at);
        break;
    }
    if (!phase_start_[0]) phase_start_[0] = at;
    if (stages_.size() < kMaxStagesKept) stages_.push_back({name, at, phase_});
    stage_ = std::move(name);
}

void ProgressParser::advance_to(double fraction) {
    fraction_ = std::clamp(fraction, fraction_, 1.0);
}

std::optional<double> ProgressParser::phase_started_at(Phase phase) const {
    return phase_start_[static_cast<int>(phase)];
}

}  // namespace hypersdk::virt_v2v
