// Unpacks Compute Engine's native export, a gzip'd tar holding one regular
// file `disk.raw`, while it downloads: compressed bytes in, disk bytes out to
// a sink, all-zero blocks as holes (Sink::write_zeros), so the archive never
// lands on disk. The tar reader is our own and small: ustar/GNU headers with
// their checksum, sizes in octal or GNU base-256, a PAX extended header or a
// GNU long name for the one member; anything else (another member, a link, a
// GNU sparse member, a name other than disk.raw, data after the end) is refused.
#pragma once

#include <hypersdk/http/sink.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace hypersdk::gcp {

class TarGzDiskReader {
public:
    // `out` receives disk.raw from its first byte, except that the first
    // `skip` bytes (already in `out` from an earlier attempt) are not written again.
    // `what` names the archive in errors ("gs://b/disk.tar.gz").
    TarGzDiskReader(http::Sink& out, std::string what, uint64_t skip = 0);
    ~TarGzDiskReader();
    TarGzDiskReader(const TarGzDiskReader&) = delete;
    TarGzDiskReader& operator=(const TarGzDiskReader&) = delete;

    // Compressed bytes, in order. Throws Error(archive) on corrupt input.
    void feed(const char* data, size_t size);
    // The compressed stream ended: throws Error(archive) unless disk.raw was
    // complete and the archive ended properly.
    void finish();

    bool size_known() const;
    uint64_t disk_size() const;     // disk.raw's size from its header
    uint64_t disk_written() const;  // disk.raw bytes passed on (skipped ones included)
    uint64_t compressed() const;    // compressed bytes fed

private:
    struct State;
    std::unique_ptr<State> s_;
};

// The reader as a sink for ranged_download (offset(): compressed bytes taken;
// rewind(): start the archive and `out` over).
class TarGzDiskSink final : public http::Sink {
public:
    TarGzDiskSink(http::Sink& out, std::string what);
    void write(const char* data, size_t size) override { reader_->feed(data, size); }
    void write_zeros(uint64_t size) override;
    void rewind() override;
    uint64_t offset() const override { return reader_->compressed(); }
    TarGzDiskReader& reader() { return *reader_; }

private:
    http::Sink& out_;
    std::string what_;
    std::unique_ptr<TarGzDiskReader> reader_;
};

// Writes bytes to `out` with every all-zero aligned block of `block` bytes
// (positions counted from `start`) as a hole.
class ZeroRunSink {
public:
    ZeroRunSink(http::Sink& out, uint64_t start, size_t block = 64 * 1024);
    void write(const char* data, size_t size);
    void flush();

private:
    void emit(const char* data, size_t size);
    http::Sink& out_;
    uint64_t position_;
    size_t block_;
    std::string staged_;
};

}  // namespace hypersdk::gcp
