// An OVF 1.x descriptor generated from the VM's configuration, for servers
// without OvfManager.CreateDescriptor (vcsim 0.24.2; export_descriptor.hpp
// chooses): References (one File per disk), DiskSection, NetworkSection and a
// VirtualSystem with its OS and hardware (CPU, memory, disk controllers,
// disks, NICs).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "vm_config.hpp"

namespace hypersdk::vsphere::plugin {

struct OvfDiskFile {
    const DiskInfo* disk = nullptr;
    std::string file_name;  // bare name beside the .ovf
    uint64_t size = 0;      // bytes of the file (0: unknown, attribute left out)
    std::string device_id;  // the lease device key, for OvfManager.CreateDescriptor
};

// The descriptor text (UTF-8, with XML declaration).
std::string make_ovf_descriptor(const VmInfo& vm, const std::vector<OvfDiskFile>& files);

}  // namespace hypersdk::vsphere::plugin
