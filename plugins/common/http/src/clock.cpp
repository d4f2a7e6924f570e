#include "hypersdk/http/clock.hpp"

#include <algorithm>
#include <mutex>
#include <random>
#include <thread>

namespace hypersdk::http {
namespace {

class SystemClock : public Clock {
public:
    std::chrono::steady_clock::time_point now() override { return std::chrono::steady_clock::now(); }
    std::chrono::system_clock::time_point wall_now() override { return std::chrono::system_clock::now(); }
    bool sleep_for(std::chrono::milliseconds delay, const CancelFn& cancelled) override {
        const auto end = std::chrono::steady_clock::now() + delay;
        for (;;) {
            if (cancelled && cancelled()) return false;
            const auto now = std::chrono::steady_clock::now();
            if (now >= end) return true;
            std::this_thread::sleep_for(
                std::min<std::chrono::steady_clock::duration>(end - now, std::chrono::milliseconds(100)));
        }
    }
};

}  // namespace

std::shared_ptr<Clock> system_clock() {
    static const auto clock = std::make_shared<SystemClock>();
    return clock;
}

RandomFn default_random() {
    struct State {
        std::mutex mutex;
        std::mt19937_64 engine{std::random_device{}()};
        std::uniform_real_distribution<double> unit{0.0, 1.0};
    };
    auto state = std::make_shared<State>();
    return [state] {
        std::lock_guard lock(state->mutex);
        return state->unit(state->engine);
    };
}

}  // namespace hypersdk::http
