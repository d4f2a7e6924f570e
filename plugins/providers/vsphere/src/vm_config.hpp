// A VM's configuration as the export and the manifest need it: CPU, memory,
// firmware, guest OS, disks (with the boot disk first) and NICs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "inventory.hpp"
#include "session.hpp"

namespace hypersdk::vsphere {

struct DiskInfo {
    std::string id;     // "disk-0", "disk-1" in boot order
    int32_t key = 0;    // the VirtualDisk device key
    std::string label;  // "Hard disk 1"
    uint64_t capacity_bytes = 0;
    std::string file_name;   // "[LocalDS_0] vm/vm.vmdk"
    std::string controller;  // "scsi", "ide", "sata", "nvme"
    int32_t controller_key = 0;
    int32_t bus = 0;              // controller bus number
    int32_t unit = 0;             // unit number on the controller
    int32_t boot_order_hint = 0;  // 0 = boot disk
};

struct NicInfo {
    std::string id;  // "nic-0"
    int32_t key = 0;
    std::string label;         // "Network adapter 1"
    std::string adapter_type;  // "VirtualVmxnet3", "VirtualE1000", ...
    std::string mac;           // "00:50:56:aa:bb:cc"
    std::string network;       // network or port group name
};

struct VmInfo {
    MoRef ref;
    std::string name, path, datacenter, power_state;
    int32_t cpu = 0;
    int64_t memory_mb = 0;
    std::string firmware;  // "bios", "uefi" (vSphere's "efi") or "unknown"
    bool secure_boot = false;
    std::string guest_id;         // "ubuntu64Guest"
    std::string guest_full_name;  // "Ubuntu Linux (64-bit)"
    std::string uuid;             // BIOS UUID
    std::vector<DiskInfo> disks;
    std::vector<NicInfo> nics;
};

// Reads the configuration of a VM found with find_vm()/list_vms().
VmInfo describe_vm(Session& session, const VmEntry& vm);

// "scsi", "ide", "sata", "nvme" for a controller device type
// ("ParaVirtualSCSIController", "VirtualIDEController", ...), else "".
std::string controller_kind(const std::string& device_type);

// vSphere "efi" -> "uefi", "bios" -> "bios", else "unknown".
std::string firmware_name(const std::string& vsphere_firmware);

}  // namespace hypersdk::vsphere
