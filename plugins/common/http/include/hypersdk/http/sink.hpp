// Where downloaded bytes go. Plugins adapt their host sink to this (see
// host_sink.hpp); tests use a file or memory. Calls never overlap: the
// downloaders call a sink from one thread at a time. Throw to fail the download.
#pragma once

#include <cstddef>
#include <cstdint>

namespace hypersdk::http {

class Sink {
public:
    virtual ~Sink() = default;
    // Append bytes at offset().
    virtual void write(const char* data, size_t size) = 0;
    // Append `size` zero bytes (a hole) without the caller writing them.
    virtual void write_zeros(uint64_t size) = 0;
    // Truncate to zero bytes and start over.
    virtual void rewind() = 0;
    // Bytes already in the sink (non-zero when resuming).
    virtual uint64_t offset() const = 0;
};

}  // namespace hypersdk::http
