// One AWS service endpoint (EC2, EBS or S3) as the client talks to it:
// every request signed with SigV4 (sigv4.hpp), sent through the shared
// transport (hypersdk_http) with AWS's throttling codes added to its retry
// classifier, and every failure turned into one aws::Error line.
#pragma once

#include <hypersdk/http/client.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "config.hpp"
#include "errors.hpp"
#include "sigv4.hpp"

namespace hypersdk::aws {

// The time requests are signed with; tests give their own.
using WallClock = std::function<std::chrono::system_clock::time_point()>;

// How the client reaches AWS, shared by every service of one session.
struct Transport {
    http::LogFn log;  // null: silent
    http::LogLevel log_level = http::LogLevel::debug;
    http::RetryPolicy retry;             // the shared transport's defaults
    std::shared_ptr<http::Clock> clock;  // null: the system's (retry waits)
    WallClock wall_clock;                // null: system_clock::now
    bool allow_http = false;             // never for real endpoints
};

// Retries AWS's throttling answers (RequestLimitExceeded, ThrottlingException,
// SlowDown, ... whatever the status), then what default_classifier retries.
http::Verdict aws_classifier(const http::Attempt& attempt);
// For requests that must not run twice (CreateSnapshots): only throttling
// and requests that never reached AWS are retried.
http::Verdict aws_throttling_only_classifier(const http::Attempt& attempt);

class Service {
public:
    // `service`: the SigV4 service name ("ec2", "ebs", "s3"); `endpoint`: "https://host[:port]".
    Service(std::string service, std::string endpoint, const Config& config, const Transport& transport,
            bool throttling_only = false);

    const std::string& endpoint() const { return endpoint_; }
    http::Client& client() { return *client_; }

    // Signs `request` now (its URL must be under endpoint()).
    void sign(http::Request& request, const std::optional<std::string>& payload_hash = std::nullopt) const;

    // Signs, sends (retrying per policy) and returns a 2xx answer; throws
    // Error naming `operation` ("ec2:DescribeInstances") otherwise.
    http::Response send(http::Request request, const std::string& operation);

private:
    std::string service_;
    std::string endpoint_;
    Credentials credentials_;
    std::string region_;
    WallClock wall_clock_;
    std::unique_ptr<http::Client> client_;
};

}  // namespace hypersdk::aws
