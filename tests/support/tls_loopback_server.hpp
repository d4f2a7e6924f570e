// An HTTPS/1.1 server on 127.0.0.1 for tests, with a throwaway self-signed
// certificate (test_certificate.hpp): requests are parsed here (method,
// target, headers, a Content-Length body) and answered by the test's
// handler, which writes raw bytes to the connection, so it can also answer
// wrongly (cut a body short, stall, lie in its headers). A handshake filter
// can close a new connection in the middle of the TLS handshake.
//
// Every wait is bounded: accept and I/O poll in 100 ms steps, a kept-alive
// connection idle for 10 s is closed, a write that makes no progress for 5 s
// fails, the acceptor gives up after `lifetime`, and the destructor stops
// and joins everything.
#pragma once

#include <openssl/ssl.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "temp_dir.hpp"
#include "test_certificate.hpp"

namespace hypersdk::test {

struct HttpRequest {
    std::string method;  // "GET"
    std::string target;  // "/path?query"
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    // The value of the first header called `name` (any case).
    std::optional<std::string> header(std::string_view name) const;
    std::string path() const { return target.substr(0, target.find('?')); }
};

// One accepted connection, as the handler sees it.
class HttpConnection {
public:
    HttpConnection(SSL_CTX* ctx, int fd, const std::atomic<bool>& stop);
    ~HttpConnection();
    HttpConnection(const HttpConnection&) = delete;
    HttpConnection& operator=(const HttpConnection&) = delete;

    // false when the peer went away, made no progress for 5 s, or the server stops.
    bool write_all(std::string_view data);
    // Waits `duration` without sending (bounded by the server stopping).
    void stall(std::chrono::milliseconds duration);
    // Close without a TLS close_notify (a connection that breaks).
    void abort() { abort_ = true; }

    bool handshake();
    // Reads the first bytes of the client's hello and closes: a handshake cut short.
    void cut_handshake();
    bool read_request(HttpRequest& request);

private:
    bool fill(std::chrono::steady_clock::time_point deadline);
    template <class Op>
    int io(Op op, std::chrono::steady_clock::time_point deadline);

    int fd_;
    const std::atomic<bool>& stop_;
    SSL* ssl_ = nullptr;
    std::string buffer_;
    bool abort_ = false;
};

class TlsLoopbackServer {
public:
    // Answer `request` on `connection`; return false to close the connection afterwards.
    using Handler = std::function<bool(const HttpRequest& request, HttpConnection& connection)>;
    // Called for each new connection before its handshake; false cuts the handshake short.
    using HandshakeFilter = std::function<bool()>;

    struct Options {
        std::string common_name = "hypersdk test server";
        HandshakeFilter handshake_filter;
        std::chrono::seconds lifetime{300};
        size_t max_request_bytes = 1u << 20;
    };

    explicit TlsLoopbackServer(Handler handler) : TlsLoopbackServer(std::move(handler), Options()) {}
    TlsLoopbackServer(Handler handler, Options options);
    ~TlsLoopbackServer();
    TlsLoopbackServer(const TlsLoopbackServer&) = delete;
    TlsLoopbackServer& operator=(const TlsLoopbackServer&) = delete;

    const std::string& base_url() const { return base_url_; }  // https://127.0.0.1:PORT
    uint16_t port() const { return port_; }
    const TestCertificate& certificate() const { return certificate_; }
    std::string ca_file() const { return certificate_.cert_pem.string(); }
    size_t connections_accepted() const { return accepted_.load(); }

private:
    struct Worker {
        std::thread thread;
        std::atomic<bool> done{false};
    };
    void accept_loop();
    void serve(int fd);
    void reap(bool all);

    Handler handler_;
    Options options_;
    TempDir dir_;
    TestCertificate certificate_;
    std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx_{nullptr, SSL_CTX_free};
    int listen_fd_ = -1;
    uint16_t port_ = 0;
    std::string base_url_;
    std::atomic<bool> stop_{false};
    std::atomic<size_t> accepted_{0};
    std::thread acceptor_;
    std::list<Worker> workers_;  // touched by the acceptor only, then by the destructor
};

}  // namespace hypersdk::test
