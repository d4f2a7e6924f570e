#include "hypersdk/http/redact.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>
#include <vector>

#include "hypersdk/http/headers.hpp"

namespace hypersdk::http {
namespace {

using Span = std::pair<size_t, size_t>;  // [begin, end) of the input to mask

std::string lowered(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool is_token_char(char c) {  // RFC 9110 tchar
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_name_char(char c) {  // parameter and JSON member names
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
}

// Credential headers that are masked wherever "Name:" appears, not only at
// the start of a line.
constexpr std::array kAlwaysSecretHeaders = {"authorization", "proxy-authorization", "cookie", "set-cookie",
                                             "x-amz-security-token"};

constexpr std::array kSecretParameters = {
    // Azure SAS (signature, validity, permissions, delegation key)
    "sig", "se", "st", "sp", "si", "sip", "skoid", "sktid", "skt", "ske", "sks", "skv", "saoid", "suoid",
    "scid",
    // signed URLs
    "x-amz-signature", "x-amz-credential", "x-amz-security-token", "x-goog-signature", "x-goog-credential",
    "signature",
    // OAuth and friends
    "access_token", "refresh_token", "id_token", "client_secret", "client_assertion", "assertion", "code",
    "password", "token", "key", "api_key", "apikey"};

constexpr std::array kSecretJsonMembers = {
    "access_token",    "refresh_token", "id_token",         "client_secret", "client_assertion",
    "private_key",     "password",      "secret",           "token",         "sessiontoken",
    "secretaccesskey", "session_token", "secret_access_key"};

template <size_t N>
bool in(const std::array<const char*, N>& list, std::string_view lower_name) {
    return std::any_of(list.begin(), list.end(), [&](const char* s) { return lower_name == s; });
}

// Header lines: "Name: value" at the start of a line (after blanks or the
// '>' '<' '*' marks of a trace dump), or an always-secret name anywhere.
void header_spans(std::string_view text, std::vector<Span>& spans) {
    for (size_t i = 0; i < text.size();) {
        if (!is_token_char(text[i]) || (i > 0 && is_token_char(text[i - 1]))) {
            ++i;
            continue;
        }
        size_t end = i;
        while (end < text.size() && is_token_char(text[end])) ++end;
        size_t colon = end;
        while (colon < text.size() && (text[colon] == ' ' || text[colon] == '\t')) ++colon;
        if (colon >= text.size() || text[colon] != ':' || end == i) {
            i = end;
            continue;
        }
        size_t line_start = i;
        while (line_start > 0 &&
               std::string_view(" \t><*").find(text[line_start - 1]) != std::string_view::npos)
            --line_start;
        const bool at_line_start =
            line_start == 0 || text[line_start - 1] == '\n' || text[line_start - 1] == '\r';
        const std::string name = lowered(text.substr(i, end - i));
        const bool secret = in(kAlwaysSecretHeaders, name) || (at_line_start && is_secret_header(name));
        if (!secret) {
            i = end;
            continue;
        }
        size_t value = colon + 1;
        while (value < text.size() && (text[value] == ' ' || text[value] == '\t')) ++value;
        size_t value_end = text.find_first_of("\r\n", value);
        if (value_end == std::string_view::npos) value_end = text.size();
        if (value_end > value) spans.emplace_back(value, value_end);
        i = value_end;
    }
}

// "Bearer <token>" anywhere.
void bearer_spans(std::string_view text, std::vector<Span>& spans) {
    const std::string lower = lowered(text);
    for (size_t at = lower.find("bearer"); at != std::string::npos; at = lower.find("bearer", at + 6)) {
        if (at > 0 && std::isalnum(static_cast<unsigned char>(text[at - 1]))) continue;
        size_t token = at + 6;
        if (token >= text.size() || (text[token] != ' ' && text[token] != '\t')) continue;
        while (token < text.size() && (text[token] == ' ' || text[token] == '\t')) ++token;
        size_t end = token;
        while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) ||
                                     std::string_view("-._~+/=").find(text[end]) != std::string_view::npos))
            ++end;
        if (end > token) spans.emplace_back(token, end);
    }
}

// "scheme://user:password@host" -> the userinfo.
void userinfo_spans(std::string_view text, std::vector<Span>& spans) {
    for (size_t at = text.find("://"); at != std::string_view::npos; at = text.find("://", at + 3)) {
        const size_t start = at + 3;
        size_t end = start;
        while (end < text.size() &&
               std::string_view("/?# \t\r\n\"'<>").find(text[end]) == std::string_view::npos)
            ++end;
        const size_t user_end = text.substr(start, end - start).rfind('@');
        if (user_end != std::string_view::npos && user_end > 0) spans.emplace_back(start, start + user_end);
    }
}

// name=value after '?', '&', ';', a blank, or at the start.
void parameter_spans(std::string_view text, std::vector<Span>& spans) {
    for (size_t i = 0; i < text.size(); ++i) {
        if (i > 0 && std::string_view("?&; \t\r\n,(\"'").find(text[i - 1]) == std::string_view::npos)
            continue;
        size_t end = i;
        while (end < text.size() && is_name_char(text[end])) ++end;
        if (end == i || end >= text.size() || text[end] != '=') continue;
        if (!is_secret_parameter(text.substr(i, end - i))) continue;
        size_t value_end = end + 1;
        // A value ends at a separator, or at a ':' that ends a phrase ("...sig=X: HTTP 403").
        while (value_end < text.size() &&
               std::string_view("&#; \t\r\n\"'<>),").find(text[value_end]) == std::string_view::npos &&
               !(text[value_end] == ':' && (value_end + 1 == text.size() ||
                                            std::isspace(static_cast<unsigned char>(text[value_end + 1])))))
            ++value_end;
        if (value_end > end + 1) spans.emplace_back(end + 1, value_end);
        i = value_end > i ? value_end - 1 : i;
    }
}

// "name" : "value" for secret JSON members.
void json_spans(std::string_view text, std::vector<Span>& spans) {
    for (size_t q = text.find('"'); q != std::string_view::npos; q = text.find('"', q + 1)) {
        size_t name_end = q + 1;
        while (name_end < text.size() && is_name_char(text[name_end])) ++name_end;
        if (name_end >= text.size() || text[name_end] != '"') continue;
        if (!in(kSecretJsonMembers, lowered(text.substr(q + 1, name_end - q - 1)))) {
            q = name_end - 1 > q ? name_end - 1 : q;
            continue;
        }
        size_t colon = name_end + 1;
        while (colon < text.size() && std::isspace(static_cast<unsigned char>(text[colon]))) ++colon;
        if (colon >= text.size() || text[colon] != ':') continue;
        size_t open = colon + 1;
        while (open < text.size() && std::isspace(static_cast<unsigned char>(text[open]))) ++open;
        if (open >= text.size() || text[open] != '"') continue;
        size_t close = open + 1;
        while (close < text.size() && text[close] != '"') close += text[close] == '\\' ? 2 : 1;
        spans.emplace_back(open + 1, std::min(close, text.size()));
        q = std::min(close, text.size() - 1);
    }
}

}  // namespace

bool is_secret_header(std::string_view name) {
    const std::string n = lowered(name);
    if (in(kAlwaysSecretHeaders, n)) return true;
    for (const char* word : {"authorization", "cookie", "token", "secret", "password", "signature",
                             "credential", "key", "session"})
        if (n.find(word) != std::string::npos) return true;
    return false;
}

bool is_secret_parameter(std::string_view name) {
    return in(kSecretParameters, lowered(name));
}

std::string redact(std::string_view text) {
    std::vector<Span> spans;
    header_spans(text, spans);
    bearer_spans(text, spans);
    userinfo_spans(text, spans);
    parameter_spans(text, spans);
    json_spans(text, spans);
    if (spans.empty()) return std::string(text);
    std::sort(spans.begin(), spans.end());
    std::string out;
    out.reserve(text.size());
    size_t at = 0;
    for (size_t i = 0; i < spans.size();) {
        size_t begin = spans[i].first, end = spans[i].second;
        for (++i; i < spans.size() && spans[i].first <= end; ++i) end = std::max(end, spans[i].second);
        if (begin < at) begin = at;
        out.append(text.substr(at, begin - at));
        out.append(kRedacted);
        at = std::max(at, end);
    }
    out.append(text.substr(at));
    return out;
}

}  // namespace hypersdk::http
