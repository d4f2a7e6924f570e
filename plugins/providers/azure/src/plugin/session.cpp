#include "session.hpp"

#include <hypersdk/http/host_log.hpp>

namespace hypersdk::azure::plugin {
namespace {

http::ClientOptions client_options(const Config& c) {
    http::ClientOptions o;
    o.tls.ca_file = c.ca_file;
    o.connect_timeout = c.connect_timeout;
    o.stall_timeout = c.stall_timeout;
    o.log = http::host_log();  // retries at debug, header dumps at trace; all redacted
    return o;
}

}  // namespace

Session::Session(PluginConfig config)
    : config_(std::move(config)),
      auth_client_(client_options(config_.azure)),
      arm_client_(client_options(config_.azure)),
      tokens_(config_.azure, auth_client_),
      arm_(config_.azure, arm_client_, tokens_),
      compute_(arm_) {}

void Session::sign_in() {
    if (uses_arm()) tokens_.authorization();
}

http::ClientOptions Session::blob_client_options() const {
    return client_options(config_.azure);
}

LroOptions Session::lro(const std::string& what) const {
    LroOptions o;
    o.timeout = std::chrono::seconds(config_.operation_timeout_seconds);
    o.what = what;
    return o;
}

}  // namespace hypersdk::azure::plugin
