// The one place that decides what of a request may be shown. Every log
// line, error message and trace dump of the transport goes through redact();
// providers use it for anything of theirs that may hold a URL, a header or a
// token response.
//
// Masked (the value becomes "REDACTED", the name stays so the text still
// says what was there):
//   - header lines "Name: value" of credential headers: Authorization,
//     Proxy-Authorization, Cookie, Set-Cookie, x-amz-security-token,
//     x-ms-* headers that carry keys, tokens or signatures
//     (x-ms-encryption-key, x-ms-copy-source-authorization, ...), and any
//     header whose name says secret, token, password, signature, credential
//     or api-key;
//   - "Bearer <token>" anywhere;
//   - URL userinfo ("https://user:pw@host" -> "https://REDACTED@host");
//   - query or form parameters that are credentials: Azure SAS (sig, se, sp,
//     st, skoid, sktid, skt, ske, sks, skv, saoid, suoid, scid, sip, si),
//     signed URLs (X-Amz-Signature, X-Amz-Credential, X-Amz-Security-Token,
//     X-Goog-Signature, X-Goog-Credential, Signature, Expires' companions),
//     OAuth (access_token, refresh_token, id_token, client_secret, assertion,
//     code, password), wherever "name=value" follows '?', '&', ';', space or
//     the start of the text;
//   - JSON members "access_token", "refresh_token", "id_token",
//     "client_secret", "private_key", "password", "secret", "token",
//     "SessionToken", "SecretAccessKey" with string values.
#pragma once

#include <string>
#include <string_view>

namespace hypersdk::http {

inline constexpr std::string_view kRedacted = "REDACTED";

std::string redact(std::string_view text);

// True for header names whose values redact() masks.
bool is_secret_header(std::string_view name);
// True for query/form parameter names whose values redact() masks.
bool is_secret_parameter(std::string_view name);

}  // namespace hypersdk::http
