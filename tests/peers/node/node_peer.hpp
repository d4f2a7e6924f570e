// A Node.js test peer (s3rver, Azurite, a cloud peer of ours) started for a
// test the way the vcsim fixture starts vcsim: on a free 127.0.0.1 port,
// serving HTTPS with a self-signed certificate made here, in its own
// process group and temp directory, waited for (bounded) until it answers
// HTTP, and stopped with its children when the object goes away (also if the
// test process dies: the peer gets SIGKILL with its parent).
//
// Peers are given every endpoint and credential on their command line or in
// their environment; proxies are unset and no_proxy covers loopback, so
// nothing leaves 127.0.0.1. The modules come from BUILD_DIR/peers/node
// (scripts/install-node-peers), reached through NODE_PATH.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "process.hpp"
#include "temp_dir.hpp"
#include "test_certificate.hpp"

namespace hypersdk::test {

struct NodePeerOptions {
    std::string name;  // for messages: "azurite"
    // The program and its arguments. "{node}", "{modules}" (the node_modules
    // directory), "{port}", "{cert}", "{key}" and "{dir}" (the peer's own
    // temp directory) are replaced; a bare module name such as
    // "azurite-blob" is looked up in node_modules/.bin.
    std::vector<std::string> argv;
    std::map<std::string, std::string> env;  // added, with the same replacements
    std::string ready_path = "/";            // GET until any HTTP answer comes
    std::chrono::seconds ready_timeout{60};
};

class NodePeer {
public:
    // Throws std::runtime_error (with the peer's output) if it does not
    // answer in time, or when Node or the modules are missing.
    explicit NodePeer(NodePeerOptions options);
    ~NodePeer();
    NodePeer(const NodePeer&) = delete;
    NodePeer& operator=(const NodePeer&) = delete;

    uint16_t port() const { return port_; }
    std::string base_url() const { return "https://127.0.0.1:" + std::to_string(port_); }
    const TestCertificate& certificate() const { return certificate_; }
    std::string ca_file() const { return certificate_.cert_pem.string(); }
    const std::filesystem::path& dir() const { return dir_.path(); }
    pid_t pid() const { return pid_; }
    std::string output() const;  // stdout and stderr so far

    // SIGTERM to the peer's process group, up to 10 s, then SIGKILL. Idempotent.
    void stop();

    // BUILD_DIR/peers/node/node_modules, or $HYPERSDK_NODE_MODULES.
    static std::filesystem::path modules_dir();
    // `node` (the one CMake found), or $HYPERSDK_NODE.
    static std::filesystem::path node_binary();
    // Throws with what to run when the modules are not installed.
    static void require_modules();
    // The environment every Node process of the tests gets (NODE_PATH,
    // NODE_EXTRA_CA_CERTS when `ca_file` is given, loopback never proxied),
    // and what is removed from the caller's: proxies, and every AWS_*,
    // AZURE_*, GOOGLE_*, GCLOUD_*, CLOUDSDK_*, MSI_*, IDENTITY_* variable.
    static std::map<std::string, std::string> environment(const std::string& ca_file = {});
    static std::vector<std::string> environment_unset();

private:
    bool start_once(std::string& why);
    std::string expand(const std::string& text) const;

    NodePeerOptions options_;
    TempDir dir_;
    TestCertificate certificate_;
    uint16_t port_ = 0;
    pid_t pid_ = -1;
};

// Runs a Node script of the tests (tests/peers/...) to completion, bounded,
// with the environment above. Returns its exit status and output.
ProcessResult run_node_script(const std::filesystem::path& script, const std::vector<std::string>& args,
                              const std::string& ca_file,
                              std::chrono::seconds timeout = std::chrono::seconds(120),
                              const std::map<std::string, std::string>& extra_env = {});

}  // namespace hypersdk::test
