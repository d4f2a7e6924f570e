#include "fault_server.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace hypersdk::test {
namespace {

const char* reason(long status) {
    switch (status) {
        case 200:
            return "OK";
        case 201:
            return "Created";
        case 206:
            return "Partial Content";
        case 404:
            return "Not Found";
        case 416:
            return "Range Not Satisfiable";
        case 429:
            return "Too Many Requests";
        case 500:
            return "Internal Server Error";
        case 503:
            return "Service Unavailable";
        default:
            return "Status";
    }
}

const char* kind_name(Fault::Kind kind) {
    switch (kind) {
        case Fault::Kind::status:
            return "status";
        case Fault::Kind::drop_after:
            return "drop_after";
        case Fault::Kind::truncate_clean:
            return "truncate_clean";
        case Fault::Kind::ignore_range:
            return "ignore_range";
        case Fault::Kind::corrupt:
            return "corrupt";
        case Fault::Kind::stall:
            return "stall";
        case Fault::Kind::handshake_close:
            return "handshake_close";
    }
    return "?";
}

bool parse_number(std::string_view text, uint64_t& value) {
    if (text.empty()) return false;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    return error == std::errc() && end == text.data() + text.size();
}

// "bytes=a-b", "bytes=a-", "bytes=-n" against `size`: first and last byte,
// or nullopt (unsatisfiable or not understood).
std::optional<std::pair<uint64_t, uint64_t>> parse_range(const std::string& value, uint64_t size) {
    if (value.rfind("bytes=", 0) != 0) return std::nullopt;
    const std::string_view spec = std::string_view(value).substr(6);
    const auto dash = spec.find('-');
    if (dash == std::string_view::npos || spec.find(',') != std::string_view::npos) return std::nullopt;
    uint64_t first = 0, last = 0;
    if (dash == 0) {  // suffix
        if (!parse_number(spec.substr(1), last) || last == 0 || size == 0) return std::nullopt;
        return std::make_pair(size - std::min(last, size), size - 1);
    }
    if (!parse_number(spec.substr(0, dash), first) || first >= size) return std::nullopt;
    if (dash + 1 == spec.size()) return std::make_pair(first, size - 1);
    if (!parse_number(spec.substr(dash + 1), last) || last < first) return std::nullopt;
    return std::make_pair(first, std::min(last, size - 1));
}

std::optional<uint64_t> range_start_of(const std::optional<std::string>& range) {
    if (!range || range->rfind("bytes=", 0) != 0) return std::nullopt;
    uint64_t first = 0;
    const std::string_view spec = std::string_view(*range).substr(6);
    if (!parse_number(spec.substr(0, spec.find('-')), first)) return std::nullopt;
    return first;
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr);
    std::string out;
    char pair[3];
    for (unsigned i = 0; i < len; ++i) {
        std::snprintf(pair, sizeof pair, "%02x", digest[i]);
        out += pair;
    }
    return out;
}

FaultServer::FaultServer() {
    TlsLoopbackServer::Options options;
    options.common_name = "hypersdk fault server";
    options.handshake_filter = [this] { return !cut_next_handshake(); };
    server_ = std::make_unique<TlsLoopbackServer>(
        [this](const HttpRequest& request, HttpConnection& connection) {
            return answer(request, connection);
        },
        options);
}

FaultServer::~FaultServer() {
    server_.reset();
}

void FaultServer::put(const std::string& path, std::string bytes) {
    std::lock_guard lock(mutex_);
    objects_[path] = std::move(bytes);
}

void FaultServer::add(Fault fault) {
    std::lock_guard lock(mutex_);
    faults_.push_back(std::move(fault));
}

void FaultServer::on_request(std::function<void(const RecordedRequest&)> hook) {
    std::lock_guard lock(mutex_);
    hook_ = std::move(hook);
}

std::vector<RecordedRequest> FaultServer::requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
}

size_t FaultServer::cut_handshakes() const {
    std::lock_guard lock(mutex_);
    return cut_handshakes_;
}

int FaultServer::faults_left() const {
    std::lock_guard lock(mutex_);
    int left = 0;
    for (const auto& f : faults_) left += f.times;
    return left;
}

bool FaultServer::cut_next_handshake() {
    std::lock_guard lock(mutex_);
    for (auto& f : faults_) {
        if (f.kind == Fault::Kind::handshake_close && f.times > 0) {
            --f.times;
            ++cut_handshakes_;
            return true;
        }
    }
    return false;
}

std::optional<Fault> FaultServer::take_fault(const HttpRequest& request,
                                             std::optional<uint64_t> range_start) {
    for (auto& f : faults_) {
        if (f.kind == Fault::Kind::handshake_close || f.times <= 0) continue;
        if (!f.method.empty() && f.method != request.method) continue;
        if (f.range_start && f.range_start != range_start) continue;
        --f.times;
        return f;
    }
    return std::nullopt;
}

bool FaultServer::answer(const HttpRequest& request, HttpConnection& connection) {
    RecordedRequest record{request.method,
                           request.target,
                           request.header("range"),
                           request.headers,
                           request.body,
                           std::chrono::steady_clock::now(),
                           {}};
    std::optional<Fault> fault;
    std::string object;
    bool found = false;
    std::function<void(const RecordedRequest&)> hook;
    {
        std::lock_guard lock(mutex_);
        fault = take_fault(request, range_start_of(record.range));
        if (fault) record.fault = kind_name(fault->kind);
        requests_.push_back(record);
        hook = hook_;
        if (request.method == "PUT" || request.method == "POST") {
            if (!fault || fault->kind != Fault::Kind::status) objects_[request.path()] = request.body;
        } else if (auto it = objects_.find(request.path()); it != objects_.end()) {
            object = it->second;  // a copy: the answer may take long
            found = true;
        }
    }
    if (hook) hook(record);

    if (fault && fault->kind == Fault::Kind::status) {
        const std::string body = "fault: HTTP " + std::to_string(fault->status) + "\n";
        std::string head = "HTTP/1.1 " + std::to_string(fault->status) + " " + reason(fault->status) + "\r\n";
        for (const auto& [name, value] : fault->headers) head += name + ": " + value + "\r\n";
        head += "Content-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
        return connection.write_all(head + body);
    }
    if (request.method == "PUT" || request.method == "POST")
        return connection.write_all("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
    if (!found || (request.method != "GET" && request.method != "HEAD"))
        return connection.write_all("HTTP/1.1 404 Not Found\r\nContent-Length: 10\r\n\r\nnot found\n");

    const uint64_t size = object.size();
    std::optional<std::pair<uint64_t, uint64_t>> range;
    if (record.range && !(fault && fault->kind == Fault::Kind::ignore_range)) {
        range = parse_range(*record.range, size);
        if (!range)
            return connection.write_all("HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */" +
                                        std::to_string(size) + "\r\nContent-Length: 0\r\n\r\n");
    }
    const uint64_t first = range ? range->first : 0;
    const uint64_t length = range ? range->second - range->first + 1 : size;
    std::string body = object.substr(first, length);
    const std::string checksum = sha256_hex(body);
    if (fault && fault->kind == Fault::Kind::corrupt && !body.empty())
        body[0] = static_cast<char>(body[0] ^ 0xFF);

    std::string head = range ? "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes " +
                                   std::to_string(first) + "-" + std::to_string(first + length - 1) + "/" +
                                   std::to_string(size) + "\r\n"
                             : std::string("HTTP/1.1 200 OK\r\n");
    head += "Accept-Ranges: bytes\r\nx-test-sha256: " + checksum +
            "\r\nContent-Type: application/octet-stream\r\n";
    const bool clean_cut = fault && fault->kind == Fault::Kind::truncate_clean;
    head +=
        clean_cut ? "Connection: close\r\n\r\n" : "Content-Length: " + std::to_string(length) + "\r\n\r\n";
    if (request.method == "HEAD") return connection.write_all(head);

    if (fault && (fault->kind == Fault::Kind::drop_after || fault->kind == Fault::Kind::stall || clean_cut)) {
        const size_t sent = static_cast<size_t>(std::min<uint64_t>(fault->bytes, body.size()));
        if (!connection.write_all(head + body.substr(0, sent))) return false;
        if (fault->kind == Fault::Kind::stall) connection.stall(fault->stall);
        if (!clean_cut) connection.abort();
        return false;
    }
    return connection.write_all(head) && connection.write_all(body);
}

}  // namespace hypersdk::test
