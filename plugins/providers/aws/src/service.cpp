#include "service.hpp"

namespace hypersdk::aws {

namespace {

bool throttled(const http::Attempt& attempt) {
    if (attempt.status == 0 || attempt.body == nullptr || attempt.headers == nullptr) return false;
    const auto decoded = decode_error_body(*attempt.headers, *attempt.body);
    return decoded && is_throttling_code(decoded->code);
}

}  // namespace

http::Verdict aws_classifier(const http::Attempt& attempt) {
    if (throttled(attempt))
        return {true, "AWS throttling (" + decode_error_body(*attempt.headers, *attempt.body)->code + ")"};
    return http::default_classifier(attempt);
}

http::Verdict aws_throttling_only_classifier(const http::Attempt& attempt) {
    if (throttled(attempt)) return aws_classifier(attempt);
    if (attempt.status == 0 && !attempt.request_may_have_reached_server)
        return http::default_classifier(attempt);
    return {false, "not retried: the request may have been carried out"};
}

Service::Service(std::string service, std::string endpoint, const Config& config, const Transport& transport,
                 bool throttling_only)
    : service_(std::move(service)),
      endpoint_(std::move(endpoint)),
      credentials_(config.credentials),
      region_(config.region),
      wall_clock_(transport.wall_clock ? transport.wall_clock
                                       : [] { return std::chrono::system_clock::now(); }) {
    http::ClientOptions o;
    o.tls.ca_file = config.ca_bundle;
    o.log = transport.log;
    o.log_level = transport.log_level;
    o.retry = transport.retry;
    o.clock = transport.clock;
    o.allow_http = transport.allow_http;
    o.user_agent = "hypersdk/1 aws";
    o.classifier = throttling_only ? aws_throttling_only_classifier : aws_classifier;
    try {
        client_ = std::make_unique<http::Client>(std::move(o));
    } catch (const http::Error& e) {
        throw error_from_transport(service_ + " client", e);
    }
}

void Service::sign(http::Request& request, const std::optional<std::string>& payload_hash) const {
    SigningParams p;
    p.region = region_;
    p.service = service_;
    p.when = wall_clock_();
    p.payload_hash = payload_hash;
    p.double_encode_path = service_ != "s3";
    try {
        sign_request(request, credentials_, p);
    } catch (const std::invalid_argument& e) {
        throw Error(ErrorKind::config, std::string("cannot sign the request: ") + e.what());
    }
}

http::Response Service::send(http::Request request, const std::string& operation) {
    if (request.description.empty()) request.description = operation;
    sign(request);
    http::Response answer;
    try {
        answer = client_->send(std::move(request));
    } catch (const http::Error& e) {
        throw error_from_transport(operation, e);
    }
    if (!answer.ok()) throw error_from_answer(operation, answer.status, answer.headers, answer.body);
    return answer;
}

}  // namespace hypersdk::aws
