// The AWS client's one exception: what went wrong (kind, for the plugin's
// status), AWS's error code when the service gave one, and a one-line
// message that names the operation ("UnauthorizedOperation: You are not
// authorized to perform this operation. (ec2:CreateSnapshots)"). Messages
// never hold a secret: bodies are decoded to their code and message only.
#pragma once

#include <hypersdk/http/error.hpp>
#include <hypersdk/http/headers.hpp>

#include <optional>
#include <stdexcept>
#include <string>

namespace hypersdk::aws {

enum class ErrorKind {
    config,         // a missing or bad setting (region, credentials, bucket)
    credentials,    // AWS refused who we are: bad key, bad signature, expired token
    permission,     // AWS knows us but refuses the action (UnauthorizedOperation, AccessDenied)
    not_found,      // no such instance, snapshot, object
    invalid_state,  // the resource cannot do that now (IncorrectInstanceState, snapshot in error)
    service,        // any other answer AWS gave
    network,        // connect, TLS, broken connection, unusable answer
    integrity,      // data kept failing its checksum
    timeout,
    cancelled,
};

class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, const std::string& message, std::string code = {})
        : std::runtime_error(message), kind_(kind), code_(std::move(code)) {}
    ErrorKind kind() const noexcept { return kind_; }
    const std::string& code() const noexcept { return code_; }  // "UnauthorizedOperation", "" if none

private:
    ErrorKind kind_;
    std::string code_;
};

// An error body as AWS services send them: EC2's Query XML
// (<Response><Errors><Error><Code>..), S3's XML (<Error><Code>..), EBS's JSON
// ({"message": ..} with the code in x-amzn-ErrorType or "__type").
struct ServiceError {
    std::string code;
    std::string message;
};
std::optional<ServiceError> decode_error_body(const http::Headers& headers, const std::string& body);

// The Error for a non-2xx answer to `operation` ("ec2:CreateSnapshots").
Error error_from_answer(const std::string& operation, long status, const http::Headers& headers,
                        const std::string& body);

// The Error for a transport failure of `operation`.
Error error_from_transport(const std::string& operation, const http::Error& error);

// Whether an AWS error code means "slow down" (retried by the transport).
bool is_throttling_code(const std::string& code);

}  // namespace hypersdk::aws
