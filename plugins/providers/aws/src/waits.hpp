// Waiting for EC2's long-running operations: snapshots until completed,
// export tasks until completed, an instance until stopped. Each polls at an
// interval, reports progress, stops at once when cancelled (polled at least
// every 100 ms) and gives up after a timeout; a terminal failure (a snapshot
// in state "error", a cancelled export task) is an Error carrying AWS's
// message.
#pragma once

#include <hypersdk/http/clock.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ec2.hpp"

namespace hypersdk::aws {

struct WaitOptions {
    std::chrono::milliseconds poll{std::chrono::seconds(5)};
    std::chrono::milliseconds timeout{std::chrono::hours(12)};
    http::CancelFn is_cancelled;
    // A status line ("2 snapshots: 40%, 55%") and the fraction done, 0..1 (negative: unknown).
    std::function<void(const std::string& status, double fraction)> progress;
    std::shared_ptr<http::Clock> clock;  // null: the system's
};

std::vector<Snapshot> wait_for_snapshots(Ec2& ec2, const std::vector<std::string>& ids,
                                         const WaitOptions& options);
ExportTask wait_for_export_task(Ec2& ec2, const std::string& id, const WaitOptions& options);
Instance wait_for_instance_state(Ec2& ec2, const std::string& id, const std::string& state,
                                 const WaitOptions& options);

// "42%" -> 0.42; anything else -> -1.
double percent_fraction(const std::string& text);

}  // namespace hypersdk::aws
