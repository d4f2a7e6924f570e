#include "signal_scope.hpp"

#include <csignal>

namespace hypersdk::host {
namespace {

// Job::cancel is a lock-free store, so it is safe in a signal handler; so
// are these atomics (lock-free on every platform we build for).
std::atomic<int> g_signal{0};
std::atomic<core::Job*> g_job{nullptr};
std::atomic<std::atomic<bool>*> g_flag{nullptr};

static_assert(std::atomic<core::Job*>::is_always_lock_free);
static_assert(std::atomic<int>::is_always_lock_free);

extern "C" void on_interrupt_signal(int signal_number) {
    int expected = 0;
    g_signal.compare_exchange_strong(expected, signal_number);
    if (core::Job* job = g_job.load()) job->cancel(core::CancelReason::user);
    if (std::atomic<bool>* flag = g_flag.load()) flag->store(true);
}

}  // namespace

void install_interrupt_handlers() {
    struct sigaction action {};
    action.sa_handler = on_interrupt_signal;
    sigemptyset(&action.sa_mask);
    // SA_RESTART: a signal must not turn a blocking read into a failure; the
    // work notices the cancelled job when it next polls.
    action.sa_flags = SA_RESTART;
    for (const int signal_number : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(signal_number, &action, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
}

bool interrupted() {
    return g_signal.load() != 0;
}

int interrupting_signal() {
    return g_signal.load();
}

CancelOnSignal::CancelOnSignal(core::Job& job) {
    g_job.store(&job);
    if (interrupted()) job.cancel(core::CancelReason::user);
}

CancelOnSignal::CancelOnSignal(std::atomic<bool>& flag) {
    g_flag.store(&flag);
    if (interrupted()) flag.store(true);
}

CancelOnSignal::~CancelOnSignal() {
    g_job.store(nullptr);
    g_flag.store(nullptr);
}

}  // namespace hypersdk::host
