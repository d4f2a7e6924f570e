#include "soap_loopback_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <pugixml.hpp>
#include <stdexcept>
#include <string_view>

#include "soap.hpp"  // xml_escape: the client's own, the server needs the same rules

namespace hypersdk::vsphere::test {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr int kPollMs = 100;
constexpr auto kIdleLimit = 10s;  // a kept-alive connection with no request
constexpr auto kIoLimit = 5s;     // handshake, rest of a request, one response
constexpr auto kLifetime = 300s;  // the acceptor gives up after this, test or not
constexpr size_t kMaxConnections = 64;
constexpr size_t kMaxRequestsPerConnection = 10000;
constexpr size_t kMaxRequestBytes = 1 << 20;

[[noreturn]] void fail(const std::string& what) {
    char detail[256] = "";
    ERR_error_string_n(ERR_get_error(), detail, sizeof detail);
    throw std::runtime_error("soap loopback server: " + what + ": " + detail);
}

std::string random_hex(size_t bytes) {
    std::vector<unsigned char> raw(bytes);
    if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1) fail("RAND_bytes");
    std::string out;
    char pair[3];
    for (unsigned char b : raw) {
        std::snprintf(pair, sizeof pair, "%02x", b);
        out += pair;
    }
    return out;
}

void add_extension(X509* cert, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (ext == nullptr || X509_add_ext(cert, ext, -1) != 1) fail(std::string("extension ") + value);
    X509_EXTENSION_free(ext);
}

// A self-signed P-256 certificate for 127.0.0.1 that is its own CA, so a
// client can trust exactly it through a CA file with full verification.
std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> make_tls(const std::filesystem::path& pem) {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
    if (!key) fail("EVP_EC_gen");
    std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
    if (!cert) fail("X509_new");
    X509_set_version(cert.get(), 2);
    std::unique_ptr<BIGNUM, decltype(&BN_free)> serial(BN_new(), BN_free);
    if (!serial || BN_rand(serial.get(), 63, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
        BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr)
        fail("serial");
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
    X509_set_pubkey(cert.get(), key.get());
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("hypersdk soap loopback"), -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    add_extension(cert.get(), NID_basic_constraints, "critical,CA:TRUE");
    add_extension(cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign");
    add_extension(cert.get(), NID_ext_key_usage, "serverAuth");
    add_extension(cert.get(), NID_subject_alt_name, "IP:127.0.0.1");
    add_extension(cert.get(), NID_subject_key_identifier, "hash");
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) fail("X509_sign");

    std::unique_ptr<FILE, decltype(&std::fclose)> out(std::fopen(pem.c_str(), "w"), std::fclose);
    if (!out || PEM_write_X509(out.get(), cert.get()) != 1) fail("writing " + pem.string());

    std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_server_method()), SSL_CTX_free);
    if (!ctx || SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION) != 1 ||
        SSL_CTX_use_certificate(ctx.get(), cert.get()) != 1 ||
        SSL_CTX_use_PrivateKey(ctx.get(), key.get()) != 1)
        fail("SSL_CTX");
    return ctx;
}

std::string_view local_name(pugi::xml_node node) {
    std::string_view name = node.name();
    const auto colon = name.find(':');
    return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

pugi::xml_node first_element(pugi::xml_node node, std::string_view local = {}) {
    for (auto c : node.children())
        if (c.type() == pugi::node_element && (local.empty() || local_name(c) == local)) return c;
    return {};
}

// Envelope and fault shapes as vcsim writes them.
std::string envelope(const std::string& body) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
           "<soapenv:Envelope xmlns:soapenc=\"http://schemas.xmlsoap.org/soap/encoding/\" "
           "xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "
           "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" "
           "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body>" +
           body + "</soapenv:Body></soapenv:Envelope>";
}

std::string response(const std::string& method, const std::string& inner) {
    return envelope("<" + method + "Response xmlns=\"urn:vim25\">" + inner + "</" + method + "Response>");
}

std::string fault(const std::string& type, const std::string& message, const std::string& detail = {}) {
    return envelope("<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>" +
                    xml_escape(message) + "</faultstring><detail><" + type +
                    "Fault xmlns=\"urn:vim25\" xsi:type=\"" + type + "\">" + detail + "</" + type +
                    "Fault></detail></soapenv:Fault>");
}

const char* const kServiceContent =
    "<returnval><rootFolder type=\"Folder\">group-d1</rootFolder>"
    "<propertyCollector type=\"PropertyCollector\">propertyCollector</propertyCollector>"
    "<viewManager type=\"ViewManager\">ViewManager</viewManager>"
    "<about><name>VMware vCenter Server</name><fullName>VMware vCenter Server 6.5.0 build-5973321</fullName>"
    "<vendor>VMware, Inc.</vendor><version>6.5.0</version><build>5973321</build>"
    "<localeVersion>INTL</localeVersion><localeBuild>000</localeBuild><osType>linux-x64</osType>"
    "<productLineId>vpx</productLineId><apiType>VirtualCenter</apiType><apiVersion>6.5</apiVersion>"
    "<instanceUuid>6f1c1c1e-8d0a-4c55-9a57-5e0f6a1e7a01</instanceUuid>"
    "<licenseProductName>VMware VirtualCenter Server</licenseProductName>"
    "<licenseProductVersion>6.0</licenseProductVersion></about>"
    "<setting type=\"OptionManager\">VpxSettings</setting>"
    "<userDirectory type=\"UserDirectory\">UserDirectory</userDirectory>"
    "<sessionManager type=\"SessionManager\">SessionManager</sessionManager>"
    "<searchIndex type=\"SearchIndex\">SearchIndex</searchIndex>"
    "<fileManager type=\"FileManager\">FileManager</fileManager>"
    "<ovfManager type=\"OvfManager\">OvfManager</ovfManager></returnval>";

bool iequals_prefix(std::string_view line, std::string_view prefix) {
    if (line.size() < prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(line[i])) !=
            std::tolower(static_cast<unsigned char>(prefix[i])))
            return false;
    return true;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

// One TLS connection on a non-blocking socket; every call waits in 100 ms
// polls until its deadline or the server stops.
class Connection {
public:
    Connection(SSL_CTX* ctx, int fd, const std::atomic<bool>& stop) : fd_(fd), stop_(stop) {
        fcntl(fd_, F_SETFL, fcntl(fd_, F_GETFL) | O_NONBLOCK);
        ssl_ = SSL_new(ctx);
        if (ssl_ != nullptr) SSL_set_fd(ssl_, fd_);
    }
    ~Connection() {
        if (ssl_ != nullptr) {
            // One attempt at a close_notify; never after a failed handshake.
            if (SSL_is_init_finished(ssl_)) SSL_shutdown(ssl_);
            SSL_free(ssl_);
        }
        close(fd_);
    }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    bool handshake() {
        return ssl_ != nullptr && io([&] { return SSL_accept(ssl_); }, Clock::now() + kIoLimit) > 0;
    }

    // The next request's body and Cookie header; false when the peer closed,
    // went idle, sent nonsense, or the server stops.
    bool read_request(std::string& target, std::string& body, std::string& cookie) {
        size_t header_end;
        auto deadline = Clock::now() + kIdleLimit;
        while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
            if (buffer_.size() > kMaxRequestBytes || !fill(deadline)) return false;
            deadline = Clock::now() + kIoLimit;  // a request has begun: the rest comes soon
        }
        const std::string head = buffer_.substr(0, header_end);
        size_t length = 0;
        cookie.clear();
        size_t at = head.find("\r\n");
        const std::string request_line = head.substr(0, at);
        if (request_line.rfind("POST ", 0) != 0) return false;
        target = request_line.substr(5, request_line.find(' ', 5) - 5);
        while (at != std::string::npos) {
            const size_t next = head.find("\r\n", at + 2);
            const std::string_view line(head.data() + at + 2,
                                        (next == std::string::npos ? head.size() : next) - at - 2);
            if (iequals_prefix(line, "content-length:")) {
                const std::string_view value = trim(line.substr(15));
                const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), length);
                if (error != std::errc() || end != value.data() + value.size()) return false;
            } else if (iequals_prefix(line, "cookie:")) {
                cookie = std::string(trim(line.substr(7)));
            }
            at = next;
        }
        if (length > kMaxRequestBytes) return false;
        while (buffer_.size() < header_end + 4 + length)
            if (!fill(deadline)) return false;
        body = buffer_.substr(header_end + 4, length);
        buffer_.erase(0, header_end + 4 + length);
        return true;
    }

    bool write_all(const std::string& data) {
        const auto deadline = Clock::now() + kIoLimit;
        for (size_t done = 0; done < data.size();) {
            const int chunk = static_cast<int>(std::min<size_t>(data.size() - done, 1 << 16));
            const int n = io([&] { return SSL_write(ssl_, data.data() + done, chunk); }, deadline);
            if (n <= 0) return false;
            done += static_cast<size_t>(n);
        }
        return true;
    }

private:
    bool fill(Clock::time_point deadline) {
        char chunk[16384];
        const int n = io([&] { return SSL_read(ssl_, chunk, sizeof chunk); }, deadline);
        if (n <= 0) return false;
        buffer_.append(chunk, static_cast<size_t>(n));
        return true;
    }

    template <class Op>
    int io(Op op, Clock::time_point deadline) {
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

    int fd_;
    const std::atomic<bool>& stop_;
    SSL* ssl_ = nullptr;
    std::string buffer_;
};

}  // namespace

SoapLoopbackServer::SoapLoopbackServer(std::vector<SoapObject> objects, std::string username,
                                       std::string password)
    : objects_(std::move(objects)), username_(std::move(username)), password_(std::move(password)) {
    ctx_ = make_tls(dir_ / "cert.pem");

    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0) throw std::runtime_error("soap loopback server: socket failed");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // loopback only
    address.sin_port = 0;                              // a free port
    socklen_t size = sizeof address;
    if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        listen(listen_fd_, 16) != 0 ||
        getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
        close(listen_fd_);
        throw std::runtime_error("soap loopback server: cannot listen on 127.0.0.1");
    }
    url_ = "https://127.0.0.1:" + std::to_string(ntohs(address.sin_port)) + "/sdk";
    acceptor_ = std::thread([this] { accept_loop(); });
}

SoapLoopbackServer::~SoapLoopbackServer() {
    stop_ = true;
    if (acceptor_.joinable()) acceptor_.join();
    for (auto& t : connections_) t.join();  // each notices stop_ within one poll
    close(listen_fd_);
}

std::vector<SoapRequest> SoapLoopbackServer::requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
}

std::vector<std::string> SoapLoopbackServer::issued_tokens() const {
    std::lock_guard lock(mutex_);
    return issued_;
}

size_t SoapLoopbackServer::open_tokens() const {
    std::lock_guard lock(mutex_);
    return cursors_.size();
}

void SoapLoopbackServer::accept_loop() {
    const auto end = Clock::now() + kLifetime;
    while (!stop_ && Clock::now() < end) {
        pollfd p{listen_fd_, POLLIN, 0};
        if (poll(&p, 1, kPollMs) <= 0) continue;
        const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;
        if (connections_.size() >= kMaxConnections) {
            close(fd);
            continue;
        }
        connections_.emplace_back([this, fd] { serve_connection(fd); });
    }
}

void SoapLoopbackServer::serve_connection(int fd) {
    // A client that hangs up mid-answer must give EPIPE here, not kill the test
    // with SIGPIPE (OpenSSL writes with write(), not send(MSG_NOSIGNAL)).
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, nullptr);

    Connection connection(ctx_.get(), fd, stop_);
    if (!connection.handshake()) return;
    std::string target, body, cookie;
    for (size_t n = 0; n < kMaxRequestsPerConnection && connection.read_request(target, body, cookie); ++n) {
        Reply reply = target == "/sdk" ? handle(body, cookie) : Reply{404, "not found", {}};
        std::string head = "HTTP/1.1 " + std::to_string(reply.status) +
                           (reply.status == 200   ? " OK"
                            : reply.status == 500 ? " Internal Server Error"
                                                  : " Not Found") +
                           "\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: " +
                           std::to_string(reply.body.size()) + "\r\n";
        if (!reply.set_cookie.empty()) head += "Set-Cookie: " + reply.set_cookie + "\r\n";
        if (!connection.write_all(head + "\r\n" + reply.body)) return;
    }
}

SoapLoopbackServer::Reply SoapLoopbackServer::handle(const std::string& body, const std::string& cookie) {
    pugi::xml_document doc;
    if (!doc.load_buffer(body.data(), body.size())) return {500, fault("InvalidRequest", "not XML"), {}};
    const pugi::xml_node call = first_element(first_element(doc.document_element(), "Body"));
    SoapRequest request;
    request.method = std::string(local_name(call));
    request.token = first_element(call, "token").text().as_string();
    if (auto max = first_element(first_element(call, "options"), "maxObjects"))
        request.max_objects = max.text().as_int();

    std::lock_guard lock(mutex_);
    request.authenticated =
        !session_key_.empty() && cookie.find("vmware_soap_session=" + session_key_) != std::string::npos;
    requests_.push_back(request);
    const std::string& method = request.method;
    const std::string self = first_element(call, "_this").text().as_string();

    if (method == "RetrieveServiceContent") return {200, response(method, kServiceContent), {}};
    if (method == "Login") {
        if (std::string(first_element(call, "userName").text().as_string()) != username_ ||
            std::string(first_element(call, "password").text().as_string()) != password_)
            return {500, fault("InvalidLogin", "Login failure"), {}};
        session_key_ = random_hex(16);
        return {
            200,
            response(method, "<returnval><key>" + session_key_ + "</key><userName>" + xml_escape(username_) +
                                 "</userName><fullName>" + xml_escape(username_) +
                                 "</fullName><locale>en_US</locale><messageLocale>en_US</messageLocale>"
                                 "<extensionSession>false</extensionSession><ipAddress>127.0.0.1</ipAddress>"
                                 "<callCount>1</callCount></returnval>"),
            "vmware_soap_session=" + session_key_ + "; HttpOnly"};
    }
    if (!request.authenticated)
        return {
            500,
            fault("NotAuthenticated", "The session is not authenticated.",
                  "<object type=\"" + xml_escape(first_element(call, "_this").attribute("type").as_string()) +
                      "\">" + xml_escape(self) + "</object><privilegeId>System.View</privilegeId>"),
            {}};
    if (method == "Logout") {
        session_key_.clear();
        return {200, response(method, ""), {}};
    }
    if (self != "propertyCollector" ||
        (method != "RetrievePropertiesEx" && method != "ContinueRetrievePropertiesEx" &&
         method != "CancelRetrievePropertiesEx"))
        return {500, fault("MethodNotFound", self + " does not implement: " + method), {}};

    if (method == "RetrievePropertiesEx") {
        Cursor cursor;
        cursor.page_size =
            request.max_objects > 0 ? static_cast<size_t>(request.max_objects) : kDefaultPageSize;
        for (auto spec : first_element(call, "specSet").children())
            if (local_name(spec) == "propSet")
                for (auto path : spec.children())
                    if (local_name(path) == "pathSet") cursor.paths.push_back(path.text().as_string());
        return page(method, std::move(cursor));
    }
    auto it = cursors_.find(request.token);
    if (it == cursors_.end())
        return {500,
                fault("InvalidArgument", "A specified parameter was not correct: token",
                      "<invalidProperty>token</invalidProperty>"),
                {}};
    Cursor cursor = std::move(it->second);
    cursors_.erase(it);  // a token is good for one call
    if (method == "CancelRetrievePropertiesEx") return {200, response(method, ""), {}};
    return page(method, std::move(cursor));
}

SoapLoopbackServer::Reply SoapLoopbackServer::page(const std::string& method, Cursor cursor) {
    const size_t end = std::min(objects_.size(), cursor.next + cursor.page_size);
    std::string result = "<returnval>";
    // RetrieveResult in WSDL order: token, then objects.
    if (end < objects_.size()) {
        const std::string token = "pc-token-" + std::to_string(++token_counter_) + "-" + random_hex(6);
        issued_.push_back(token);
        result += "<token>" + token + "</token>";
        cursors_[token] = Cursor{end, cursor.page_size, cursor.paths};
    }
    for (size_t i = cursor.next; i < end; ++i) {
        const SoapObject& o = objects_[i];
        result += "<objects><obj type=\"" + xml_escape(o.type) + "\">" + xml_escape(o.value) + "</obj>";
        for (const auto& path : cursor.paths)
            if (path == "name")
                result +=
                    "<propSet><name>name</name><val xmlns:XMLSchema-instance=\"http://www.w3.org/2001/"
                    "XMLSchema-instance\" XMLSchema-instance:type=\"xsd:string\">" +
                    xml_escape(o.name) + "</val></propSet>";
        result += "</objects>";
    }
    return {200, response(method, result + "</returnval>"), {}};
}

}  // namespace hypersdk::vsphere::test
