#include "errors.hpp"

#include <hypersdk/http/redact.hpp>
#include <hypersdk/manifest/json_limits.hpp>
#include <hypersdk/xml/xml_limits.hpp>

#include <algorithm>
#include <pugixml.hpp>

namespace hypersdk::aws {

namespace {

// Error bodies are small; anything larger is not one.
constexpr xml::XmlLimits kErrorXmlLimits{1u << 20, 10000, 16};

std::string one_line(std::string text) {
    std::replace_if(
        text.begin(), text.end(), [](char c) { return c == '\n' || c == '\r' || c == '\t'; }, ' ');
    if (text.size() > 500) text = text.substr(0, 500) + "...";
    return text;
}

std::optional<ServiceError> decode_xml(const std::string& body) {
    pugi::xml_document doc;
    if (!xml::parse_xml_limited(doc, body, kErrorXmlLimits).empty()) return std::nullopt;
    // EC2: Response/Errors/Error; S3 and STS-style: Error or ErrorResponse/Error.
    for (const char* path : {"/Response/Errors/Error", "/Error", "/ErrorResponse/Error"}) {
        const pugi::xml_node error = doc.select_node(path).node();
        if (!error) continue;
        ServiceError e{error.child_value("Code"), error.child_value("Message")};
        if (!e.code.empty()) return e;
    }
    return std::nullopt;
}

std::optional<ServiceError> decode_json(const http::Headers& headers, const std::string& body) {
    ServiceError e;
    // "ValidationException:http://internal.amazon.com/..." -> "ValidationException".
    if (auto type = http::find_header(headers, "x-amzn-ErrorType")) e.code = type->substr(0, type->find(':'));
    try {
        const auto doc = manifest::parse_json_limited(body, "the AWS error body", {1u << 20, 16});
        if (doc.IsObject()) {
            for (const char* key : {"message", "Message"})
                if (doc.HasMember(key) && doc[key].IsString()) e.message = doc[key].GetString();
            if (e.code.empty() && doc.HasMember("__type") && doc["__type"].IsString()) {
                const std::string type = doc["__type"].GetString();
                e.code = type.substr(type.find('#') == std::string::npos ? 0 : type.find('#') + 1);
            }
            if (doc.HasMember("Reason") && doc["Reason"].IsString() && !e.message.empty())
                e.message += std::string(" (reason: ") + doc["Reason"].GetString() + ")";
        }
    } catch (const manifest::JsonInputError&) {
    }
    if (e.code.empty() && e.message.empty()) return std::nullopt;
    return e;
}

ErrorKind kind_for(const std::string& code, long status) {
    static const char* const credential_codes[] = {"SignatureDoesNotMatch",
                                                   "InvalidClientTokenId",
                                                   "AuthFailure",
                                                   "IncompleteSignature",
                                                   "InvalidAccessKeyId",
                                                   "ExpiredToken",
                                                   "ExpiredTokenException",
                                                   "UnrecognizedClientException",
                                                   "InvalidSignatureException",
                                                   "MissingAuthenticationToken",
                                                   "RequestExpired",
                                                   "InvalidToken"};
    static const char* const permission_codes[] = {"UnauthorizedOperation", "AccessDenied",
                                                   "AccessDeniedException", "OptInRequired", "Blocked"};
    static const char* const state_codes[] = {"IncorrectInstanceState", "IncorrectState", "ConflictException",
                                              "InvalidSnapshot.InUse", "InvalidExportTaskID.NotCancellable"};
    auto in = [&](const auto& list) {
        return std::find(std::begin(list), std::end(list), code) != std::end(list);
    };
    if (in(credential_codes)) return ErrorKind::credentials;
    if (in(permission_codes)) return ErrorKind::permission;
    if (in(state_codes)) return ErrorKind::invalid_state;
    if (code.find("NotFound") != std::string::npos || code == "NoSuchKey" || code == "NoSuchBucket" ||
        code == "ResourceNotFoundException" || code.find(".Malformed") != std::string::npos)
        return code.find(".Malformed") != std::string::npos ? ErrorKind::config : ErrorKind::not_found;
    if (code.empty()) {
        if (status == 401) return ErrorKind::credentials;
        if (status == 403) return ErrorKind::permission;
        if (status == 404) return ErrorKind::not_found;
    }
    return ErrorKind::service;
}

}  // namespace

bool is_throttling_code(const std::string& code) {
    static const char* const codes[] = {"RequestLimitExceeded",
                                        "Throttling",
                                        "ThrottlingException",
                                        "ThrottledException",
                                        "RequestThrottled",
                                        "SlowDown",
                                        "TooManyRequestsException",
                                        "RequestThrottledException",
                                        "ProvisionedThroughputExceededException",
                                        "EC2ThrottledException",
                                        "BandwidthLimitExceeded",
                                        "PriorRequestNotComplete"};
    return std::find(std::begin(codes), std::end(codes), code) != std::end(codes);
}

std::optional<ServiceError> decode_error_body(const http::Headers& headers, const std::string& body) {
    const std::string_view trimmed = http::trim(body);
    if (!trimmed.empty() && trimmed.front() == '<') return decode_xml(body);
    return decode_json(headers, body);
}

Error error_from_answer(const std::string& operation, long status, const http::Headers& headers,
                        const std::string& body) {
    const auto decoded = decode_error_body(headers, body);
    const std::string code = decoded ? decoded->code : std::string();
    const ErrorKind kind = kind_for(code, status);
    std::string message;
    if (decoded && !code.empty()) {
        message = code + ": " + (decoded->message.empty() ? "(no message)" : decoded->message);
    } else if (decoded) {
        message = "HTTP " + std::to_string(status) + ": " + decoded->message;
    } else {
        message = "HTTP " + std::to_string(status) + " without an AWS error body";
    }
    message = one_line(http::redact(message)) + " (" + operation + ")";
    if (kind == ErrorKind::credentials)
        message +=
            "; AWS refused the credentials: check the access key id and the secret access key "
            "(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY or the profile's keys), the session token if "
            "they are temporary, and the machine's clock";
    else if (kind == ErrorKind::permission)
        message +=
            "; the credentials are valid but lack this permission: grant " + operation + " to them in IAM";
    return Error(kind, message, code);
}

Error error_from_transport(const std::string& operation, const http::Error& error) {
    ErrorKind kind = ErrorKind::network;
    switch (error.kind()) {
        case http::ErrorKind::config:
            kind = ErrorKind::config;
            break;
        case http::ErrorKind::timeout:
            kind = ErrorKind::timeout;
            break;
        case http::ErrorKind::cancelled:
            kind = ErrorKind::cancelled;
            break;
        case http::ErrorKind::integrity:
            kind = ErrorKind::integrity;
            break;
        default:
            break;
    }
    return Error(kind, std::string(error.what()) + " (" + operation + ")");
}

}  // namespace hypersdk::aws
