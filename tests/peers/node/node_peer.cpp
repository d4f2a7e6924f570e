#include "node_peer.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace hypersdk::test {
namespace {

using namespace std::chrono_literals;

// A port the kernel considers free right now (the peer binds it soon after;
// a lost race makes the peer exit, and the start is tried again).
uint16_t free_port() {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error("socket failed");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
        close(fd);
        throw std::runtime_error("cannot bind a loopback port");
    }
    close(fd);
    return ntohs(address.sin_port);
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
}

// Any HTTP answer at all (even 400 or 403) means the peer is serving.
bool answers(const std::string& url, const std::string& ca_file) {
    CURL* curl = curl_easy_init();
    if (curl == nullptr) return false;
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_CAINFO, ca_file.c_str());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 2000L);
    curl_easy_setopt(curl, CURLOPT_PROXY, "");  // never through a proxy
    curl_easy_setopt(
        curl, CURLOPT_WRITEFUNCTION, +[](char*, size_t size, size_t count, void*) { return size * count; });
    const CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(curl);
    return rc == CURLE_OK && status > 0;
}

std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

}  // namespace

std::filesystem::path NodePeer::modules_dir() {
    if (const char* env = std::getenv("HYPERSDK_NODE_MODULES"); env && *env) return env;
    return HYPERSDK_NODE_MODULES;
}

std::filesystem::path NodePeer::node_binary() {
    if (const char* env = std::getenv("HYPERSDK_NODE"); env && *env) return env;
    return HYPERSDK_NODE;
}

void NodePeer::require_modules() {
    if (access(node_binary().c_str(), X_OK) != 0)
        throw std::runtime_error("Node.js not found at " + node_binary().string() +
                                 "; install Node.js 20 or later (scripts/setup does) or set HYPERSDK_NODE");
    if (!std::filesystem::is_directory(modules_dir()))
        throw std::runtime_error("the Node test peers are not installed in " + modules_dir().string() +
                                 "; run scripts/install-node-peers BUILD_DIR (scripts/setup does)");
}

std::map<std::string, std::string> NodePeer::environment(const std::string& ca_file) {
    std::map<std::string, std::string> env = {
        {"NODE_PATH", modules_dir().string()},
        {"NO_PROXY", "127.0.0.1,localhost,::1"},
        {"no_proxy", "127.0.0.1,localhost,::1"},
        // SDKs that would look for credentials or regions elsewhere (metadata
        // servers, files in $HOME) are given everything explicitly by the
        // scripts; these keep them from trying anyway.
        {"AWS_EC2_METADATA_DISABLED", "true"},
        {"NODE_OPTIONS", "--no-deprecation"},
    };
    if (!ca_file.empty()) env["NODE_EXTRA_CA_CERTS"] = ca_file;
    return env;
}

std::vector<std::string> NodePeer::environment_unset() {
    std::vector<std::string> names = {"HTTP_PROXY",  "HTTPS_PROXY", "http_proxy",
                                      "https_proxy", "ALL_PROXY",   "all_proxy"};
    // Whatever cloud account the caller has configured: an SDK must never pick it up.
    for (char** e = environ; *e != nullptr; ++e) {
        const std::string entry = *e;
        const std::string name = entry.substr(0, entry.find('='));
        for (const char* prefix : {"AWS_", "AZURE_", "GOOGLE_", "GCLOUD_", "CLOUDSDK_", "MSI_", "IDENTITY_"})
            if (name.rfind(prefix, 0) == 0) names.push_back(name);
    }
    return names;
}

NodePeer::NodePeer(NodePeerOptions options) : options_(std::move(options)) {
    require_modules();
    certificate_ = make_test_certificate(dir_.path(), options_.name + " test peer");
    std::string why;
    for (int attempt = 0; attempt < 3; ++attempt) {  // a port taken meanwhile: another one
        if (start_once(why)) return;
    }
    throw std::runtime_error(options_.name + " did not start: " + why);
}

NodePeer::~NodePeer() {
    stop();
}

std::string NodePeer::expand(const std::string& text) const {
    std::string out = text;
    replace_all(out, "{node}", node_binary().string());
    replace_all(out, "{modules}", modules_dir().string());
    replace_all(out, "{port}", std::to_string(port_));
    replace_all(out, "{cert}", certificate_.cert_pem.string());
    replace_all(out, "{key}", certificate_.key_pem.string());
    replace_all(out, "{dir}", dir_.path().string());
    return out;
}

bool NodePeer::start_once(std::string& why) {
    port_ = free_port();
    std::vector<std::string> args;
    for (const auto& a : options_.argv) args.push_back(expand(a));
    if (args.empty()) throw std::runtime_error(options_.name + ": no program given");
    if (args[0].find('/') == std::string::npos) {
        const auto bin = modules_dir() / ".bin" / args[0];
        if (access(bin.c_str(), X_OK) != 0)
            throw std::runtime_error(options_.name + ": " + bin.string() + " not found");
        args[0] = bin.string();
    }
    // The child's environment, built before fork (only exec after it).
    std::map<std::string, std::string> env_map;
    for (char** e = environ; *e != nullptr; ++e) {
        const std::string entry = *e;
        const auto eq = entry.find('=');
        if (eq != std::string::npos) env_map[entry.substr(0, eq)] = entry.substr(eq + 1);
    }
    for (const auto& name : environment_unset()) env_map.erase(name);
    for (const auto& [k, v] : environment(ca_file())) env_map[k] = v;
    for (const auto& [k, v] : options_.env) env_map[k] = expand(v);
    // A peer script run by node directly needs its interpreter on PATH.
    env_map["PATH"] = node_binary().parent_path().string() + ":" + env_map["PATH"];
    std::vector<std::string> env;
    for (const auto& [k, v] : env_map) env.push_back(k + "=" + v);
    std::vector<char*> argv, envp;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);

    const auto log_path = dir_.path() / "peer.log";
    const int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    const pid_t parent = getpid();
    pid_ = fork();
    if (pid_ == 0) {
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);  // a crashed test never leaves it behind
        if (getppid() != parent) _exit(127);
        const int null_fd = open("/dev/null", O_RDONLY);
        if (null_fd >= 0) dup2(null_fd, 0);
        if (log_fd >= 0) {
            dup2(log_fd, 1);
            dup2(log_fd, 2);
        }
        if (chdir(dir_.path().c_str()) != 0) _exit(126);
        execve(argv[0], argv.data(), envp.data());
        _exit(127);
    }
    if (log_fd >= 0) close(log_fd);
    if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    setpgid(pid_, pid_);

    const auto deadline = std::chrono::steady_clock::now() + options_.ready_timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            why = "it exited (" +
                  (WIFEXITED(status) ? "status " + std::to_string(WEXITSTATUS(status))
                                     : "signal " + std::to_string(WTERMSIG(status))) +
                  "); its output:\n" + output();
            return false;
        }
        if (answers(base_url() + options_.ready_path, ca_file())) return true;
        std::this_thread::sleep_for(100ms);
    }
    why = "no answer on " + base_url() + " within " + std::to_string(options_.ready_timeout.count()) +
          " s; its output:\n" + output();
    stop();
    throw std::runtime_error(options_.name + " did not start: " + why);
}

std::string NodePeer::output() const {
    return read_text(dir_.path() / "peer.log");
}

void NodePeer::stop() {
    if (pid_ <= 0) return;
    ::kill(-pid_, SIGTERM);
    bool reaped = false;
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!reaped && std::chrono::steady_clock::now() < deadline) {
        const pid_t r = waitpid(pid_, nullptr, WNOHANG);
        reaped = r == pid_ || (r < 0 && errno == ECHILD);
        if (!reaped) std::this_thread::sleep_for(20ms);
    }
    ::kill(-pid_, SIGKILL);                  // the group: children of the peer too
    if (!reaped) waitpid(pid_, nullptr, 0);  // SIGKILL cannot be ignored: this returns
    pid_ = -1;
}

ProcessResult run_node_script(const std::filesystem::path& script, const std::vector<std::string>& args,
                              const std::string& ca_file, std::chrono::seconds timeout,
                              const std::map<std::string, std::string>& extra_env) {
    NodePeer::require_modules();
    std::vector<std::string> argv = {NodePeer::node_binary().string(), script.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessOptions options;
    options.env = NodePeer::environment(ca_file);
    for (const auto& [k, v] : extra_env) options.env[k] = v;
    options.unset_env = NodePeer::environment_unset();
    options.timeout = timeout;
    return run_process(argv, options);
}

}  // namespace hypersdk::test
