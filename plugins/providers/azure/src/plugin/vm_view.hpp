// What the provider says about a VM: the ARM VM with its disks' exact sizes,
// its NICs and its size's CPUs and memory, in the host's terms (power state
// mapped to poweredOn/poweredOff/suspended/unknown, firmware bios/uefi).
#pragma once

#include <hypersdk/cxx/plugin.hpp>

#include <string>
#include <vector>

#include "compute.hpp"
#include "session.hpp"

namespace hypersdk::azure::plugin {

struct DiskView {
    std::string id;     // "disk-0" (the OS disk), "disk-1", ... (data disks by LUN)
    std::string label;  // the managed disk's name
    std::string resource_id;
    std::optional<int> lun;
    uint64_t capacity_bytes = 0;
    std::string sas_url;  // SAS mode only
};

struct VmView {
    VmInfo vm;
    std::string power_state;  // the host's word
    int cpu = 0;
    int64_t memory_mb = 0;
    std::vector<DiskView> disks;
    std::vector<NicInfo> nics;
    bool from_sas_urls = false;
};

// Azure's PowerState/<word> as the host's enumeration.
std::string host_power_state(const std::string& platform_state);

// "NAME" (with --resource-group, or searched in the subscription) or a full
// virtualMachines resource id. Throws Error(not_found / config).
VmInfo find_vm(Session& session, const std::string& vm_ref, const http::CancelFn& cancelled = {});

// The full view: disks (exact sizes), NICs, CPUs and memory (a failure to
// read the size table is a job warning, not an error).
VmView describe(Session& session, const std::string& vm_ref, const cxx::Job& job);

std::string summaries_json(Session& session, const std::vector<VmInfo>& vms, const cxx::Job& job);
std::string description_json(const VmView& view);

}  // namespace hypersdk::azure::plugin
