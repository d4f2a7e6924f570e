#include "vm_documents.hpp"

#include <hypersdk/provider/error.hpp>
#include <hypersdk/provider/power_state.hpp>

namespace hypersdk::gcp::plugin {
namespace pk = hypersdk::provider;

namespace {
uint64_t disk_bytes(const InstanceInfo& vm) {
    uint64_t total = 0;
    for (const auto& d : vm.disks) total += d.size_bytes;
    return total;
}
}  // namespace

pk::VmSummary vm_summary(const InstanceInfo& vm) {
    pk::VmSummary s;
    s.id = vm.zone + "/" + vm.name;
    s.name = vm.name;
    s.power_state = pk::power_state_from_gce(vm.status);
    s.platform_state = vm.status;
    s.datacenter = vm.zone;
    if (vm.cpus > 0) s.cpu = vm.cpus;
    if (vm.memory_mb > 0) s.memory_mb = vm.memory_mb;
    s.disk_bytes = disk_bytes(vm);
    return s;
}

pk::VmDescription vm_description(const InstanceInfo& vm, const std::string& project,
                                 const std::string& format) {
    pk::VmDescription d;
    d.id = vm.zone + "/" + vm.name;
    d.name = vm.name;
    d.power_state = pk::power_state_from_gce(vm.status);
    d.platform_state = vm.status;
    d.datacenter = vm.zone;
    d.path = "projects/" + project + "/zones/" + vm.zone + "/instances/" + vm.name;
    if (vm.cpus > 0) d.cpu = vm.cpus;
    if (vm.memory_mb > 0) d.memory_mb = vm.memory_mb;
    d.firmware = vm.uefi ? "uefi" : "bios";
    d.secure_boot = vm.secure_boot;
    d.uuid = vm.id;
    for (size_t i = 0; i < vm.disks.size(); ++i) {
        const DiskInfo& disk = vm.disks[i];
        pk::DiskDescription x;
        x.id = "disk-" + std::to_string(i);
        x.label = disk.device_name;
        x.capacity_bytes = disk.size_bytes;
        x.format = format;
        if (disk.boot) x.boot_order_hint = 0;
        x.source = disk.type == "local-ssd"
                       ? "local-ssd " + disk.device_name
                       : "projects/" + project + "/zones/" + disk.zone + "/disks/" + disk.name;
        x.controller = disk.interface;
        d.disks.push_back(x);
    }
    for (size_t i = 0; i < vm.nics.size(); ++i) {
        pk::NicDescription n;
        n.id = "nic-" + std::to_string(i);
        n.label = vm.nics[i].name;
        n.mac = vm.nics[i].mac;
        n.network = vm.nics[i].network;
        d.nics.push_back(n);
    }
    return d;
}

std::pair<std::string, std::string> split_vm_ref(const std::string& vm_ref) {
    const auto slash = vm_ref.find('/');
    if (slash == std::string::npos) return {"", vm_ref};
    if (slash == 0 || slash + 1 == vm_ref.size() || vm_ref.find('/', slash + 1) != std::string::npos)
        throw pk::Error(
            pk::ErrorKind::config,
            "instance \"" + vm_ref + "\" is neither NAME nor ZONE/NAME; pass --instance NAME --zone ZONE");
    return {vm_ref.substr(0, slash), vm_ref.substr(slash + 1)};
}

}  // namespace hypersdk::gcp::plugin
