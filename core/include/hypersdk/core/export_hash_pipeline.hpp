// Hashes a sink's bytes on a worker thread so SHA-256 overlaps the download
// instead of adding to it. The writer copies each write into 256 KiB batches;
// at most kMaxQueuedBytes (4 MiB) wait, so memory stays bounded per sink.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "hypersdk/core/sha256.hpp"

namespace hypersdk::core {

class HashPipeline {
public:
    static constexpr size_t kBatchBytes = 256u << 10;
    static constexpr size_t kMaxQueuedBytes = 4u << 20;

    // Starts from `initial` (e.g. the hash of a resumed .part).
    explicit HashPipeline(Sha256 initial);
    ~HashPipeline();
    HashPipeline(const HashPipeline&) = delete;
    HashPipeline& operator=(const HashPipeline&) = delete;

    void update(const void* data, size_t length);
    // Forgets everything: the hash starts over (sink rewind).
    void reset();
    // "sha256:<hex>" of everything since construction or reset().
    std::string finish();

private:
    void push_batch_locked(std::unique_lock<std::mutex>& lock);
    void drain(std::unique_lock<std::mutex>& lock);
    void run();

    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<std::vector<char>> queue_;
    size_t queued_bytes_ = 0;
    bool busy_ = false;
    bool stop_ = false;
    std::vector<char> batch_;  // writer side, not yet queued
    Sha256 hash_;              // worker side
    std::thread worker_;
};

}  // namespace hypersdk::core
