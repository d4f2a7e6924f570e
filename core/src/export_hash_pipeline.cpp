#include "hypersdk/core/export_hash_pipeline.hpp"

#include <algorithm>
#include <cstring>

namespace hypersdk::core {

HashPipeline::HashPipeline(Sha256 initial) : hash_(std::move(initial)) {
    batch_.reserve(kBatchBytes);
    worker_ = std::thread([this] { run(); });
}

HashPipeline::~HashPipeline() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    changed_.notify_all();
    worker_.join();
}

void HashPipeline::update(const void* data, size_t length) {
    const auto* bytes = static_cast<const char*>(data);
    while (length > 0) {
        const size_t take = std::min(length, kBatchBytes - batch_.size());
        batch_.insert(batch_.end(), bytes, bytes + take);
        bytes += take;
        length -= take;
        if (batch_.size() == kBatchBytes) {
            std::unique_lock lock(mutex_);
            push_batch_locked(lock);
        }
    }
}

void HashPipeline::push_batch_locked(std::unique_lock<std::mutex>& lock) {
    if (batch_.empty()) return;
    // Back-pressure: the writer waits rather than letting memory grow.
    changed_.wait(lock, [this] { return queued_bytes_ < kMaxQueuedBytes; });
    queued_bytes_ += batch_.size();
    queue_.push_back(std::move(batch_));
    batch_ = {};
    batch_.reserve(kBatchBytes);
    changed_.notify_all();
}

void HashPipeline::drain(std::unique_lock<std::mutex>& lock) {
    push_batch_locked(lock);
    changed_.wait(lock, [this] { return queue_.empty() && !busy_; });
}

void HashPipeline::reset() {
    std::unique_lock lock(mutex_);
    batch_.clear();
    drain(lock);
    hash_ = Sha256();
}

std::string HashPipeline::finish() {
    std::unique_lock lock(mutex_);
    drain(lock);
    return hash_.finish();
}

void HashPipeline::run() {
    std::unique_lock lock(mutex_);
    for (;;) {
        changed_.wait(lock, [this] { return stop_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stop_ and nothing left
        std::vector<char> batch = std::move(queue_.front());
        queue_.pop_front();
        busy_ = true;
        lock.unlock();
        hash_.update(batch.data(), batch.size());
        lock.lock();
        busy_ = false;
        queued_bytes_ -= batch.size();
        changed_.notify_all();
    }
}

}  // namespace hypersdk::core
