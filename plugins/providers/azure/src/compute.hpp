// The Azure resources the provider reads and the operations it runs, on
// ArmClient with explicit api-versions: virtual machines (hardware, security
// and storage profiles, power state from the instance view), VM sizes,
// managed disks, NICs (Microsoft.Network), snapshots, grant/revoke access and
// deallocation (long-running operations).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "arm_client.hpp"

namespace hypersdk::azure {

inline constexpr const char* kComputeApiVersion = "2024-03-01";  // virtualMachines, vmSizes
inline constexpr const char* kDiskApiVersion = "2023-10-02";     // disks, snapshots (DiskRP)
inline constexpr const char* kNetworkApiVersion = "2023-09-01";  // networkInterfaces

struct VmDisk {
    std::string name;
    std::string id;          // the managed disk's resource id
    std::optional<int> lun;  // none: the OS disk
    uint64_t size_gb = 0;    // as the VM states it (the disk's own diskSizeBytes is exact)
};

struct VmInfo {
    std::string id, name, resource_group, location, vm_id;
    std::string vm_size;
    std::string
        power_state;      // the platform's word: running, deallocated, stopped, starting, ... ("": unknown)
    std::string os_type;  // Linux, Windows
    std::string security_type;  // TrustedLaunch, ConfidentialVM, "" (standard)
    bool secure_boot = false;
    bool uefi = false;          // Trusted Launch or confidential VMs boot UEFI
    std::vector<VmDisk> disks;  // the OS disk first, then data disks by LUN
    std::vector<std::string> nic_ids;
};

struct DiskInfo {
    std::string id, name, location;
    uint64_t size_bytes = 0;  // diskSizeBytes (the blob is this plus the 512-byte VHD footer)
    std::string state;        // diskState: Attached, Reserved, Unattached, ActiveSAS, ...
    std::string hyperv_generation;
};

struct NicInfo {
    std::string id, name, mac;  // mac as "00:0d:3a:12:34:56"
    std::string network;        // the virtual network of the first IP configuration
};

struct VmSize {
    std::string name;
    int cores = 0;
    int64_t memory_mb = 0;
};

// Resource ids: "/subscriptions/S/resourceGroups/RG/providers/P/T/NAME".
struct ResourceId {
    std::string subscription, resource_group, provider_type, name;
};
// Throws Error(protocol) for anything else.
ResourceId parse_resource_id(const std::string& id);

class Compute {
public:
    explicit Compute(ArmClient& arm) : arm_(arm) {}

    VmInfo get_vm(const std::string& resource_group, const std::string& name,
                  const http::CancelFn& cancelled = {});
    // In one resource group, or the whole subscription when `resource_group` is empty.
    std::vector<VmInfo> list_vms(const std::string& resource_group, const http::CancelFn& cancelled = {});
    std::vector<VmSize> vm_sizes(const std::string& location, const http::CancelFn& cancelled = {});
    DiskInfo get_disk(const std::string& disk_id, const http::CancelFn& cancelled = {});
    NicInfo get_nic(const std::string& nic_id, const http::CancelFn& cancelled = {});

    // A full (not incremental) snapshot of `disk_id` as snapshot `name` in `resource_group`.
    void create_snapshot(const std::string& resource_group, const std::string& name,
                         const std::string& location, const std::string& disk_id, const LroOptions& options,
                         const http::CancelFn& cancelled = {});
    void delete_snapshot(const std::string& snapshot_id, const LroOptions& options,
                         const http::CancelFn& cancelled = {});
    // beginGetAccess (Read) on a disk or snapshot id: the SAS URL.
    std::string grant_read_access(const std::string& resource_id, int64_t duration_seconds,
                                  const LroOptions& options, const http::CancelFn& cancelled = {});
    void revoke_access(const std::string& resource_id, const LroOptions& options,
                       const http::CancelFn& cancelled = {});
    void deallocate(const VmInfo& vm, const LroOptions& options, const http::CancelFn& cancelled = {});

    std::string snapshot_id(const std::string& resource_group, const std::string& name) const;

private:
    ArmClient& arm_;
};

// A VM from its ARM JSON (get, or an item of list).
VmInfo vm_from_json(const rapidjson::Value& vm);

}  // namespace hypersdk::azure
