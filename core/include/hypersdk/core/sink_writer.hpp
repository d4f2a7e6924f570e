// SinkWriter: the write-behind path of one export sink. write() copies the
// provider's bytes into aligned batches and returns; one thread hashes each
// batch (SHA-256) while another writes it to the file, so hashing and disk
// I/O overlap the download instead of adding to it.
//
// Batches are written with O_DIRECT when the filesystem accepts it: a
// streamed disk image is written once and read once by the converter, so the
// page-cache copy costs CPU (measured: most of the export's kernel time) and
// evicts everything else for nothing. Without O_DIRECT (not asked for, or
// tmpfs before Linux 6.6, some FUSE) write() writes through the page cache
// itself, and batches are only hashed. Unaligned heads (a resumed .part) and
// tails are written buffered.
//
// Zeros (write_zeros) become holes: the unaligned edges of a run are written
// as bytes, the aligned middle is never written (the hasher hashes it from a
// static zero block) and the file is extended to its full length with
// ftruncate whenever the queue drains, so trailing holes exist too and a
// resumed .part covers every hole before its end.
//
// Memory is bounded: at most kBuffers batches of kBatchBytes per sink, and
// at most kMaxQueuedBatches batches (holes included) waiting.
// Errors are sticky: a failed write is reported by the next write(),
// rewind() or finish(), naming the file and the system error.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "hypersdk/core/sha256.hpp"

namespace hypersdk::core {

class SinkWriter {
public:
    static constexpr size_t kBatchBytes = 2u << 20;
    static constexpr size_t kBuffers = 3;  // one filling, two in flight
    static constexpr size_t kAlignment = 4096;
    static constexpr size_t kMaxQueuedBatches = 64;

    // Writes to `fd` (not owned; must stay open until this object is
    // destroyed) from byte `offset` on; the hash continues from `initial`
    // (the hash of the offset bytes already there). `name` is the file's path,
    // for error messages.
    SinkWriter(int fd, std::string name, uint64_t offset, Sha256 initial, bool direct_io);
    // Writes whatever was accepted (so a cancelled export keeps every byte it
    // got for a resume), then stops the threads.
    ~SinkWriter();
    SinkWriter(const SinkWriter&) = delete;
    SinkWriter& operator=(const SinkWriter&) = delete;

    // false (and error()) when this or an earlier write failed.
    bool write(const void* data, size_t length);
    // Appends `length` zero bytes, leaving a hole where they are aligned.
    bool write_zeros(uint64_t length);
    // Waits for pending writes, truncates the file to 0 and restarts the hash.
    bool rewind();
    // Writes everything; on success sets `sha256` ("sha256:<hex>" of all the
    // bytes from 0). The file is not synced: the caller fsyncs before renaming.
    bool finish(std::string& sha256);

    const std::string& error() const { return error_; }
    // Whether O_DIRECT is in use (false after a fallback to buffered writes).
    bool direct_io() const;

private:
    struct Buffer;
    struct Batch {
        Buffer* buffer;  // nullptr: a hole of `size` zeros, never written
        uint64_t size;
        uint64_t offset;
        bool hashed = false;
        bool written = false;
    };

    bool take_buffer(std::unique_lock<std::mutex>& lock);
    void queue_current(std::unique_lock<std::mutex>& lock);
    bool drain();
    // Extends the file to next_offset_ when holes end it. Drained, locked.
    bool extend_to_end_locked();
    void retire_done_batches();
    // The oldest queued batch that has not passed `stage` (hashed or written).
    Batch* oldest_pending(bool Batch::*stage);
    void hash_loop();
    void write_loop();
    bool write_batch(const char* data, size_t size, uint64_t offset, std::string& error);
    bool set_direct(bool on);
    bool failed_locked() const { return !write_error_.empty(); }

    const int fd_;
    const std::string name_;
    bool direct_ = false;                     // the fd's O_DIRECT flag now; writer thread (or drained) only
    std::atomic<bool> direct_usable_{false};  // false once the filesystem refused it
    std::atomic<bool> failed_{false};         // write_error_ is set
    bool write_through_ = false;              // no O_DIRECT: write() writes itself, batches are only hashed

    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::unique_ptr<Buffer>> buffers_;
    std::vector<Buffer*> free_;
    std::deque<Batch> queue_;
    std::string write_error_;  // sticky, set by the writer thread
    bool stop_ = false;

    // Producer side (the provider's thread).
    Buffer* current_ = nullptr;
    size_t current_size_ = 0;
    size_t current_capacity_ = 0;
    uint64_t next_offset_;  // file offset of current_'s first byte
    std::string error_;

    Sha256 hash_;  // hash thread (or drained)
    std::thread hasher_;
    std::thread writer_;
};

}  // namespace hypersdk::core
