// Running an external tool (qemu-img, hyper2kvm, virt-v2v) the way every
// converter needs: argv without a shell, its own process group, stdout and
// stderr read line by line as they come, and a cancellation check plus a
// deadline that end the whole process group (SIGTERM, then SIGKILL).
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace hypersdk::process {

enum class OutputStream { out, err };

struct ProcessSpec {
    // argv[0] is the program: an absolute or relative path (no PATH search;
    // use find_executable first).
    std::vector<std::string> argv;
    // The child's environment is the parent's without these variables and
    // without provider_credential_variables() (child_environment.hpp), then
    // `environment` added (replacing entries of the same name).
    std::vector<std::string> environment_unset;
    std::map<std::string, std::string> environment;
    // Empty = the parent's working directory.
    std::string working_directory;
    // The child's umask (e.g. 077: the files the tool creates itself are
    // private); -1 = the parent's.
    int umask = -1;
    // Zero = no deadline of our own (the job may still be cancelled).
    std::chrono::milliseconds timeout{0};
    // Time between SIGTERM and SIGKILL once we decide to stop the tool.
    std::chrono::milliseconds kill_grace{5000};
    // How often the cancellation callback is polled (at most 200 ms).
    std::chrono::milliseconds poll_interval{100};
};

enum class ProcessOutcome {
    exited,        // exit_code holds the status
    signaled,      // killed by a signal we did not send (term_signal)
    cancelled,     // should_cancel() said yes; the group was killed
    timed_out,     // spec.timeout passed; the group was killed
    spawn_failed,  // could not start (error says why)
};

struct ProcessResult {
    ProcessOutcome outcome = ProcessOutcome::spawn_failed;
    int exit_code = -1;
    int term_signal = 0;
    std::string error;  // spawn_failed: what went wrong
    double elapsed_seconds = 0;
    // The last lines of output (both streams), for error messages.
    std::deque<std::string> tail;

    bool succeeded() const { return outcome == ProcessOutcome::exited && exit_code == 0; }
    // "exit code 1", "killed by signal 9", "cancelled", ...
    std::string describe() const;
    // The tail joined with "\n" (at most max_lines lines).
    std::string tail_text(size_t max_lines = 20) const;
};

// Called for each complete line, without its terminator. Lines end at '\n'
// or '\r' (qemu-img -p redraws its progress with '\r'); "\r\n" is one end.
using LineCallback = std::function<void(OutputStream stream, std::string_view line)>;
// Polled at spec.poll_interval; true = stop the tool.
using CancelCheck = std::function<bool()>;

// Runs the process to completion. Never throws for the tool's own failures
// (they are in the result); never returns while a process of its group is
// still running or unreaped.
ProcessResult run_process(const ProcessSpec& spec, const LineCallback& on_line = {},
                          const CancelCheck& should_cancel = {});

// Splits a byte stream into lines as run_process does; exposed for tests and
// for parsing captured output.
class LineSplitter {
public:
    explicit LineSplitter(size_t max_line = 64 * 1024) : max_line_(max_line) {}
    // Feeds bytes; calls emit for every completed line.
    void feed(std::string_view bytes, const std::function<void(std::string_view)>& emit);
    // Emits what is left after the stream ended.
    void finish(const std::function<void(std::string_view)>& emit);

private:
    size_t max_line_;
    std::string pending_;
    bool last_was_cr_ = false;
};

}  // namespace hypersdk::process
