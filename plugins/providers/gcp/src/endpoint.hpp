// Endpoints of Google's APIs as the client accepts them: https, or plain http
// only on loopback (test peers, emulators). Private endpoints are https URLs.
#pragma once

#include <string>

namespace hypersdk::gcp {

// Throws Error(config) naming `what` unless `url` is https://HOST[...] or
// http://127.0.0.1|[::1]|localhost[...].
void check_endpoint(const std::string& url, const std::string& what);

// "https://host/base/" -> "https://host/base" (no trailing slash).
std::string trim_endpoint(std::string url);

// True for http:// URLs (allowed only on loopback by check_endpoint).
bool is_plain_http(const std::string& url);

// STORAGE_EMULATOR_HOST as Google's Node library reads it: a bare host:port
// gets https:// (our transport never sends a token over plain http off loopback).
std::string storage_endpoint_from_emulator_host(const std::string& value);

// Percent-encodes an object name for a path segment (RFC 3986 unreserved kept).
std::string url_encode(const std::string& text);

}  // namespace hypersdk::gcp
