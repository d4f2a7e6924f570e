// Time and chance, injectable: the retry logic asks a Clock what time it is
// and to wait, and a Random for its jitter, so tests can run the real code
// without real waits and with known draws.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

namespace hypersdk::http {

using CancelFn = std::function<bool()>;

class Clock {
public:
    virtual ~Clock() = default;
    virtual std::chrono::steady_clock::time_point now() = 0;
    // For HTTP-dates (Retry-After: Fri, 31 Dec 1999 23:59:59 GMT).
    virtual std::chrono::system_clock::time_point wall_now() = 0;
    // Waits `delay`, returning early (false) when `cancelled` says so; it is
    // polled at least every 100 ms.
    virtual bool sleep_for(std::chrono::milliseconds delay, const CancelFn& cancelled) = 0;
};

// The real clocks and sleep.
std::shared_ptr<Clock> system_clock();

// Uniform in [0, 1). Called from any thread.
using RandomFn = std::function<double()>;

// A thread-safe generator seeded from std::random_device.
RandomFn default_random();

}  // namespace hypersdk::http
