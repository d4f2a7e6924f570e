#include "hypersdk/core/sink_writer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>
#include <system_error>

namespace hypersdk::core {
namespace {

// What holes are hashed from, and their unaligned edges written from.
alignas(SinkWriter::kAlignment) const char kZeroBlock[64 * 1024] = {};

}  // namespace

struct SinkWriter::Buffer {
    Buffer() {
        // O_DIRECT needs the memory aligned as well as the file offset.
        if (posix_memalign(reinterpret_cast<void**>(&data), kAlignment, kBatchBytes) != 0)
            throw std::bad_alloc();
    }
    ~Buffer() { std::free(data); }
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;
    char* data = nullptr;
};

SinkWriter::SinkWriter(int fd, std::string name, uint64_t offset, Sha256 initial, bool direct_io)
    : fd_(fd), name_(std::move(name)), next_offset_(offset), hash_(std::move(initial)) {
    for (size_t i = 0; i < kBuffers; ++i) {
        buffers_.push_back(std::make_unique<Buffer>());
        free_.push_back(buffers_.back().get());
    }
    direct_usable_ = direct_io && set_direct(true);
    write_through_ = !direct_usable_;
    hasher_ = std::thread([this] { hash_loop(); });
    writer_ = std::thread([this] { write_loop(); });
}

SinkWriter::~SinkWriter() {
    drain();
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    changed_.notify_all();
    hasher_.join();
    writer_.join();
    if (direct_) set_direct(false);  // the fd outlives us; leave it as it came
}

bool SinkWriter::direct_io() const {
    return direct_usable_.load();
}

bool SinkWriter::write(const void* data, size_t length) {
    if (failed_.load(std::memory_order_relaxed)) {
        std::lock_guard lock(mutex_);
        error_ = write_error_;
        return false;
    }
    const auto* bytes = static_cast<const char*>(data);
    if (write_through_) {
        // Through the page cache, the copy is cheapest from the caller's
        // buffer, still hot in this CPU's cache (measured: the writer thread
        // copying 2 MiB batches took three times the kernel time).
        std::string error;
        if (!write_batch(bytes, length, next_offset_ + current_size_, error)) {
            std::lock_guard lock(mutex_);
            write_error_ = error_ = std::move(error);
            failed_.store(true);
            return false;
        }
    }
    while (length > 0) {
        if (current_ == nullptr) {
            std::unique_lock lock(mutex_);
            if (!take_buffer(lock)) {
                error_ = write_error_;
                return false;
            }
        }
        const size_t take = std::min(length, current_capacity_ - current_size_);
        std::memcpy(current_->data + current_size_, bytes, take);
        current_size_ += take;
        bytes += take;
        length -= take;
        if (current_size_ == current_capacity_) {
            std::unique_lock lock(mutex_);
            queue_current(lock);
        }
    }
    return true;
}

bool SinkWriter::write_zeros(uint64_t length) {
    const auto write_bytes = [this](uint64_t count) {
        for (; count > 0;) {
            const size_t chunk = static_cast<size_t>(std::min<uint64_t>(count, sizeof kZeroBlock));
            if (!write(kZeroBlock, chunk)) return false;
            count -= chunk;
        }
        return true;
    };
    // The unaligned head up to the next block boundary is written as bytes.
    const uint64_t position = next_offset_ + current_size_;
    const uint64_t head = std::min<uint64_t>(length, (kAlignment - position % kAlignment) % kAlignment);
    if (!write_bytes(head)) return false;
    length -= head;
    const uint64_t hole = length & ~static_cast<uint64_t>(kAlignment - 1);
    if (hole > 0) {
        std::unique_lock lock(mutex_);
        // Back-pressure: holes cost no buffer, but the hasher still has to
        // hash them; the provider waits rather than the queue growing.
        changed_.wait(lock, [this] { return queue_.size() < kMaxQueuedBatches || failed_locked(); });
        if (failed_locked()) {
            error_ = write_error_;
            return false;
        }
        if (current_ != nullptr) {
            if (current_size_ > 0) {
                queue_current(lock);
            } else {
                free_.push_back(current_);
                current_ = nullptr;
            }
        }
        // Nothing to write: only to hash, in order with the data around it.
        queue_.push_back(Batch{nullptr, hole, next_offset_, false, true});
        next_offset_ += hole;
        changed_.notify_all();
    }
    return write_bytes(length - hole);
}

bool SinkWriter::take_buffer(std::unique_lock<std::mutex>& lock) {
    // Back-pressure: the provider waits for the disk rather than memory growing.
    changed_.wait(lock, [this] { return !free_.empty() || failed_locked(); });
    if (failed_locked()) return false;
    current_ = free_.back();
    free_.pop_back();
    current_size_ = 0;
    // A batch after an unaligned start (a resumed .part) ends on an aligned
    // offset, so every later batch can go to disk directly.
    current_capacity_ = kBatchBytes - static_cast<size_t>(next_offset_ % kAlignment);
    return true;
}

void SinkWriter::queue_current(std::unique_lock<std::mutex>&) {
    // In write-through mode the bytes are on disk already: the batch only needs hashing.
    queue_.push_back(Batch{current_, current_size_, next_offset_, false, write_through_});
    next_offset_ += current_size_;
    current_ = nullptr;
    current_size_ = 0;
    changed_.notify_all();
}

bool SinkWriter::drain() {
    std::unique_lock lock(mutex_);
    if (current_ != nullptr) {
        if (current_size_ > 0) {
            queue_current(lock);
        } else {
            free_.push_back(current_);
            current_ = nullptr;
        }
    }
    changed_.wait(lock, [this] { return queue_.empty(); });
    if (failed_locked()) {
        error_ = write_error_;
        return false;
    }
    return extend_to_end_locked();
}

bool SinkWriter::extend_to_end_locked() {
    struct stat st {};
    if (::fstat(fd_, &st) != 0) {
        write_error_ = error_ = "cannot stat " + name_ + ": " + std::generic_category().message(errno);
        failed_.store(true);
        return false;
    }
    if (static_cast<uint64_t>(st.st_size) >= next_offset_) return true;
    if (::ftruncate(fd_, static_cast<off_t>(next_offset_)) != 0) {
        write_error_ = error_ =
            "cannot extend " + name_ + " over its trailing hole: " + std::generic_category().message(errno);
        failed_.store(true);
        return false;
    }
    return true;
}

bool SinkWriter::rewind() {
    if (!drain()) return false;
    std::lock_guard lock(mutex_);
    if (::ftruncate(fd_, 0) != 0) {
        error_ = "cannot truncate " + name_ + ": " + std::generic_category().message(errno);
        return false;
    }
    next_offset_ = 0;
    hash_ = Sha256();
    return true;
}

bool SinkWriter::finish(std::string& sha256) {
    if (!drain()) return false;
    std::lock_guard lock(mutex_);
    sha256 = hash_.finish();
    return true;
}

void SinkWriter::retire_done_batches() {
    while (!queue_.empty() && queue_.front().hashed && queue_.front().written) {
        if (queue_.front().buffer != nullptr) free_.push_back(queue_.front().buffer);
        queue_.pop_front();
    }
}

SinkWriter::Batch* SinkWriter::oldest_pending(bool Batch::*stage) {
    for (auto& batch : queue_)
        if (!(batch.*stage)) return &batch;
    return nullptr;
}

void SinkWriter::hash_loop() {
    std::unique_lock lock(mutex_);
    for (;;) {
        Batch* batch = nullptr;
        changed_.wait(lock, [&] { return (batch = oldest_pending(&Batch::hashed)) != nullptr || stop_; });
        if (batch == nullptr) return;  // stopping and nothing left
        lock.unlock();
        if (batch->buffer != nullptr) {
            hash_.update(batch->buffer->data, static_cast<size_t>(batch->size));
        } else {
            // A hole: its zeros hashed from one static block, never allocated.
            for (uint64_t left = batch->size; left > 0;) {
                const size_t chunk = static_cast<size_t>(std::min<uint64_t>(left, sizeof kZeroBlock));
                hash_.update(kZeroBlock, chunk);
                left -= chunk;
            }
        }
        lock.lock();
        batch->hashed = true;  // deque elements stay put while queued
        retire_done_batches();
        changed_.notify_all();
    }
}

void SinkWriter::write_loop() {
    std::unique_lock lock(mutex_);
    for (;;) {
        Batch* batch = nullptr;
        changed_.wait(lock, [&] { return (batch = oldest_pending(&Batch::written)) != nullptr || stop_; });
        if (batch == nullptr) return;
        if (!failed_locked()) {  // after a failure, batches are dropped unwritten
            lock.unlock();
            std::string error;
            const bool ok =
                write_batch(batch->buffer->data, static_cast<size_t>(batch->size), batch->offset, error);
            lock.lock();
            if (!ok) {
                write_error_ = std::move(error);
                failed_.store(true);
            }
        }
        batch->written = true;
        retire_done_batches();
        changed_.notify_all();
    }
}

bool SinkWriter::write_batch(const char* data, size_t size, uint64_t offset, std::string& error) {
    while (size > 0) {
        // Direct only for whole aligned blocks; the rest (a resumed head, the
        // last tail) goes through the page cache.
        const bool aligned = offset % kAlignment == 0 && size >= kAlignment &&
                             reinterpret_cast<uintptr_t>(data) % kAlignment == 0;
        const bool use_direct = direct_usable_ && aligned;
        if (use_direct != direct_ && !set_direct(use_direct)) {
            if (use_direct) {
                direct_usable_ = false;
                continue;
            }
            error = "cannot turn off O_DIRECT on " + name_ + ": " + std::generic_category().message(errno);
            return false;
        }
        const size_t chunk = use_direct ? size & ~(kAlignment - 1) : size;
        const ssize_t n = ::pwrite(fd_, data, chunk, static_cast<off_t>(offset));
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EINVAL && use_direct) {
                // The filesystem accepted O_DIRECT at open but not this write.
                direct_usable_ = false;
                continue;
            }
            error = "cannot write " + name_ + ": " + std::generic_category().message(errno);
            return false;
        }
        if (n == 0) {
            error = "cannot write " + name_ + ": the system wrote 0 bytes";
            return false;
        }
        data += n;
        size -= static_cast<size_t>(n);
        offset += static_cast<uint64_t>(n);
    }
    return true;
}

bool SinkWriter::set_direct(bool on) {
    const int flags = ::fcntl(fd_, F_GETFL);
    if (flags < 0) return false;
    if (::fcntl(fd_, F_SETFL, on ? flags | O_DIRECT : flags & ~O_DIRECT) != 0) return false;
    direct_ = on;
    return true;
}

}  // namespace hypersdk::core
