#include "vm_documents.hpp"

#include <hypersdk/provider/power_state.hpp>

namespace hypersdk::azure::plugin {
namespace {

std::string platform_state(const VmInfo& vm) {
    return vm.power_state.empty() ? "unknown" : vm.power_state;
}

}  // namespace

provider::VmSummary vm_summary(const VmInfo& vm, const std::optional<VmSize>& size) {
    provider::VmSummary s;
    s.id = vm.id;
    s.name = vm.name;
    s.power_state = provider::power_state_from_azure(vm.power_state);
    s.platform_state = platform_state(vm);
    s.path = vm.resource_group + "/" + vm.name;
    s.datacenter = vm.location;
    if (size) {
        s.cpu = size->cores;
        s.memory_mb = size->memory_mb;
    }
    uint64_t disk_bytes = 0;
    for (const auto& d : vm.disks) disk_bytes += d.size_gb << 30;  // ARM states whole GiB here
    s.disk_bytes = disk_bytes;
    return s;
}

provider::VmDescription vm_description(const VmView& view, const std::string& format) {
    const VmInfo& vm = view.vm;
    provider::VmDescription d;
    d.id = vm.id.empty() ? vm.name : vm.id;
    d.name = vm.name;
    d.power_state = provider::power_state_from_azure(vm.power_state);
    d.platform_state = platform_state(vm);
    if (view.from_sas_urls) {
        d.firmware = "unknown";  // the blobs alone do not say
    } else {
        d.path = vm.resource_group + "/" + vm.name;
        d.datacenter = vm.location;
        d.uuid = vm.vm_id;
        d.firmware = vm.uefi ? "uefi" : "bios";
        d.secure_boot = vm.secure_boot;
    }
    if (view.cpu > 0) {
        d.cpu = view.cpu;
        d.memory_mb = view.memory_mb;
    }
    if (!vm.os_type.empty()) {
        d.guest_os = vm.os_type == "Windows" ? "windows" : "linux";
        d.guest_os_name = vm.os_type;
    }
    for (size_t i = 0; i < view.disks.size(); ++i) {
        const DiskView& disk = view.disks[i];
        provider::DiskDescription out;
        out.id = disk.id;
        out.label = disk.label;
        out.capacity_bytes = disk.capacity_bytes;
        out.format = format;
        out.boot_order_hint = static_cast<int64_t>(i);  // the OS disk first, then data disks by LUN
        out.source = disk.resource_id;
        d.disks.push_back(std::move(out));
    }
    for (size_t i = 0; i < view.nics.size(); ++i) {
        provider::NicDescription nic;
        nic.id = "nic-" + std::to_string(i);
        nic.label = view.nics[i].name;
        nic.mac = view.nics[i].mac;
        nic.network = view.nics[i].network;
        d.nics.push_back(std::move(nic));
    }
    return d;
}

std::vector<std::pair<std::string, std::string>> azure_result_keys(const VmView& view) {
    if (view.from_sas_urls) return {};
    const VmInfo& vm = view.vm;
    return {{"resource_group", vm.resource_group},
            {"location", vm.location},
            {"vm_size", vm.vm_size},
            {"security_type", vm.security_type.empty() ? "Standard" : vm.security_type}};
}

}  // namespace hypersdk::azure::plugin
