// The VM inventory: every VM with its inventory path and datacenter, found
// with one PropertyCollector traversal from the root folder.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "session.hpp"

namespace hypersdk::vsphere {

struct VmEntry {
    MoRef ref;                // VirtualMachine vm-42
    std::string name;         // display name, '%2f' etc. decoded
    std::string path;         // "/DC0/vm/folder/name" (names as vSphere escapes them)
    std::string datacenter;   // "DC0"
    std::string power_state;  // poweredOn, poweredOff, suspended
    int32_t cpu = 0;
    int64_t memory_mb = 0;
    uint64_t disk_bytes = 0;  // sum of virtual disk capacities
};

// All VMs, in the configured datacenter when Config::datacenter is set.
std::vector<VmEntry> list_vms(Session& session);

// A VM by inventory path ("/DC0/vm/name"), managed object id ("vm-42") or
// name. Error(not_found) names what was looked for and where; a name that
// several VMs share is an Error(config) listing their paths.
VmEntry find_vm(Session& session, std::string_view ref);

// vSphere escapes '%', '/' and '\' in names as %25, %2f, %5c.
std::string unescape_name(std::string_view name);

}  // namespace hypersdk::vsphere
