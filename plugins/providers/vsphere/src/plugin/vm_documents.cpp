#include "vm_documents.hpp"

namespace hypersdk::vsphere::plugin {
namespace {

// vSphere's words are the documented ones; any other is shown as the platform's.
void set_power_state(provider::PowerState& state, std::string& platform_state,
                     const std::string& vsphere_state) {
    state = provider::power_state_from_vsphere(vsphere_state);
    if (state == provider::PowerState::unknown) platform_state = vsphere_state;
}

}  // namespace

std::vector<provider::VmSummary> vm_summaries(const std::vector<VmEntry>& vms) {
    std::vector<provider::VmSummary> out;
    out.reserve(vms.size());
    for (const auto& vm : vms) {
        provider::VmSummary s;
        s.id = vm.ref.value;
        s.name = vm.name;
        set_power_state(s.power_state, s.platform_state, vm.power_state);
        s.path = vm.path;
        s.datacenter = vm.datacenter;
        s.cpu = vm.cpu;
        s.memory_mb = vm.memory_mb;
        s.disk_bytes = vm.disk_bytes;
        out.push_back(std::move(s));
    }
    return out;
}

provider::VmDescription vm_description(const VmInfo& vm) {
    provider::VmDescription d;
    d.id = vm.ref.value;
    d.name = vm.name;
    d.path = vm.path;
    set_power_state(d.power_state, d.platform_state, vm.power_state);
    d.datacenter = vm.datacenter;
    d.cpu = vm.cpu;
    d.memory_mb = vm.memory_mb;
    d.firmware = vm.firmware;
    d.secure_boot = vm.secure_boot;
    d.guest_os = vm.guest_id;
    d.guest_os_name = vm.guest_full_name;
    d.uuid = vm.uuid;
    for (const auto& disk : vm.disks) {
        provider::DiskDescription out;
        out.id = disk.id;
        out.label = disk.label;
        out.capacity_bytes = disk.capacity_bytes;
        out.format = "vmdk";
        out.boot_order_hint = disk.boot_order_hint;
        out.source = disk.file_name;
        out.controller = disk.controller;
        d.disks.push_back(std::move(out));
    }
    for (const auto& nic : vm.nics)
        d.nics.push_back({nic.id, nic.label, nic.mac, nic.network, nic.adapter_type});
    return d;
}

}  // namespace hypersdk::vsphere::plugin
