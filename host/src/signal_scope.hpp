// The one place hyperexport handles SIGINT, SIGTERM and SIGHUP: each does
// what Ctrl-C does. The handlers are installed once for the whole run
// (install_interrupt_handlers, from the CLI entry point); a command makes its
// current job interruptible with a CancelOnSignal for as long as the job
// runs. Cancelling a job makes the provider abort its export (lease aborted,
// only .part files left) and the converter kill its tool's process group.
// A signal that arrives between two jobs is remembered: the next
// CancelOnSignal cancels its job at once, and interrupted() says so.
#pragma once

#include <hypersdk/core/job.hpp>

#include <atomic>

namespace hypersdk::host {

// Installs the handlers (and ignores SIGPIPE, so a closed terminal or pipe
// makes writes fail instead of killing the process mid-cleanup).
void install_interrupt_handlers();

// True once SIGINT, SIGTERM or SIGHUP arrived in this run.
bool interrupted();
// The signal that arrived first (0 = none), for messages.
int interrupting_signal();

class CancelOnSignal {
public:
    explicit CancelOnSignal(core::Job& job);
    // For work that polls a flag instead of a Job (manifest verify's hashing).
    explicit CancelOnSignal(std::atomic<bool>& flag);
    ~CancelOnSignal();
    CancelOnSignal(const CancelOnSignal&) = delete;
    CancelOnSignal& operator=(const CancelOnSignal&) = delete;
};

}  // namespace hypersdk::host
