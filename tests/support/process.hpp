// Running a real program from a test: argv (no shell), extra environment,
// captured stdout/stderr, and a hard time limit so no test can hang.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace hypersdk::test {

struct ProcessResult {
    int exit_code = -1;  // -1 when killed by a signal
    int signal = 0;      // the signal that ended it, if any
    bool timed_out = false;
    std::string out;
    std::string err;
};

struct ProcessOptions {
    std::map<std::string, std::string> env;  // added to / overriding the environment
    std::vector<std::string> unset_env;      // removed from the environment
    std::chrono::seconds timeout{120};
    std::string stdin_text;
};

// Runs argv[0] (a path, or a name looked up in PATH) to completion or until
// the timeout, when its process group is killed.
ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options = {});

// A program started in the background, in its own process group, with output
// captured to files; for tests that signal it mid-run.
class BackgroundProcess {
public:
    BackgroundProcess(const std::vector<std::string>& argv, const ProcessOptions& options = {});
    ~BackgroundProcess();  // kills the group if still running
    BackgroundProcess(const BackgroundProcess&) = delete;
    BackgroundProcess& operator=(const BackgroundProcess&) = delete;

    pid_t pid() const { return pid_; }
    void send_signal(int signal);
    // Output captured so far.
    std::string out() const;
    std::string err() const;
    // Waits up to `limit` for a line containing `needle` in stdout or stderr.
    bool wait_for_output(const std::string& needle, std::chrono::milliseconds limit) const;
    // Waits up to `limit` for exit; on timeout kills the group and says so.
    ProcessResult wait(std::chrono::milliseconds limit);

private:
    pid_t pid_ = -1;
    std::string out_path_;
    std::string err_path_;
    bool reaped_ = false;
};

// True while any process of the group `pgid` is alive.
bool process_group_alive(pid_t pgid);

}  // namespace hypersdk::test
