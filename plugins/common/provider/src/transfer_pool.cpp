#include "hypersdk/provider/transfer_pool.hpp"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "hypersdk/provider/error.hpp"

namespace hypersdk::provider {

void run_transfers(size_t item_count,
                   const std::function<void(size_t index, const StopSignal& stop)>& transfer,
                   const std::function<bool()>& cancelled, const TransferPoolOptions& options,
                   const std::function<void()>& periodic) {
    using Clock = std::chrono::steady_clock;
    std::atomic<size_t> next{0};
    std::atomic<bool> stop{false};
    std::mutex mutex;
    std::condition_variable finished_cv;
    size_t finished_workers = 0;
    std::exception_ptr first_error;
    const auto fail = [&](std::exception_ptr error) {
        std::lock_guard lock(mutex);
        // The first failure is the cause; the others only saw `stop`.
        if (!first_error) first_error = std::move(error);
        stop = true;
    };
    const StopSignal signal(stop, cancelled);

    const size_t workers = std::min<size_t>(item_count, static_cast<size_t>(std::max(1, options.workers)));
    std::vector<std::thread> threads;
    threads.reserve(workers);
    for (size_t w = 0; w < workers; ++w) {
        threads.emplace_back([&] {
            for (size_t i = next++; i < item_count && !stop; i = next++) {
                try {
                    transfer(i, signal);
                } catch (...) {
                    fail(std::current_exception());
                }
            }
            std::lock_guard lock(mutex);
            ++finished_workers;
            finished_cv.notify_all();
        });
    }

    const auto poll = std::max(options.poll_interval, std::chrono::milliseconds(1));
    const bool has_hook = periodic && options.period.count() > 0;
    auto next_hook = Clock::now() + options.period;
    std::unique_lock lock(mutex);
    while (finished_workers < workers) {
        const auto wake = has_hook ? std::min(next_hook, Clock::now() + poll) : Clock::now() + poll;
        finished_cv.wait_until(lock, wake);
        if (finished_workers >= workers) break;
        if (cancelled && cancelled()) stop = true;
        if (!has_hook || stop || Clock::now() < next_hook) continue;
        lock.unlock();
        try {
            periodic();
        } catch (...) {
            fail(std::current_exception());
        }
        next_hook = Clock::now() + options.period;
        lock.lock();
    }
    lock.unlock();
    for (auto& t : threads) t.join();
    if (first_error) std::rethrow_exception(first_error);
    if (cancelled && cancelled()) throw Error(ErrorKind::cancelled, "cancelled");
}

}  // namespace hypersdk::provider
