#include "sigv4.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>
#include <stdexcept>
#include <utility>
#include <vector>

namespace hypersdk::aws {

namespace {

std::string hex(const unsigned char* data, size_t size) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(size * 2);
    for (size_t i = 0; i < size; ++i) {
        out.push_back(digits[data[i] >> 4]);
        out.push_back(digits[data[i] & 0xf]);
    }
    return out;
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
             reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &size) == nullptr)
        throw std::runtime_error("HMAC-SHA256 failed (OpenSSL)");
    return std::string(reinterpret_cast<const char*>(out), size);
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string percent_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            const int hi = hex_value(text[i + 1]);
            const int lo = hex_value(text[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out.push_back(static_cast<char>(hi * 16 + lo));
                i += 2;
                continue;
            }
        }
        out.push_back(text[i]);
    }
    return out;
}

struct SplitUrl {
    std::string authority;  // host[:port], as Host carries it
    std::string path;       // as sent, "/" when empty
    std::string query;      // without '?'
};

SplitUrl split_url(const std::string& url) {
    const size_t scheme = url.find("://");
    if (scheme == std::string::npos) throw std::invalid_argument("cannot sign a URL without a scheme");
    const std::string scheme_name = url.substr(0, scheme);
    const size_t host_start = scheme + 3;
    const size_t path_start = url.find_first_of("/?#", host_start);
    SplitUrl s;
    s.authority =
        url.substr(host_start, path_start == std::string::npos ? std::string::npos : path_start - host_start);
    if (s.authority.empty() || s.authority.find('@') != std::string::npos)
        throw std::invalid_argument("cannot sign a URL without a host or with user information");
    // The default port is not part of Host.
    const std::string default_port = scheme_name == "https" ? ":443" : ":80";
    if (s.authority.size() > default_port.size() &&
        s.authority.compare(s.authority.size() - default_port.size(), default_port.size(), default_port) == 0)
        s.authority.resize(s.authority.size() - default_port.size());
    std::transform(s.authority.begin(), s.authority.end(), s.authority.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (path_start == std::string::npos) {
        s.path = "/";
        return s;
    }
    const size_t fragment = url.find('#', path_start);
    const std::string rest =
        url.substr(path_start, fragment == std::string::npos ? std::string::npos : fragment - path_start);
    const size_t q = rest.find('?');
    s.path = rest.substr(0, q);
    if (s.path.empty()) s.path = "/";
    if (q != std::string::npos) s.query = rest.substr(q + 1);
    return s;
}

// Headers AWS's signers leave out: they change on the way (proxies, agents).
bool unsignable(const std::string& lower_name) {
    static const char* const names[] = {"authorization", "cache-control", "connection", "expect", "from",
                                        "keep-alive", "max-forwards", "pragma", "referer", "te", "trailer",
                                        "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id",
                                        "content-length",
                                        // Left out so a broken download can continue from the next byte
                                        // (the transport adjusts Range on a resume).
                                        "range"};
    return std::find(std::begin(names), std::end(names), lower_name) != std::end(names);
}

std::string canonical_header_value(std::string_view value) {
    std::string out;
    bool space = false;
    for (char c : http::trim(value)) {
        if (c == ' ' || c == '\t') {
            space = true;
            continue;
        }
        if (space && !out.empty()) out.push_back(' ');
        space = false;
        out.push_back(c);
    }
    return out;
}

}  // namespace

std::string aws_uri_encode(std::string_view text, bool keep_slash) {
    static const char digits[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size() * 3);
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(digits[c >> 4]);
            out.push_back(digits[c & 0xf]);
        }
    }
    return out;
}

std::string sha256_hex(std::string_view data) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
    return hex(digest, sizeof digest);
}

std::string amz_date(std::chrono::system_clock::time_point when) {
    const std::time_t t = std::chrono::system_clock::to_time_t(when);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &tm);
    return text;
}

std::string canonical_query(std::string_view raw_query) {
    // Decode what the URL carries, then encode it the one way AWS signs it,
    // sorted by name and then value (repeated names keep every value).
    std::vector<std::pair<std::string, std::string>> pairs;
    size_t start = 0;
    while (start <= raw_query.size() && !raw_query.empty()) {
        const size_t end = std::min(raw_query.find('&', start), raw_query.size());
        const std::string_view item = raw_query.substr(start, end - start);
        if (!item.empty()) {
            const size_t eq = item.find('=');
            const std::string name = percent_decode(item.substr(0, eq));
            const std::string value = eq == std::string_view::npos ? "" : percent_decode(item.substr(eq + 1));
            pairs.emplace_back(aws_uri_encode(name), aws_uri_encode(value));
        }
        start = end + 1;
    }
    std::sort(pairs.begin(), pairs.end());
    std::string out;
    for (const auto& [name, value] : pairs) {
        if (!out.empty()) out.push_back('&');
        out += name + "=" + value;
    }
    return out;
}

std::string canonical_path(std::string_view raw_path, bool double_encode) {
    if (!double_encode) return std::string(raw_path.empty() ? "/" : raw_path);
    // Other services: normalise (no empty, "." or ".." segments) and encode the sent path again.
    std::vector<std::string_view> segments;
    size_t start = 0;
    while (start < raw_path.size()) {
        size_t end = raw_path.find('/', start);
        if (end == std::string_view::npos) end = raw_path.size();
        const std::string_view segment = raw_path.substr(start, end - start);
        if (segment == "..") {
            if (!segments.empty()) segments.pop_back();
        } else if (!segment.empty() && segment != ".") {
            segments.push_back(segment);
        }
        start = end + 1;
    }
    std::string normalised = "/";
    for (size_t i = 0; i < segments.size(); ++i) {
        if (i > 0) normalised.push_back('/');
        normalised += segments[i];
    }
    if (!segments.empty() && raw_path.size() > 1 && raw_path.back() == '/') normalised.push_back('/');
    return aws_uri_encode(normalised, true);
}

std::string canonical_request(const http::Request& request, const SigningParams& params,
                              std::string& signed_headers_out, const std::string& payload_hash) {
    const SplitUrl url = split_url(request.url);
    std::map<std::string, std::vector<std::string>> headers;
    headers["host"].push_back(url.authority);
    for (const auto& h : request.headers) {
        std::string name = h.name;
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (name == "host" || unsignable(name)) continue;
        headers[name].push_back(canonical_header_value(h.value));
    }
    std::string canonical_headers;
    signed_headers_out.clear();
    for (const auto& [name, values] : headers) {
        canonical_headers += name + ":";
        for (size_t i = 0; i < values.size(); ++i) canonical_headers += (i ? "," : "") + values[i];
        canonical_headers += "\n";
        if (!signed_headers_out.empty()) signed_headers_out.push_back(';');
        signed_headers_out += name;
    }
    return request.method + "\n" + canonical_path(url.path, params.double_encode_path) + "\n" +
           canonical_query(url.query) + "\n" + canonical_headers + "\n" + signed_headers_out + "\n" +
           payload_hash;
}

void sign_request(http::Request& request, const Credentials& credentials, const SigningParams& params) {
    if (credentials.access_key_id.empty() || credentials.secret_access_key.empty())
        throw std::invalid_argument("cannot sign without an access key id and a secret access key");
    const std::string date_time = amz_date(params.when);
    const std::string date = date_time.substr(0, 8);
    const std::string payload_hash = params.payload_hash ? *params.payload_hash : sha256_hex(request.body);

    for (const char* name : {"Authorization", "x-amz-date", "x-amz-security-token"})
        http::remove_header(request.headers, name);
    http::set_header(request.headers, "x-amz-date", date_time);
    if (params.add_content_sha256_header)
        http::set_header(request.headers, "x-amz-content-sha256", payload_hash);
    if (!credentials.session_token.empty())
        http::set_header(request.headers, "x-amz-security-token", credentials.session_token);

    std::string signed_headers;
    const std::string canonical = canonical_request(request, params, signed_headers, payload_hash);
    const std::string scope = date + "/" + params.region + "/" + params.service + "/aws4_request";
    const std::string to_sign =
        "AWS4-HMAC-SHA256\n" + date_time + "\n" + scope + "\n" + sha256_hex(canonical);

    std::string key = hmac_sha256("AWS4" + credentials.secret_access_key, date);
    key = hmac_sha256(key, params.region);
    key = hmac_sha256(key, params.service);
    key = hmac_sha256(key, "aws4_request");
    const std::string signature = hmac_sha256(key, to_sign);

    request.headers.push_back(
        {"Authorization",
         "AWS4-HMAC-SHA256 Credential=" + credentials.access_key_id + "/" + scope +
             ", SignedHeaders=" + signed_headers + ", Signature=" +
             hex(reinterpret_cast<const unsigned char*>(signature.data()), signature.size())});
}

}  // namespace hypersdk::aws
