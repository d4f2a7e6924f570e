// What the provider finds out about a VM: the ARM VM with its disks' exact
// sizes, its NICs and its size's CPUs and memory (vm_documents.hpp writes it
// in the host's terms); and the list of VMs with their sizes' CPUs and memory.
#pragma once

#include <hypersdk/cxx/plugin.hpp>
#include <hypersdk/provider/documents.hpp>

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
    int cpu = 0;  // 0: the size table could not be read
    int64_t memory_mb = 0;
    std::vector<DiskView> disks;
    std::vector<NicInfo> nics;
    bool from_sas_urls = false;
};

// "NAME" (with --resource-group, or searched in the subscription) or a full
// virtualMachines resource id. Throws Error(not_found / config).
VmInfo find_vm(Session& session, const std::string& vm_ref, const http::CancelFn& cancelled = {});

// The full view: disks (exact sizes), NICs, CPUs and memory (a failure to
// read the size table is a job warning, not an error).
VmView describe(Session& session, const std::string& vm_ref, const cxx::Job& job);

// The VMs of --resource-group (or the subscription) as vm-summaries; a size
// table that cannot be read is a job warning (those VMs have no CPUs listed).
std::vector<provider::VmSummary> list_vms(Session& session, const cxx::Job& job);

}  // namespace hypersdk::azure::plugin
