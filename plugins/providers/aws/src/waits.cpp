#include "waits.hpp"

#include <cctype>

namespace hypersdk::aws {

namespace {

class Poller {
public:
    Poller(const WaitOptions& options, std::string what)
        : options_(options),
          clock_(options.clock ? options.clock : http::system_clock()),
          what_(std::move(what)),
          deadline_(clock_->now() + options.timeout) {}

    // Before each poll but the first: wait, or throw when cancelled or out of time.
    void next() {
        check_cancelled();
        if (first_) {
            first_ = false;
            return;
        }
        if (clock_->now() + options_.poll > deadline_)
            throw Error(ErrorKind::timeout,
                        "gave up waiting for " + what_ + " after " +
                            std::to_string(
                                std::chrono::duration_cast<std::chrono::seconds>(options_.timeout).count()) +
                            " s");
        const http::CancelFn cancelled = options_.is_cancelled ? options_.is_cancelled : [] { return false; };
        if (!clock_->sleep_for(options_.poll, cancelled)) check_cancelled();
        check_cancelled();
    }

    void report(const std::string& status, double fraction) const {
        if (options_.progress) options_.progress(status, fraction);
    }

private:
    void check_cancelled() const {
        if (options_.is_cancelled && options_.is_cancelled())
            throw Error(ErrorKind::cancelled, "cancelled while waiting for " + what_);
    }

    const WaitOptions& options_;
    std::shared_ptr<http::Clock> clock_;
    std::string what_;
    std::chrono::steady_clock::time_point deadline_;
    bool first_ = true;
};

}  // namespace

double percent_fraction(const std::string& text) {
    const size_t pct = text.find('%');
    if (pct == std::string::npos || pct == 0) return -1;
    size_t start = pct;
    while (start > 0 && std::isdigit(static_cast<unsigned char>(text[start - 1]))) --start;
    if (start == pct) return -1;
    return std::min(100, std::stoi(text.substr(start, pct - start))) / 100.0;
}

std::vector<Snapshot> wait_for_snapshots(Ec2& ec2, const std::vector<std::string>& ids,
                                         const WaitOptions& options) {
    Poller poller(
        options, "snapshots " + [&] {
            std::string list;
            for (const auto& id : ids) list += (list.empty() ? "" : ", ") + id;
            return list;
        }());
    for (;;) {
        poller.next();
        const auto snapshots = ec2.describe_snapshots(ids);
        if (snapshots.size() != ids.size())
            throw Error(ErrorKind::not_found, "EC2 described " + std::to_string(snapshots.size()) +
                                                  " of the " + std::to_string(ids.size()) +
                                                  " snapshots (ec2:DescribeSnapshots)");
        bool all_done = true;
        double sum = 0;
        std::string status;
        for (const auto& s : snapshots) {
            if (s.state == "error")
                throw Error(ErrorKind::invalid_state,
                            "snapshot " + s.id + " of volume " + s.volume_id + " ended in state error" +
                                (s.status_message.empty() ? "" : ": " + s.status_message) +
                                " (ec2:DescribeSnapshots)");
            all_done = all_done && s.state == "completed";
            const double f = s.state == "completed" ? 1.0 : std::max(0.0, percent_fraction(s.progress));
            sum += f;
            status += (status.empty() ? "" : ", ") + s.id + " " + (s.progress.empty() ? s.state : s.progress);
        }
        poller.report("snapshots: " + status,
                      snapshots.empty() ? 0 : sum / static_cast<double>(snapshots.size()));
        if (all_done) return snapshots;
    }
}

ExportTask wait_for_export_task(Ec2& ec2, const std::string& id, const WaitOptions& options) {
    Poller poller(options, "export task " + id);
    for (;;) {
        poller.next();
        const auto task = ec2.describe_export_task(id);
        if (task.state == "completed") return task;
        if (task.state == "cancelled" || task.state == "cancelling")
            throw Error(ErrorKind::invalid_state,
                        "export task " + id + " was " + task.state +
                            (task.status_message.empty() ? "" : ": " + task.status_message) +
                            " (ec2:DescribeExportTasks)");
        poller.report("export task " + id + ": " + task.state +
                          (task.status_message.empty() ? "" : " (" + task.status_message + ")"),
                      percent_fraction(task.status_message));
    }
}

Instance wait_for_instance_state(Ec2& ec2, const std::string& id, const std::string& state,
                                 const WaitOptions& options) {
    Poller poller(options, "instance " + id + " to be " + state);
    for (;;) {
        poller.next();
        auto found = ec2.describe_instances({id});
        if (found.empty())
            throw Error(ErrorKind::not_found, "instance " + id + " disappeared (ec2:DescribeInstances)");
        if (found[0].state == state) return found[0];
        if (found[0].state == "terminated" || found[0].state == "shutting-down")
            throw Error(ErrorKind::invalid_state, "instance " + id + " is " + found[0].state);
        poller.report("instance " + id + ": " + found[0].state, -1);
    }
}

}  // namespace hypersdk::aws
