// A vSphere simulator for tests: starts our vcsim build (scripts/build-vcsim)
// on a free 127.0.0.1 port with TLS and stops it when the object goes away.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

namespace hypersdk::test {

struct VcsimOptions {
    // When set, only this user/password may log in (otherwise vcsim accepts
    // any non-empty pair). The password reaches vcsim through its environment.
    std::string username = "hypersdk";
    std::string password = "vcsim-Pa55";
    bool nfc_range = true;  // false: NFC GET ignores Range (200 + whole file)
    int64_t nfc_rate = 0;   // NFC download limit, bytes/s (0: none)
    // > 0: every NFC disk download ends after this many bytes with the
    // connection closed and no Content-Length, so it looks complete.
    int64_t nfc_truncate = 0;
    std::chrono::milliseconds lease_init_delay{0};  // leases stay "initializing" this long
    // OvfManager.CreateDescriptor: "off" (MethodNotFound, as govmomi 0.24.2),
    // "on" (an envelope naming the simulator in its Annotation), "error"
    // (that plus an error[] entry), "invalid" (a descriptor that is not XML).
    std::string ovf_create_descriptor = "off";
    // Device URLs on a second listener with its own self-signed certificate
    // (not in ca_file), as an ESXi host behind vCenter: nfc_host(), published
    // with that certificate's SHA-1 as the lease's sslThumbprint, or with
    // `nfc_thumbprint` instead when set ("none": no sslThumbprint).
    bool nfc_other_host = false;
    std::string nfc_thumbprint{};
    std::chrono::seconds ready_timeout{30};
};

class Vcsim {
public:
    // Throws std::runtime_error (with vcsim's stderr) if it does not come up in time.
    explicit Vcsim(VcsimOptions options = {});
    ~Vcsim();  // stop()
    Vcsim(const Vcsim&) = delete;
    Vcsim& operator=(const Vcsim&) = delete;

    const std::string& url() const { return url_; }    // https://127.0.0.1:PORT/sdk
    const std::string& host() const { return host_; }  // 127.0.0.1:PORT
    const std::string& username() const { return options_.username; }
    const std::string& password() const { return options_.password; }
    const std::filesystem::path& ca_file() const {
        return ca_file_;
    }                                                             // server certificate (PEM, self-signed)
    const std::string& thumbprint_sha1() const { return sha1_; }  // "AA:BB:..."
    const std::string& thumbprint_sha256() const { return sha256_; }
    // With nfc_other_host: "127.0.0.1:PORT2" and its certificate's SHA-1.
    const std::string& nfc_host() const { return nfc_host_; }
    const std::string& nfc_thumbprint_sha1() const { return nfc_sha1_; }
    pid_t pid() const { return pid_; }
    std::string log() const;  // vcsim's stderr so far

    // PUT a local file into a datastore: https://HOST/folder/<path>?dcPath=..&dsName=..
    // e.g. upload_file(vmdk, "DC0_H0_VM0/disk1.vmdk") replaces that VM's first disk.
    void upload_file(const std::filesystem::path& local, const std::string& datastore_path,
                     const std::string& datacenter = "DC0", const std::string& datastore = "LocalDS_0") const;

    // SIGTERM, up to 10 s, then SIGKILL. Idempotent.
    void stop();
    // SIGKILL now (a server dying mid-transfer).
    void kill_now();

    // BUILD_DIR/peers/vcsim/vcsim, or $HYPERSDK_VCSIM when set.
    static std::filesystem::path binary();

private:
    void reap(std::chrono::milliseconds limit);

    VcsimOptions options_;
    std::filesystem::path dir_;  // certificate and log
    pid_t pid_ = -1;
    int stdin_fd_ = -1;
    int stdout_fd_ = -1;
    std::string url_, host_, sha1_, sha256_, nfc_host_, nfc_sha1_;
    std::filesystem::path ca_file_;
};

}  // namespace hypersdk::test
