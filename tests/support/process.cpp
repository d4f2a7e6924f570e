#include "process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace hypersdk::test {
namespace {

// Builds the child's environment before fork (nothing allocates after it).
std::vector<std::string> child_environment(const ProcessOptions& options) {
    std::map<std::string, std::string> env;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        const std::string text(*entry);
        const auto eq = text.find('=');
        if (eq != std::string::npos) env[text.substr(0, eq)] = text.substr(eq + 1);
    }
    for (const auto& name : options.unset_env) env.erase(name);
    for (const auto& [name, value] : options.env) env[name] = value;
    std::vector<std::string> out;
    for (const auto& [name, value] : env) out.push_back(name + "=" + value);
    return out;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (auto& s : strings) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

// fork + exec in a new process group with the given stdin/stdout/stderr fds.
pid_t spawn(std::vector<std::string> argv, const ProcessOptions& options, int in_fd, int out_fd, int err_fd) {
    std::vector<std::string> env = child_environment(options);
    std::vector<char*> argv_ptrs = pointers(argv);
    std::vector<char*> env_ptrs = pointers(env);
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid == 0) {
        setpgid(0, 0);
        dup2(in_fd, 0);
        dup2(out_fd, 1);
        dup2(err_fd, 2);
        execvpe(argv_ptrs[0], argv_ptrs.data(), env_ptrs.data());
        const char* message = "exec failed\n";
        ssize_t ignored = write(2, message, std::strlen(message));
        (void)ignored;
        _exit(127);
    }
    setpgid(pid, pid);  // also from the parent: no race with an early signal
    return pid;
}

void fill_status(int status, ProcessResult& result) {
    if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string make_temp_file(const char* tag) {
    std::string name = std::string("/tmp/hypersdk-test-") + tag + "-XXXXXX";
    const int fd = mkstemp(name.data());
    if (fd < 0) throw std::runtime_error("mkstemp failed");
    close(fd);
    return name;
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options) {
    BackgroundProcess process(argv, options);
    return process.wait(std::chrono::duration_cast<std::chrono::milliseconds>(options.timeout));
}

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv, const ProcessOptions& options) {
    out_path_ = make_temp_file("out");
    err_path_ = make_temp_file("err");
    const std::string in_path = make_temp_file("in");
    {
        std::ofstream in(in_path, std::ios::binary);
        in << options.stdin_text;
    }
    const int in_fd = open(in_path.c_str(), O_RDONLY | O_CLOEXEC);
    const int out_fd = open(out_path_.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
    const int err_fd = open(err_path_.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
    unlink(in_path.c_str());
    pid_ = spawn(argv, options, in_fd, out_fd, err_fd);
    close(in_fd);
    close(out_fd);
    close(err_fd);
}

BackgroundProcess::~BackgroundProcess() {
    if (!reaped_ && pid_ > 0) {
        kill(-pid_, SIGKILL);
        int status = 0;
        waitpid(pid_, &status, 0);
    }
    unlink(out_path_.c_str());
    unlink(err_path_.c_str());
}

void BackgroundProcess::send_signal(int signal) {
    if (!reaped_) kill(pid_, signal);
}

std::string BackgroundProcess::out() const {
    return read_file(out_path_);
}
std::string BackgroundProcess::err() const {
    return read_file(err_path_);
}

bool BackgroundProcess::wait_for_output(const std::string& needle, std::chrono::milliseconds limit) const {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (out().find(needle) != std::string::npos || err().find(needle) != std::string::npos) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

ProcessResult BackgroundProcess::wait(std::chrono::milliseconds limit) {
    ProcessResult result;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    int status = 0;
    while (!reaped_) {
        const pid_t done = waitpid(pid_, &status, WNOHANG);
        if (done == pid_) {
            reaped_ = true;
            fill_status(status, result);
            break;
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            result.timed_out = true;
            kill(-pid_, SIGKILL);
            waitpid(pid_, &status, 0);
            reaped_ = true;
            fill_status(status, result);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    result.out = out();
    result.err = err();
    return result;
}

bool process_group_alive(pid_t pgid) {
    // Scan /proc rather than kill(-pgid, 0): a zombie nobody reaped yet would
    // answer kill() although it no longer runs.
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
        const std::string name = entry.path().filename().string();
        if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
        const std::string stat = read_file(entry.path().string() + "/stat");
        const auto close_paren = stat.rfind(')');
        if (close_paren == std::string::npos) continue;
        std::istringstream fields(stat.substr(close_paren + 2));
        char state = 0;
        pid_t parent = 0;
        pid_t group = 0;
        fields >> state >> parent >> group;
        if (group == pgid && state != 'Z' && state != 'X') return true;
    }
    return false;
}

}  // namespace hypersdk::test
