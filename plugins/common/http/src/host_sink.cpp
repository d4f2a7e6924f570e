#include "hypersdk/http/host_sink.hpp"

#include <algorithm>
#include <utility>

namespace hypersdk::http {
namespace {

constexpr size_t kZeroBlock = 1u << 20;
const char kZeros[kZeroBlock] = {};

void check(int32_t status, const char* what) {
    if (status != HYPERSDK_OK) throw cxx::Error(status, what);
}

}  // namespace

void write_zero_bytes(const std::function<void(const char* data, size_t size)>& write, uint64_t size) {
    while (size > 0) {
        const size_t n = static_cast<size_t>(std::min<uint64_t>(size, kZeroBlock));
        write(kZeros, n);
        size -= n;
    }
}

HostSink::HostSink(const cxx::Job& job, const std::string& artifact_json, const hypersdk_host* host)
    : host_(host ? host : cxx::host()) {
    check(host_->sink_open(job.get(), artifact_json.c_str(), &sink_),
          "the host refused to open the output file");
}

HostSink::~HostSink() {
    if (sink_ != nullptr) host_->sink_close(sink_, HYPERSDK_ERR_GENERIC);
}

void HostSink::write(const char* data, size_t size) {
    check(host_->sink_write(sink_, data, size), "writing the output file failed");
}

bool HostSink::sparse() const {
    return HYPERSDK_HOST_HAS(host_, sink_write_zeros);
}

void HostSink::write_zeros(uint64_t size) {
    if (size == 0) return;
    if (sparse()) {
        check(host_->sink_write_zeros(sink_, size), "writing a hole into the output file failed");
        return;
    }
    write_zero_bytes([this](const char* data, size_t n) { write(data, n); }, size);
}

void HostSink::rewind() {
    check(host_->sink_rewind(sink_), "restarting the output file failed");
}

uint64_t HostSink::offset() const {
    return host_->sink_offset(sink_);
}

void HostSink::commit() {
    hypersdk_sink* sink = std::exchange(sink_, nullptr);
    check(host_->sink_close(sink, HYPERSDK_OK), "finishing the output file failed");
}

}  // namespace hypersdk::http
