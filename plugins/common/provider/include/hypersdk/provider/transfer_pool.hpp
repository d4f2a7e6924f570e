// A parallel transfer pool: N workers over a list of items (usually disks),
// cancellation polled, the first error stopping the others, and a periodic
// hook run on the calling thread (keep a vSphere lease alive, refresh an
// OAuth token or a SAS) while the workers run. The calling thread is the only
// one that runs the hook, so a session that is not thread-safe may be used
// there while workers use their own connections.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>

namespace hypersdk::provider {

// What a worker polls: true once the job is cancelled or another item failed.
class StopSignal {
public:
    StopSignal(const std::atomic<bool>& stop, const std::function<bool()>& cancelled)
        : stop_(stop), cancelled_(cancelled) {}
    bool operator()() const { return stop_.load() || (cancelled_ && cancelled_()); }

private:
    const std::atomic<bool>& stop_;
    const std::function<bool()>& cancelled_;
};

struct TransferPoolOptions {
    int workers = 4;  // at most this many items at once (at least 1, at most the item count)
    // How often `periodic` runs on the calling thread; zero: never.
    std::chrono::milliseconds period{0};
    // How often the calling thread polls `cancelled`.
    std::chrono::milliseconds poll_interval{200};
};

// transfer(index, stop) moves item `index`; it should poll stop() (pass it as
// the transport's is_cancelled) and throw to fail. Returns when every item is
// done. Throws the first error of any worker or of `periodic` (the others
// then see stop() and their own errors are dropped); when the job was
// cancelled and nothing failed, throws Error(cancelled, "cancelled"). A hook
// whose failure should not end the transfer catches it itself (and warns).
void run_transfers(size_t item_count,
                   const std::function<void(size_t index, const StopSignal& stop)>& transfer,
                   const std::function<bool()>& cancelled, const TransferPoolOptions& options = {},
                   const std::function<void()>& periodic = {});

}  // namespace hypersdk::provider
