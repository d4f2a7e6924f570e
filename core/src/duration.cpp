#include "hypersdk/core/duration.hpp"

#include <cctype>
#include <cstdint>

namespace hypersdk::core {

std::optional<std::chrono::seconds> parse_duration(std::string_view text) {
    if (text.empty()) return std::nullopt;
    constexpr int64_t kMaxSeconds = int64_t{10} * 365 * 24 * 3600;  // ten years is surely a typo
    int64_t total = 0;
    size_t i = 0;
    bool any_unit = false;
    while (i < text.size()) {
        if (!std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
        int64_t number = 0;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
            number = number * 10 + (text[i] - '0');
            if (number > kMaxSeconds) return std::nullopt;
            ++i;
        }
        int64_t unit = 1;
        if (i < text.size()) {
            switch (text[i]) {
                case 'h':
                    unit = 3600;
                    break;
                case 'm':
                    unit = 60;
                    break;
                case 's':
                    unit = 1;
                    break;
                default:
                    return std::nullopt;
            }
            ++i;
            any_unit = true;
        } else if (any_unit) {
            return std::nullopt;  // "4h30": the trailing number has no unit
        }
        total += number * unit;
        if (total > kMaxSeconds) return std::nullopt;
    }
    if (total <= 0) return std::nullopt;
    return std::chrono::seconds(total);
}

}  // namespace hypersdk::core
