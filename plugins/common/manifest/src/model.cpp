#include "hypersdk/manifest/model.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>

namespace hypersdk::manifest {

namespace {

std::string ascii_lower(std::string_view text) {
    std::string lowered(text);
    std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return lowered;
}

bool all_digits(std::string_view text) {
    return !text.empty() &&
           std::all_of(text.begin(), text.end(), [](unsigned char c) { return c >= '0' && c <= '9'; });
}

int parse_digits(std::string_view text) {
    int value = 0;
    for (char c : text) value = value * 10 + (c - '0');
    return value;
}

bool is_leap_year(int year) {
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int days_in_month(int year, int month) {
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && is_leap_year(year) ? 29 : kDays[month - 1];
}

}  // namespace

std::string normalize_firmware(std::string_view provider_firmware) {
    const std::string lowered = ascii_lower(provider_firmware);
    if (lowered == "efi" || lowered == "uefi" || lowered == "uefi-preferred") return "uefi";
    if (lowered == "bios" || lowered == "legacy-bios") return "bios";
    return "unknown";
}

bool is_rfc3339_timestamp(std::string_view text) {
    // date-time = full-date "T" partial-time time-offset
    if (text.size() < 20) return false;
    const std::string_view year = text.substr(0, 4), month = text.substr(5, 2), day = text.substr(8, 2);
    const std::string_view hour = text.substr(11, 2), minute = text.substr(14, 2),
                           second = text.substr(17, 2);
    if (!all_digits(year) || text[4] != '-' || !all_digits(month) || text[7] != '-' || !all_digits(day))
        return false;
    if ((text[10] != 'T' && text[10] != 't') || !all_digits(hour) || text[13] != ':' || !all_digits(minute) ||
        text[16] != ':' || !all_digits(second))
        return false;
    const int y = parse_digits(year), mo = parse_digits(month), d = parse_digits(day);
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo)) return false;
    // A leap second (60) is allowed by RFC 3339.
    if (parse_digits(hour) > 23 || parse_digits(minute) > 59 || parse_digits(second) > 60) return false;

    std::string_view rest = text.substr(19);
    if (!rest.empty() && rest.front() == '.') {
        size_t fraction_digits = 1;
        while (fraction_digits < rest.size() &&
               std::isdigit(static_cast<unsigned char>(rest[fraction_digits])))
            ++fraction_digits;
        if (fraction_digits == 1) return false;
        rest.remove_prefix(fraction_digits);
    }
    if (rest == "Z" || rest == "z") return true;
    if (rest.size() != 6 || (rest[0] != '+' && rest[0] != '-') || rest[3] != ':') return false;
    const std::string_view offset_hour = rest.substr(1, 2), offset_minute = rest.substr(4, 2);
    return all_digits(offset_hour) && all_digits(offset_minute) && parse_digits(offset_hour) <= 23 &&
           parse_digits(offset_minute) <= 59;
}

std::string rfc3339_utc_now() {
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    char text[32];
    const size_t length = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return std::string(text, length);
}

}  // namespace hypersdk::manifest
