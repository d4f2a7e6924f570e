// The Azure test world on 127.0.0.1: Azurite (the real Blob emulator, which
// checks SAS signatures) holding each disk as a page blob uploaded from a
// qemu-img-made fixed VHD (only its non-zero pages, so the rest are holes),
// and the loopback Entra ID + ARM peer (arm_peer.cjs) that describes the VMs
// and hands out SAS URLs for those blobs. Both are stopped with the object.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "node_peer.hpp"
#include "temp_dir.hpp"

namespace hypersdk::test {

struct AzureDiskSpec {
    std::string name;           // the managed disk's name
    std::filesystem::path vhd;  // a fixed VHD (qemu-img -f vpc -o subformat=fixed,force_size=on)
    int lun = -1;               // -1: the OS disk
    // Zero runs shorter than this between data are uploaded as data (upload_vhd.cjs's
    // MERGE_GAP_BYTES): 0 keeps every zero page a hole; a real guest's disk wants 64 KiB.
    uint64_t upload_merge_gap = 0;
};

struct AzureVmSpec {
    std::string name = "web-01";
    std::string resource_group = "rg-migrate";
    std::string power_state = "running";  // running, deallocated, stopped, ...
    bool trusted_launch = true;
    bool secure_boot = true;
    std::vector<AzureDiskSpec> disks;
    std::string mac = "00-0D-3A-12-34-56";
};

struct AzurePeersOptions {
    std::vector<AzureVmSpec> vms;
    std::string faults_json = "{}";  // arm_peer.cjs's "faults" member
};

class AzurePeers {
public:
    static constexpr const char* kTenant = "72f988bf-0000-4000-8000-000000000001";
    static constexpr const char* kClientId = "0b5f2c1e-0000-4000-8000-00000000c11e";
    static constexpr const char* kClientSecret = "peer-secret~Vq8Q2xZ7.do-not-log";
    static constexpr const char* kSubscription = "5a1e7c3d-0000-4000-8000-0000000005b5";

    explicit AzurePeers(AzurePeersOptions options);
    ~AzurePeers();

    std::string arm_url() const;    // also the authority host
    std::string ca_bundle() const;  // both peers' certificates, for --ca-file
    std::string azurite_url() const;
    // GET /_peer/state: the peer's record of snapshots, grants, calls, tokens.
    std::string state() const;
    NodePeer& arm() { return *arm_; }
    NodePeer& azurite() { return *azurite_; }

private:
    TempDir dir_;
    std::unique_ptr<NodePeer> azurite_;
    std::unique_ptr<NodePeer> arm_;
    std::filesystem::path bundle_;
};

// A raw test disk of `bytes` with data at several offsets and holes between
// them, made into a fixed VHD next to it; returns the VHD path.
std::filesystem::path make_fixed_vhd(const std::filesystem::path& raw, uint64_t bytes);

}  // namespace hypersdk::test
