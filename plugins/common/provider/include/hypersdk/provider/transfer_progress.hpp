// Progress over several items transferred at once (one counter per disk),
// summed for job progress. Workers update their own item; anyone may sum.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace hypersdk::provider {

class TransferProgress {
public:
    explicit TransferProgress(size_t items) : done_(items), total_(items) {}

    void set_done(size_t item, uint64_t bytes) { done_[item] = bytes; }
    void set_total(size_t item, uint64_t bytes) { total_[item] = bytes; }  // 0: unknown
    uint64_t done() const;
    // The sum of all totals, or 0 when any item's total is unknown.
    uint64_t total() const;
    // done * 100 / total, at most `cap` (0 when the total is unknown).
    int32_t percent(int32_t cap = 100) const;

private:
    std::vector<std::atomic<uint64_t>> done_;
    std::vector<std::atomic<uint64_t>> total_;
};

}  // namespace hypersdk::provider
