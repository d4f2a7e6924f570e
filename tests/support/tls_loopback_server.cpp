#include "tls_loopback_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <csignal>
#include <stdexcept>

namespace hypersdk::test {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr int kPollMs = 100;
constexpr auto kIdleLimit = 10s;  // a kept-alive connection with no request
constexpr auto kIoLimit = 5s;     // handshake, rest of a request, a write making no progress
constexpr size_t kMaxConnections = 64;
constexpr size_t kMaxRequestsPerConnection = 100000;

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

}  // namespace

std::optional<std::string> HttpRequest::header(std::string_view name) const {
    for (const auto& [n, v] : headers)
        if (iequals(n, name)) return v;
    return std::nullopt;
}

HttpConnection::HttpConnection(SSL_CTX* ctx, int fd, const std::atomic<bool>& stop) : fd_(fd), stop_(stop) {
    fcntl(fd_, F_SETFL, fcntl(fd_, F_GETFL) | O_NONBLOCK);
    ssl_ = SSL_new(ctx);
    if (ssl_ != nullptr) SSL_set_fd(ssl_, fd_);
}

HttpConnection::~HttpConnection() {
    if (ssl_ != nullptr) {
        // One attempt at a close_notify; never after a failed handshake or an abort.
        if (!abort_ && SSL_is_init_finished(ssl_)) SSL_shutdown(ssl_);
        SSL_free(ssl_);
    }
    if (abort_) {
        // A reset, as a dying server gives: no FIN handshake to wait for.
        linger hard{1, 0};
        setsockopt(fd_, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    }
    close(fd_);
}

bool HttpConnection::handshake() {
    return ssl_ != nullptr && io([&] { return SSL_accept(ssl_); }, Clock::now() + kIoLimit) > 0;
}

void HttpConnection::cut_handshake() {
    // Wait (bounded) for the first bytes of the ClientHello, then hang up.
    pollfd p{fd_, POLLIN, 0};
    const auto deadline = Clock::now() + kIoLimit;
    while (!stop_ && Clock::now() < deadline && poll(&p, 1, kPollMs) == 0) {
    }
    char hello[64];
    [[maybe_unused]] const ssize_t n = ::recv(fd_, hello, sizeof hello, 0);
    abort_ = true;
}

bool HttpConnection::read_request(HttpRequest& request) {
    size_t header_end;
    auto deadline = Clock::now() + kIdleLimit;
    while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
        if (buffer_.size() > (1u << 20) || !fill(deadline)) return false;
        deadline = Clock::now() + kIoLimit;  // a request has begun: the rest comes soon
    }
    const std::string head = buffer_.substr(0, header_end);
    request = HttpRequest();
    size_t at = head.find("\r\n");
    const std::string request_line = head.substr(0, at);
    const auto space1 = request_line.find(' ');
    const auto space2 = request_line.find(' ', space1 + 1);
    if (space1 == std::string::npos || space2 == std::string::npos) return false;
    request.method = request_line.substr(0, space1);
    request.target = request_line.substr(space1 + 1, space2 - space1 - 1);
    size_t length = 0;
    while (at != std::string::npos) {
        const size_t next = head.find("\r\n", at + 2);
        const std::string_view line(head.data() + at + 2,
                                    (next == std::string::npos ? head.size() : next) - at - 2);
        const auto colon = line.find(':');
        if (colon != std::string_view::npos) {
            const std::string_view name = trim(line.substr(0, colon)), value = trim(line.substr(colon + 1));
            request.headers.emplace_back(std::string(name), std::string(value));
            if (iequals(name, "content-length")) {
                const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), length);
                if (error != std::errc() || end != value.data() + value.size()) return false;
            }
            if (iequals(name, "transfer-encoding")) return false;  // chunked uploads: not needed by the tests
        }
        at = next;
    }
    if (length > (64u << 20)) return false;
    while (buffer_.size() < header_end + 4 + length)
        if (!fill(deadline)) return false;
    request.body = buffer_.substr(header_end + 4, length);
    buffer_.erase(0, header_end + 4 + length);
    return true;
}

bool HttpConnection::write_all(std::string_view data) {
    for (size_t done = 0; done < data.size();) {
        const int chunk = static_cast<int>(std::min<size_t>(data.size() - done, 1 << 16));
        const int n = io([&] { return SSL_write(ssl_, data.data() + done, chunk); }, Clock::now() + kIoLimit);
        if (n <= 0) return false;
        done += static_cast<size_t>(n);
    }
    return true;
}

void HttpConnection::stall(std::chrono::milliseconds duration) {
    const auto end = Clock::now() + duration;
    while (!stop_ && Clock::now() < end)
        std::this_thread::sleep_for(std::min<Clock::duration>(end - Clock::now(), 50ms));
}

bool HttpConnection::fill(Clock::time_point deadline) {
    char chunk[16384];
    const int n = io([&] { return SSL_read(ssl_, chunk, sizeof chunk); }, deadline);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
}

template <class Op>
int HttpConnection::io(Op op, Clock::time_point deadline) {
    while (!stop_ && Clock::now() < deadline) {
        ERR_clear_error();
        const int n = op();
        if (n > 0) return n;
        const int error = SSL_get_error(ssl_, n);
        if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) return -1;
        pollfd p{fd_, static_cast<short>(error == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN), 0};
        poll(&p, 1, kPollMs);
    }
    return -1;
}

TlsLoopbackServer::TlsLoopbackServer(Handler handler, Options options)
    : handler_(std::move(handler)), options_(std::move(options)) {
    certificate_ = make_test_certificate(dir_.path(), options_.common_name);
    ctx_.reset(SSL_CTX_new(TLS_server_method()));
    if (!ctx_ || SSL_CTX_set_min_proto_version(ctx_.get(), TLS1_2_VERSION) != 1 ||
        SSL_CTX_use_certificate_file(ctx_.get(), certificate_.cert_pem.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx_.get(), certificate_.key_pem.c_str(), SSL_FILETYPE_PEM) != 1)
        throw std::runtime_error("tls loopback server: cannot set up the TLS context");

    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0) throw std::runtime_error("tls loopback server: socket failed");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // loopback only
    address.sin_port = 0;                              // a free port
    socklen_t size = sizeof address;
    if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        listen(listen_fd_, 64) != 0 ||
        getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
        close(listen_fd_);
        throw std::runtime_error("tls loopback server: cannot listen on 127.0.0.1");
    }
    port_ = ntohs(address.sin_port);
    base_url_ = "https://127.0.0.1:" + std::to_string(port_);
    acceptor_ = std::thread([this] { accept_loop(); });
}

TlsLoopbackServer::~TlsLoopbackServer() {
    stop_ = true;
    if (acceptor_.joinable()) acceptor_.join();
    reap(true);  // each connection notices stop_ within one poll
    close(listen_fd_);
}

void TlsLoopbackServer::reap(bool all) {
    for (auto it = workers_.begin(); it != workers_.end();) {
        if (all || it->done) {
            it->thread.join();
            it = workers_.erase(it);
        } else {
            ++it;
        }
    }
}

void TlsLoopbackServer::accept_loop() {
    const auto end = Clock::now() + options_.lifetime;
    while (!stop_ && Clock::now() < end) {
        reap(false);
        pollfd p{listen_fd_, POLLIN, 0};
        if (poll(&p, 1, kPollMs) <= 0) continue;
        if (workers_.size() >= kMaxConnections) continue;  // the backlog holds it until one ends
        const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;
        ++accepted_;
        auto& worker = workers_.emplace_back();
        worker.thread = std::thread([this, fd, &worker] {
            serve(fd);
            worker.done = true;
        });
    }
}

void TlsLoopbackServer::serve(int fd) {
    // A client that hangs up mid-answer must give EPIPE here, not kill the test
    // with SIGPIPE (OpenSSL writes with write(), not send(MSG_NOSIGNAL)).
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, nullptr);

    HttpConnection connection(ctx_.get(), fd, stop_);
    if (options_.handshake_filter && !options_.handshake_filter()) {
        connection.cut_handshake();
        return;
    }
    if (!connection.handshake()) return;
    HttpRequest request;
    for (size_t n = 0; n < kMaxRequestsPerConnection && !stop_ && connection.read_request(request); ++n) {
        if (!handler_(request, connection)) return;
    }
}

}  // namespace hypersdk::test
