// The small URL pieces the Azure client needs: percent-encoding for forms and
// paths, query parameters, and the origin check that keeps a bearer token on
// the endpoint it belongs to.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hypersdk::azure {

// RFC 3986 unreserved characters kept, everything else %XX.
std::string percent_encode(std::string_view text);

// The value of query parameter `name` of `url` (still percent-encoded), if present.
std::optional<std::string> query_parameter(std::string_view url, std::string_view name);

// `url` with `name=value` appended to its query (value percent-encoded).
std::string with_query_parameter(const std::string& url, const std::string& name, const std::string& value);

// True when `url` is `origin` itself or lies below it ("https://host:port/...");
// the comparison of scheme and host ignores case.
bool same_origin(std::string_view url, std::string_view origin);

// "https://host/path" without query and fragment: what messages may show of a URL.
std::string without_query(std::string_view url);

}  // namespace hypersdk::azure
