#include "url.hpp"

#include <cctype>

#include <hypersdk/http/headers.hpp>

namespace hypersdk::azure {

std::string percent_encode(std::string_view text) {
    static const char* const kHex = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

std::optional<std::string> query_parameter(std::string_view url, std::string_view name) {
    const auto q = url.find('?');
    if (q == std::string_view::npos) return std::nullopt;
    std::string_view query = url.substr(q + 1);
    query = query.substr(0, query.find('#'));
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        const auto eq = pair.find('=');
        if (pair.substr(0, eq) == name)
            return std::string(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    return std::nullopt;
}

std::string with_query_parameter(const std::string& url, const std::string& name, const std::string& value) {
    return url + (url.find('?') == std::string::npos ? "?" : "&") + name + "=" + percent_encode(value);
}

bool same_origin(std::string_view url, std::string_view origin) {
    if (url.size() < origin.size() || !http::iequals(url.substr(0, origin.size()), origin)) return false;
    return url.size() == origin.size() || url[origin.size()] == '/' || url[origin.size()] == '?';
}

std::string without_query(std::string_view url) {
    return std::string(url.substr(0, url.find_first_of("?#")));
}

}  // namespace hypersdk::azure
