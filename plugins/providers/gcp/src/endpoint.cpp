#include "endpoint.hpp"

#include "errors.hpp"

namespace hypersdk::gcp {

namespace {
bool starts_with(const std::string& s, const char* prefix) {
    return s.rfind(prefix, 0) == 0;
}
}  // namespace

std::string trim_endpoint(std::string url) {
    while (!url.empty() && url.back() == '/') url.pop_back();
    return url;
}

bool is_plain_http(const std::string& url) {
    return starts_with(url, "http://");
}

void check_endpoint(const std::string& url, const std::string& what) {
    for (char c : url)
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
            throw Error(ErrorKind::config,
                        what + " holds a space or control character; give an https:// URL");
    if (starts_with(url, "https://") && url.size() > 8) return;
    if (starts_with(url, "http://")) {
        const std::string rest = url.substr(7);
        for (const char* host : {"127.0.0.1", "[::1]", "localhost"}) {
            const std::string h = host;
            if (rest.rfind(h, 0) == 0 &&
                (rest.size() == h.size() || rest[h.size()] == ':' || rest[h.size()] == '/'))
                return;
        }
        throw Error(ErrorKind::config,
                    what + " is plain http to another host; tokens only travel over https (use https://)");
    }
    throw Error(ErrorKind::config, what + " \"" + url + "\" is not an https:// URL");
}

std::string storage_endpoint_from_emulator_host(const std::string& value) {
    if (starts_with(value, "https://") || starts_with(value, "http://")) return trim_endpoint(value);
    return trim_endpoint("https://" + value);
}

std::string url_encode(const std::string& text) {
    static const char* const hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
            c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

}  // namespace hypersdk::gcp
