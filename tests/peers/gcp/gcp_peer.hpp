// The loopback GCP peer (peer.cjs) started for a test: a fresh RSA key pair
// made here (OpenSSL), the service-account key file pointing its token_uri at
// the peer, and the peer given the public half only, so the token endpoint
// checks our JWTs with google-auth-library and nothing of ours.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "node_peer.hpp"
#include "temp_dir.hpp"

namespace hypersdk::test {

struct GcpPeerOptions {
    std::string project = "hypersdk-test";
    std::string instances_json = "[]";  // see peer.cjs
    std::string objects_json = "{}";
    std::string faults_json = "{}";
    std::string static_token;  // accepted as a ready token when set
    int operation_polls = 1;
    int build_polls = 2;
    int token_lifetime_seconds = 3600;
};

class GcpPeer {
public:
    explicit GcpPeer(GcpPeerOptions options = {});
    ~GcpPeer();

    std::string base_url() const { return peer_->base_url(); }
    std::string ca_file() const { return peer_->ca_file(); }
    std::string compute_endpoint() const { return base_url() + "/compute/v1"; }
    std::string cloudbuild_endpoint() const { return base_url() + "/cloudbuild/v1"; }
    std::string storage_endpoint() const { return base_url(); }  // STORAGE_EMULATOR_HOST
    const std::string& project() const { return options_.project; }
    const std::string& client_email() const { return client_email_; }

    // A service-account key file for the peer's account (mode 0600).
    std::filesystem::path key_file() const { return dir_ / "key.json"; }
    // The same account, kid and token_uri with another private key: refused.
    std::filesystem::path wrong_key_file() const { return dir_ / "wrong-key.json"; }
    // The PEM of the right private key (for redaction checks).
    const std::string& private_key_pem() const { return private_key_pem_; }
    // The PEM of wrong_key_file()'s private key (a secret no message may show).
    const std::string& wrong_private_key_pem() const { return wrong_private_key_pem_; }

    // What the peer was asked, one line per event (TOKEN issued, CREATE_IMAGE name, ...).
    std::string requests() const;
    const std::filesystem::path& dir() const { return dir_.path(); }
    NodePeer& node() { return *peer_; }

private:
    GcpPeerOptions options_;
    TempDir dir_;
    std::string client_email_;
    std::string private_key_pem_;
    std::string wrong_private_key_pem_;
    std::unique_ptr<NodePeer> peer_;
};

// Writes a raw image of `bytes` (sparse on disk): 1 MiB of random data every
// `stride` bytes, an unaligned run in the middle, the last MiB; holes between.
void write_test_disk(const std::filesystem::path& path, uint64_t bytes, unsigned seed,
                     uint64_t stride = 4u << 20);

}  // namespace hypersdk::test
