// The provider kit's transfer pool (hypersdk/provider/transfer_pool.hpp):
// every item done with at most N at once, the first error stopping the
// others, cancellation, and the periodic hook on the calling thread.
#include <hypersdk/provider/error.hpp>
#include <hypersdk/provider/transfer_pool.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

namespace pk = hypersdk::provider;
using namespace std::chrono_literals;

namespace {

// Waits until stop() or `limit` passes; true when stopped.
bool wait_for_stop(const pk::StopSignal& stop, std::chrono::milliseconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
        if (stop()) return true;
        std::this_thread::sleep_for(2ms);
    }
    return false;
}

TEST(TransferPool, DoesEveryItemOnceWithAtMostNAtOnce) {
    constexpr size_t kItems = 12;
    std::vector<std::atomic<int>> runs(kItems);
    std::atomic<int> running{0}, most{0};
    pk::TransferPoolOptions o;
    o.workers = 3;
    pk::run_transfers(
        kItems,
        [&](size_t i, const pk::StopSignal&) {
            const int now = ++running;
            int seen = most.load();
            while (now > seen && !most.compare_exchange_weak(seen, now)) {
            }
            std::this_thread::sleep_for(5ms);
            ++runs[i];
            --running;
        },
        [] { return false; }, o);
    for (size_t i = 0; i < kItems; ++i) EXPECT_EQ(runs[i].load(), 1) << "item " << i;
    EXPECT_LE(most.load(), 3);
    EXPECT_GE(most.load(), 2);  // they did run in parallel
}

TEST(TransferPool, FirstErrorStopsTheOthersAndIsThrown) {
    std::atomic<int> started{0};
    std::atomic<bool> others_saw_stop{true};
    pk::TransferPoolOptions o;
    o.workers = 4;
    const auto begin = std::chrono::steady_clock::now();
    try {
        pk::run_transfers(
            8,
            [&](size_t i, const pk::StopSignal& stop) {
                ++started;
                if (i == 0) {
                    std::this_thread::sleep_for(20ms);
                    throw pk::Error(pk::ErrorKind::not_found, "disk 0 is gone");
                }
                // The others run "forever" unless told to stop.
                if (!wait_for_stop(stop, 10s)) others_saw_stop = false;
                throw pk::Error(pk::ErrorKind::cancelled, "stopped");
            },
            [] { return false; }, o);
        FAIL() << "no error thrown";
    } catch (const pk::Error& e) {
        EXPECT_EQ(e.kind(), pk::ErrorKind::not_found);
        EXPECT_STREQ(e.what(), "disk 0 is gone");
    }
    EXPECT_TRUE(others_saw_stop.load());
    EXPECT_LE(started.load(), 4);  // no new item started after the failure
    EXPECT_LT(std::chrono::steady_clock::now() - begin, 5s);
}

TEST(TransferPool, CancellationStopsWorkersAndThrowsCancelled) {
    std::atomic<bool> cancel{false};
    pk::TransferPoolOptions o;
    o.workers = 2;
    o.poll_interval = 10ms;
    std::thread canceller([&] {
        std::this_thread::sleep_for(50ms);
        cancel = true;
    });
    const auto begin = std::chrono::steady_clock::now();
    try {
        pk::run_transfers(
            4,
            // A worker that stops quietly (returns) when asked, as a download
            // whose transport ends early on cancellation might.
            [&](size_t, const pk::StopSignal& stop) { wait_for_stop(stop, 10s); },
            [&] { return cancel.load(); }, o);
        ADD_FAILURE() << "no error thrown";
    } catch (const pk::Error& e) {
        EXPECT_EQ(e.kind(), pk::ErrorKind::cancelled);
        EXPECT_EQ(pk::status_for(e.kind()), HYPERSDK_ERR_CANCELLED);
    }
    canceller.join();
    EXPECT_LT(std::chrono::steady_clock::now() - begin, 5s);
}

TEST(TransferPool, PeriodicHookRunsOnTheCallingThreadWhileWorkersRun) {
    const auto caller = std::this_thread::get_id();
    std::atomic<int> hooks{0};
    std::atomic<bool> hook_off_thread{false};
    std::mutex mutex;
    std::set<std::thread::id> worker_threads;
    pk::TransferPoolOptions o;
    o.workers = 2;
    o.period = 20ms;
    pk::run_transfers(
        2,
        [&](size_t, const pk::StopSignal&) {
            {
                std::lock_guard lock(mutex);
                worker_threads.insert(std::this_thread::get_id());
            }
            std::this_thread::sleep_for(300ms);
        },
        [] { return false; }, o,
        [&] {
            ++hooks;
            if (std::this_thread::get_id() != caller) hook_off_thread = true;
        });
    // 300 ms of work at one hook per 20 ms: several, not one per poll.
    EXPECT_GE(hooks.load(), 4);
    EXPECT_LE(hooks.load(), 16);
    EXPECT_FALSE(hook_off_thread.load());
    EXPECT_EQ(worker_threads.count(caller), 0u);
}

TEST(TransferPool, AHookThatThrowsStopsTheTransfer) {
    pk::TransferPoolOptions o;
    o.workers = 1;
    o.period = 10ms;
    try {
        pk::run_transfers(
            1, [&](size_t, const pk::StopSignal& stop) { wait_for_stop(stop, 10s); }, [] { return false; }, o,
            [] {
                throw pk::Error(pk::ErrorKind::auth,
                                "the token could not be refreshed: check AZURE_CLIENT_SECRET");
            });
        FAIL() << "no error thrown";
    } catch (const pk::Error& e) {
        EXPECT_EQ(e.kind(), pk::ErrorKind::auth);
    }
}

TEST(TransferPool, NoItemsIsNoWork) {
    int hooks = 0;
    pk::run_transfers(
        0, [](size_t, const pk::StopSignal&) { FAIL(); }, [] { return false; }, {}, [&] { ++hooks; });
    EXPECT_EQ(hooks, 0);
}

}  // namespace
