// The bridge from the transport's Sink to the host's sinks (hypersdk/host.h).
//
// HostSink opens, owns and commits a host sink itself, and writes holes with
// the ABI 1.1 slot sink_write_zeros when the host has it
// (HYPERSDK_HOST_HAS(host, sink_write_zeros)), or as zero bytes through
// sink_write on a 1.0 host. SinkAdapter<S> wraps a sink the plugin already
// holds, such as hypersdk::cxx::Sink: holes use S::write_zeros(n) when S has
// one, else zero bytes are written.
#pragma once

#include <hypersdk/cxx/plugin.hpp>

#include <cstdint>
#include <functional>
#include <string>

#include "sink.hpp"

namespace hypersdk::http {

// Writes `size` zero bytes through `write` in blocks of a static zero buffer
// (no allocation of `size` bytes).
void write_zero_bytes(const std::function<void(const char* data, size_t size)>& write, uint64_t size);

class HostSink : public Sink {
public:
    // sink_open on `job` (artifact_json as host.h describes it); throws
    // cxx::Error with the host's status when refused. `host` defaults to the
    // plugin's table (cxx::host()).
    HostSink(const cxx::Job& job, const std::string& artifact_json, const hypersdk_host* host = nullptr);
    // Not committed: closed with a failure status, so the host keeps the
    // ".part" file and never renames it.
    ~HostSink() override;
    HostSink(const HostSink&) = delete;
    HostSink& operator=(const HostSink&) = delete;

    void write(const char* data, size_t size) override;
    void write_zeros(uint64_t size) override;
    void rewind() override;
    uint64_t offset() const override;
    // sink_close(OK): the host checks, renames and records the file.
    void commit();
    // Whether holes reach the host as holes (false on a 1.0 host).
    bool sparse() const;

private:
    const hypersdk_host* host_;
    hypersdk_sink* sink_ = nullptr;
};

template <class S>
class SinkAdapter : public Sink {
public:
    explicit SinkAdapter(S& sink) : sink_(sink) {}
    void write(const char* data, size_t size) override { sink_.write(data, size); }
    void write_zeros(uint64_t size) override {
        if constexpr (requires(S & s, uint64_t n) { s.write_zeros(n); }) {
            sink_.write_zeros(size);
        } else {
            write_zero_bytes([this](const char* data, size_t n) { sink_.write(data, n); }, size);
        }
    }
    void rewind() override { sink_.rewind(); }
    uint64_t offset() const override { return sink_.offset(); }

private:
    S& sink_;
};

}  // namespace hypersdk::http
