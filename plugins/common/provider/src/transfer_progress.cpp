#include "hypersdk/provider/transfer_progress.hpp"

#include <algorithm>

namespace hypersdk::provider {

uint64_t TransferProgress::done() const {
    uint64_t sum = 0;
    for (const auto& d : done_) sum += d.load();
    return sum;
}

uint64_t TransferProgress::total() const {
    uint64_t sum = 0;
    for (const auto& t : total_) {
        if (t.load() == 0) return 0;  // one size unknown: the total is unknown
        sum += t.load();
    }
    return sum;
}

int32_t TransferProgress::percent(int32_t cap) const {
    const uint64_t all = total();
    if (all == 0) return 0;
    return static_cast<int32_t>(
        std::min<uint64_t>(static_cast<uint64_t>(std::max(cap, 0)), done() * 100 / all));
}

}  // namespace hypersdk::provider
