#include "vcsim_fixture.hpp"

#include <curl/curl.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

extern char** environ;

namespace hypersdk::test {
namespace {

std::map<std::string, std::string> parse_ready_line(const std::string& line) {
    std::map<std::string, std::string> fields;
    std::istringstream in(line);
    std::string word;
    while (in >> word) {
        auto eq = word.find('=');
        if (eq != std::string::npos) fields[word.substr(0, eq)] = word.substr(eq + 1);
    }
    return fields;
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

}  // namespace

std::filesystem::path Vcsim::binary() {
    if (const char* env = std::getenv("HYPERSDK_VCSIM"); env && *env) return env;
    return HYPERSDK_VCSIM_BINARY;
}

Vcsim::Vcsim(VcsimOptions options) : options_(std::move(options)) {
    const auto exe = binary();
    if (access(exe.c_str(), X_OK) != 0) {
        throw std::runtime_error("vcsim not found at " + exe.string() +
                                 "; build it with scripts/build-vcsim BUILD_DIR (cmake --build does)");
    }
    char tmpl[] = "/tmp/hypersdk-vcsim-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error(std::string("mkdtemp: ") + std::strerror(errno));
    dir_ = tmpl;

    // Everything the child needs is built before fork (only exec after it).
    std::vector<std::string> args = {
        exe.string(),
        "-cert-dir",
        dir_.string(),
        "-nfc-range=" + std::string(options_.nfc_range ? "true" : "false"),
        "-nfc-rate=" + std::to_string(options_.nfc_rate),
        "-nfc-truncate=" + std::to_string(options_.nfc_truncate),
        "-lease-init-delay=" + std::to_string(options_.lease_init_delay.count()) + "ms",
        "-ovf-create-descriptor=" + options_.ovf_create_descriptor,
        "-nfc-other-host=" + std::string(options_.nfc_other_host ? "true" : "false"),
        "-nfc-thumbprint=" + options_.nfc_thumbprint};
    if (!options_.username.empty()) {
        args.push_back("-username");
        args.push_back(options_.username);
    }
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e) {
        if (std::strncmp(*e, "VCSIM_PASSWORD=", 15) != 0 && std::strncmp(*e, "TMPDIR=", 7) != 0)
            env.emplace_back(*e);
    }
    env.push_back("VCSIM_PASSWORD=" + options_.password);
    // The simulator's datastores are temp dirs: keep them in ours, so they go
    // with it even when vcsim is killed.
    env.push_back("TMPDIR=" + dir_.string());
    std::vector<char*> argv, envp;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);

    int in_pipe[2], out_pipe[2];
    if (pipe2(in_pipe, O_CLOEXEC) != 0 || pipe2(out_pipe, O_CLOEXEC) != 0) {
        throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    }
    const auto log_path = dir_ / "vcsim.log";
    int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    pid_ = fork();
    if (pid_ == 0) {
        dup2(in_pipe[0], 0);
        dup2(out_pipe[1], 1);
        if (log_fd >= 0) dup2(log_fd, 2);
        execve(argv[0], argv.data(), envp.data());
        _exit(127);
    }
    close(in_pipe[0]);
    close(out_pipe[1]);
    if (log_fd >= 0) close(log_fd);
    if (pid_ < 0) {
        close(in_pipe[1]);
        close(out_pipe[0]);
        throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    }
    // vcsim exits when this end closes: a crashed test never leaves it behind.
    stdin_fd_ = in_pipe[1];

    // Wait, bounded, for the ready line.
    std::string buffer;
    const auto deadline = std::chrono::steady_clock::now() + options_.ready_timeout;
    std::string line;
    while (line.empty()) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                                          std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        pollfd p{out_pipe[0], POLLIN, 0};
        int r = poll(&p, 1, static_cast<int>(left.count()));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        char chunk[4096];
        ssize_t n = read(out_pipe[0], chunk, sizeof chunk);
        if (n <= 0) break;  // EOF: vcsim died
        buffer.append(chunk, static_cast<size_t>(n));
        for (size_t nl; (nl = buffer.find('\n')) != std::string::npos; buffer.erase(0, nl + 1)) {
            if (buffer.rfind("VCSIM_READY ", 0) == 0) line = buffer.substr(0, nl);
        }
    }
    // Kept open until stop(): a write to a closed pipe would kill vcsim (SIGPIPE).
    stdout_fd_ = out_pipe[0];
    auto fields = parse_ready_line(line);
    if (line.empty() || fields["url"].empty() || fields["cafile"].empty()) {
        const std::string log_text = log();
        stop();
        std::filesystem::remove_all(dir_);
        throw std::runtime_error("vcsim did not report ready within " +
                                 std::to_string(options_.ready_timeout.count()) + " s; its log:\n" +
                                 log_text);
    }
    url_ = fields["url"];
    ca_file_ = fields["cafile"];
    sha1_ = fields["sha1"];
    sha256_ = fields["sha256"];
    nfc_host_ = fields["nfc"];
    nfc_sha1_ = fields["nfcsha1"];
    auto after_scheme = url_.substr(url_.find("://") + 3);
    host_ = after_scheme.substr(0, after_scheme.find('/'));
}

Vcsim::~Vcsim() {
    stop();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

std::string Vcsim::log() const {
    return read_file(dir_ / "vcsim.log");
}

void Vcsim::reap(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (pid_ > 0) {
        pid_t r = waitpid(pid_, nullptr, WNOHANG);
        if (r == pid_ || (r < 0 && errno == ECHILD)) {
            pid_ = -1;
            break;
        }
        if (std::chrono::steady_clock::now() >= deadline) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

void Vcsim::stop() {
    if (pid_ > 0) {
        ::kill(pid_, SIGTERM);
        reap(std::chrono::seconds(10));
        if (pid_ > 0) kill_now();
    }
    for (int* fd : {&stdin_fd_, &stdout_fd_}) {
        if (*fd >= 0) close(*fd);
        *fd = -1;
    }
}

void Vcsim::kill_now() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    reap(std::chrono::seconds(10));
}

void Vcsim::upload_file(const std::filesystem::path& local, const std::string& datastore_path,
                        const std::string& datacenter, const std::string& datastore) const {
    FILE* file = std::fopen(local.c_str(), "rb");
    if (!file) throw std::runtime_error("cannot open " + local.string());
    const auto size = std::filesystem::file_size(local);
    const std::string target =
        "https://" + host_ + "/folder/" + datastore_path + "?dcPath=" + datacenter + "&dsName=" + datastore;
    CURL* curl = curl_easy_init();
    char error[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(curl, CURLOPT_URL, target.c_str());
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READDATA, file);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(size));
    curl_easy_setopt(curl, CURLOPT_CAINFO, ca_file_.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(curl, CURLOPT_USERNAME, options_.username.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, options_.password.c_str());
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 300L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
    CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(curl);
    std::fclose(file);
    if (rc != CURLE_OK) throw std::runtime_error("upload to " + target + ": " + error);
    if (status != 200 && status != 201) {
        throw std::runtime_error("upload to " + target + ": HTTP " + std::to_string(status));
    }
}

}  // namespace hypersdk::test
