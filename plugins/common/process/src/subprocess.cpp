#include "hypersdk/process/subprocess.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "hypersdk/process/child_environment.hpp"

extern char** environ;

namespace hypersdk::process {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kTailLines = 40;
constexpr size_t kTailLineChars = 1000;
// After the tool itself exited, how long we keep reading pipes that a
// descendant which left our process group may still hold open.
constexpr auto kDrainAfterExit = std::chrono::seconds(2);

// What the child reports through the exec-status pipe when it cannot exec.
struct ChildFailure {
    int stage;  // 0 = chdir, 1 = execve, 2 = dup2
    int error;
};

class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }
    int get() const { return fd_; }
    void reset(int fd = -1) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = fd;
    }

private:
    int fd_ = -1;
};

struct Pipe {
    Fd read;
    Fd write;
};

void make_pipe(Pipe& p) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
    p.read.reset(fds[0]);
    p.write.reset(fds[1]);
}

std::vector<char*> to_c_array(std::vector<std::string>& strings) {
    std::vector<char*> out;
    out.reserve(strings.size() + 1);
    for (auto& s : strings) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

// Runs in the forked child: only async-signal-safe calls from here on.
[[noreturn]] void exec_child(const char* path, char* const* argv, char* const* envp, const char* workdir,
                             int child_umask, int in_fd, int out_fd, int err_fd, int status_fd) {
    ::setpgid(0, 0);
    if (child_umask >= 0) ::umask(static_cast<mode_t>(child_umask));
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    // Ignored dispositions survive exec; the tool must see the defaults.
    for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD}) ::signal(sig, SIG_DFL);
    ChildFailure failure{2, 0};
    if (::dup2(in_fd, 0) < 0 || ::dup2(out_fd, 1) < 0 || ::dup2(err_fd, 2) < 0) {
        failure.error = errno;
    } else if (workdir != nullptr && ::chdir(workdir) != 0) {
        failure = {0, errno};
    } else {
        ::execve(path, argv, envp);
        failure = {1, errno};
    }
    ssize_t ignored = ::write(status_fd, &failure, sizeof failure);
    (void)ignored;
    ::_exit(127);
}

void set_nonblocking(int fd) {
    const int flags = ::fcntl(fd, F_GETFL);
    ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

std::string signal_name(int sig) {
    const char* name = ::sigabbrev_np(sig);
    return name != nullptr ? std::string("SIG") + name : "signal " + std::to_string(sig);
}

}  // namespace

std::string ProcessResult::describe() const {
    switch (outcome) {
        case ProcessOutcome::exited:
            return "exit code " + std::to_string(exit_code);
        case ProcessOutcome::signaled:
            return "killed by " + signal_name(term_signal);
        case ProcessOutcome::cancelled:
            return "cancelled";
        case ProcessOutcome::timed_out:
            return "timed out";
        case ProcessOutcome::spawn_failed:
            return error;
    }
    return "unknown outcome";
}

std::string ProcessResult::tail_text(size_t max_lines) const {
    std::string text;
    const size_t start = tail.size() > max_lines ? tail.size() - max_lines : 0;
    for (size_t i = start; i < tail.size(); ++i) {
        if (!text.empty()) text += '\n';
        text += tail[i];
    }
    return text;
}

void LineSplitter::feed(std::string_view bytes, const std::function<void(std::string_view)>& emit) {
    for (const char c : bytes) {
        if (c == '\n' && last_was_cr_) {
            // The '\n' of "\r\n": the line already ended at '\r'.
            last_was_cr_ = false;
            continue;
        }
        last_was_cr_ = c == '\r';
        if (c == '\n' || c == '\r') {
            emit(pending_);
            pending_.clear();
        } else {
            pending_ += c;
            if (pending_.size() >= max_line_) {
                emit(pending_);
                pending_.clear();
            }
        }
    }
}

void LineSplitter::finish(const std::function<void(std::string_view)>& emit) {
    if (!pending_.empty()) emit(pending_);
    pending_.clear();
    last_was_cr_ = false;
}

ProcessResult run_process(const ProcessSpec& spec, const LineCallback& on_line,
                          const CancelCheck& should_cancel) {
    ProcessResult result;
    const auto started = Clock::now();
    if (spec.argv.empty() || spec.argv.front().empty()) {
        result.error = "no program to run";
        return result;
    }
    const std::string& program = spec.argv.front();

    // Everything the child needs is built before fork.
    std::vector<std::string> argv_storage = spec.argv;
    std::vector<std::string> env_storage =
        child_environment(environ, spec.environment_unset, spec.environment);
    std::vector<char*> argv = to_c_array(argv_storage);
    std::vector<char*> envp = to_c_array(env_storage);
    const char* workdir = spec.working_directory.empty() ? nullptr : spec.working_directory.c_str();

    Pipe out, err, status;
    make_pipe(out);
    make_pipe(err);
    make_pipe(status);
    Fd devnull(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (devnull.get() < 0) throw std::runtime_error(std::string("open /dev/null: ") + std::strerror(errno));

    const pid_t pid = ::fork();
    if (pid < 0) {
        result.error = "cannot start " + program + ": fork: " + std::strerror(errno);
        return result;
    }
    if (pid == 0) {
        exec_child(program.c_str(), argv.data(), envp.data(), workdir, spec.umask, devnull.get(),
                   out.write.get(), err.write.get(), status.write.get());
    }
    // Also set the group from the parent, so a kill right after fork cannot
    // miss it (the child may not have run yet). EACCES after exec is fine.
    ::setpgid(pid, pid);
    out.write.reset();
    err.write.reset();
    status.write.reset();
    devnull.reset();

    // The status pipe closes on a successful exec (O_CLOEXEC) or carries why not.
    ChildFailure failure{};
    ssize_t got;
    do {
        got = ::read(status.read.get(), &failure, sizeof failure);
    } while (got < 0 && errno == EINTR);
    if (got == static_cast<ssize_t>(sizeof failure)) {
        int ignored;
        while (::waitpid(pid, &ignored, 0) < 0 && errno == EINTR) {
        }
        switch (failure.stage) {
            case 0:
                result.error = "cannot change to working directory " + spec.working_directory + ": " +
                               std::strerror(failure.error);
                break;
            case 1:
                result.error = "cannot run " + program + ": " + std::strerror(failure.error);
                break;
            default:
                result.error =
                    "cannot set up the standard streams of " + program + ": " + std::strerror(failure.error);
        }
        result.elapsed_seconds = std::chrono::duration<double>(Clock::now() - started).count();
        return result;
    }

    set_nonblocking(out.read.get());
    set_nonblocking(err.read.get());
    // Readable once the tool has exited, so the loop below wakes at its exit
    // instead of at the next poll interval: a tool's pipes close an instant
    // before it can be reaped, and without this the last wait cost up to
    // poll_interval per tool run. Where pidfds are missing (Linux < 5.3, a
    // seccomp filter), the interval still bounds the wait. (The syscall, not
    // glibc 2.36's pidfd_open: its <sys/pidfd.h> lacks extern "C".)
    Fd exit_fd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    LineSplitter split_out, split_err;
    auto deliver = [&](OutputStream stream, std::string_view line) {
        result.tail.emplace_back(line.substr(0, kTailLineChars));
        if (result.tail.size() > kTailLines) result.tail.pop_front();
        if (on_line) on_line(stream, line);
    };
    const std::function<void(std::string_view)> emit_out = [&](std::string_view line) {
        deliver(OutputStream::out, line);
    };
    const std::function<void(std::string_view)> emit_err = [&](std::string_view line) {
        deliver(OutputStream::err, line);
    };

    const auto poll_interval =
        std::clamp(spec.poll_interval, std::chrono::milliseconds(10), std::chrono::milliseconds(200));
    bool leader_exited = false;
    int wait_status = 0;
    Clock::time_point exited_at{};
    bool stopping = false;
    bool killed = false;
    Clock::time_point term_sent_at{};
    ProcessOutcome stop_reason = ProcessOutcome::cancelled;

    auto reap_leader = [&](bool block) {
        siginfo_t info{};
        const int flags = WEXITED | WNOWAIT | (block ? 0 : WNOHANG);
        int rc;
        do {
            rc = ::waitid(P_PID, pid, &info, flags);
        } while (rc < 0 && errno == EINTR);
        if (rc < 0 && errno == ECHILD) {  // SIGCHLD ignored by the host: already reaped
            leader_exited = true;
            exited_at = Clock::now();
            wait_status = -1;
            return;
        }
        if (rc != 0 || info.si_pid != pid) return;
        // The exited leader still pins the group id: kill what is left of the
        // group (helpers the tool started) before the id can be reused.
        ::kill(-pid, SIGKILL);
        while (::waitpid(pid, &wait_status, 0) < 0 && errno == EINTR) {
        }
        leader_exited = true;
        exited_at = Clock::now();
    };

    auto read_stream = [&](Fd& fd, LineSplitter& splitter,
                           const std::function<void(std::string_view)>& emit) {
        char buffer[8192];
        for (;;) {
            const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
            if (n > 0) {
                splitter.feed(std::string_view(buffer, static_cast<size_t>(n)), emit);
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
            splitter.finish(emit);  // EOF or a read error: the stream is over
            fd.reset();
            return;
        }
    };

    try {
        for (;;) {
            if (!leader_exited) reap_leader(false);
            const bool streams_open = out.read.get() >= 0 || err.read.get() >= 0;
            if (leader_exited && (!streams_open || Clock::now() - exited_at > kDrainAfterExit)) break;

            const auto now = Clock::now();
            if (!stopping && !leader_exited) {
                bool stop = false;
                if (should_cancel && should_cancel()) {
                    stop = true;
                    stop_reason = ProcessOutcome::cancelled;
                } else if (spec.timeout.count() > 0 && now - started >= spec.timeout) {
                    stop = true;
                    stop_reason = ProcessOutcome::timed_out;
                }
                if (stop) {
                    stopping = true;
                    term_sent_at = now;
                    ::kill(-pid, SIGTERM);
                }
            }
            if (stopping && !killed && !leader_exited && now - term_sent_at >= spec.kill_grace) {
                ::kill(-pid, SIGKILL);
                killed = true;
            }

            pollfd fds[3];
            nfds_t count = 0;
            int which[2];  // 0 = stdout, 1 = stderr; the exit pidfd comes after them
            if (out.read.get() >= 0) {
                fds[count] = {out.read.get(), POLLIN, 0};
                which[count++] = 0;
            }
            if (err.read.get() >= 0) {
                fds[count] = {err.read.get(), POLLIN, 0};
                which[count++] = 1;
            }
            const nfds_t stream_count = count;
            if (!leader_exited && exit_fd.get() >= 0) fds[count++] = {exit_fd.get(), POLLIN, 0};
            if (count == 0) {
                // Both streams closed, the tool still runs, no pidfd: wait.
                if (!leader_exited) ::poll(nullptr, 0, static_cast<int>(poll_interval.count()));
                continue;
            }
            const int ready = ::poll(fds, count, static_cast<int>(poll_interval.count()));
            if (ready < 0 && errno != EINTR)
                throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
            for (nfds_t i = 0; ready > 0 && i < stream_count; ++i) {
                if (fds[i].revents == 0) continue;
                if (which[i] == 0) {
                    read_stream(out.read, split_out, emit_out);
                } else {
                    read_stream(err.read, split_err, emit_err);
                }
            }
        }
    } catch (...) {
        // A callback threw: never leave the tool running behind us.
        if (!leader_exited) {
            ::kill(-pid, SIGKILL);
            reap_leader(true);
        }
        throw;
    }

    result.elapsed_seconds = std::chrono::duration<double>(Clock::now() - started).count();
    const bool status_known = wait_status != -1;
    if (status_known && WIFEXITED(wait_status)) result.exit_code = WEXITSTATUS(wait_status);
    if (status_known && WIFSIGNALED(wait_status)) result.term_signal = WTERMSIG(wait_status);
    if (stopping) {
        result.outcome = stop_reason;
    } else if (status_known && WIFSIGNALED(wait_status)) {
        result.outcome = ProcessOutcome::signaled;
    } else {
        result.outcome = ProcessOutcome::exited;
    }
    return result;
}

}  // namespace hypersdk::process
