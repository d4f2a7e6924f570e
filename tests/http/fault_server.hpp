// A loopback HTTPS object server that misbehaves on request, for the
// transport's tests: objects are served with Range (206, Content-Range,
// 416), each answer carries x-test-sha256 (the SHA-256 of the bytes it
// should contain, as a cloud sends a block checksum), and faults apply to
// the next matching requests:
//   status           answer STATUS with HEADERS (429/503 + Retry-After, ...)
//   drop_after       send the headers and BYTES of the body, then reset the connection
//   truncate_clean   no Content-Length, BYTES of the body, then a clean close
//   ignore_range     answer 200 with the whole object to a Range request
//   corrupt          flip the first body byte (x-test-sha256 stays right)
//   stall            send BYTES of the body, then nothing for STALL, then reset
//   handshake_close  cut the TLS handshake of the next connection(s)
// Built on the tests' TlsLoopbackServer; 127.0.0.1 only; bounded waits.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tls_loopback_server.hpp"

namespace hypersdk::test {

struct Fault {
    enum class Kind { status, drop_after, truncate_clean, ignore_range, corrupt, stall, handshake_close };
    Kind kind = Kind::status;
    int times = 1;  // requests (connections for handshake_close) it applies to
    long status = 503;
    std::vector<std::pair<std::string, std::string>> headers{};  // with `status`
    uint64_t bytes = 0;                                          // body bytes sent before breaking
    std::chrono::milliseconds stall{0};
    std::optional<uint64_t> range_start{};  // only requests whose Range starts here
    std::string method{};                   // only this method ("": any)
};

struct RecordedRequest {
    std::string method;
    std::string target;
    std::optional<std::string> range;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::chrono::steady_clock::time_point at;
    std::string fault;  // the fault applied ("" none)
};

class FaultServer {
public:
    FaultServer();
    ~FaultServer();

    // GET/HEAD serve `bytes` at `path`; PUT/POST to any path store the body (201).
    void put(const std::string& path, std::string bytes);
    void add(Fault fault);
    // Called for each request before it is answered (from a server thread).
    void on_request(std::function<void(const RecordedRequest&)> hook);

    std::string url(const std::string& path) const { return server_->base_url() + path; }
    std::string ca_file() const { return server_->ca_file(); }
    const TestCertificate& certificate() const { return server_->certificate(); }
    size_t connections() const { return server_->connections_accepted(); }

    std::vector<RecordedRequest> requests() const;
    size_t cut_handshakes() const;
    int faults_left() const;

private:
    bool answer(const HttpRequest& request, HttpConnection& connection);
    std::optional<Fault> take_fault(const HttpRequest& request, std::optional<uint64_t> range_start);
    bool cut_next_handshake();

    mutable std::mutex mutex_;
    std::map<std::string, std::string> objects_;
    std::vector<Fault> faults_;
    std::vector<RecordedRequest> requests_;
    std::function<void(const RecordedRequest&)> hook_;
    size_t cut_handshakes_ = 0;
    std::unique_ptr<TlsLoopbackServer> server_;  // last: its threads use the state above
};

// SHA-256 of bytes, lower-case hex.
std::string sha256_hex(std::string_view bytes);

}  // namespace hypersdk::test
