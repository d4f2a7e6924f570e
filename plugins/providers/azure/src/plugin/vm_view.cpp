#include "vm_view.hpp"

#include <map>

#include "errors.hpp"
#include "vm_documents.hpp"

namespace hypersdk::azure::plugin {

VmInfo find_vm(Session& session, const std::string& vm_ref, const http::CancelFn& cancelled) {
    if (vm_ref.rfind("/subscriptions/", 0) == 0) {
        const ResourceId id = parse_resource_id(vm_ref);
        if (id.provider_type != "Microsoft.Compute/virtualMachines")
            throw Error(ErrorKind::config, "--vm " + vm_ref + " is not a virtualMachines resource id");
        return session.compute().get_vm(id.resource_group, id.name, cancelled);
    }
    const std::string& rg = session.config().resource_group;
    if (!rg.empty()) return session.compute().get_vm(rg, vm_ref, cancelled);
    // No resource group: the VM of that name in the subscription, if only one has it.
    std::vector<VmInfo> matches;
    for (auto& vm : session.compute().list_vms("", cancelled))
        if (vm.name == vm_ref) matches.push_back(std::move(vm));
    if (matches.empty())
        throw Error(ErrorKind::not_found, "no VM " + vm_ref + " in subscription " +
                                              session.config().azure.subscription_id +
                                              "; 'hyperexport vms --provider azure' lists them");
    if (matches.size() > 1)
        throw Error(ErrorKind::config, "VM name " + vm_ref + " is used in " + std::to_string(matches.size()) +
                                           " resource groups: pass --resource-group RG");
    return session.compute().get_vm(matches[0].resource_group, matches[0].name, cancelled);
}

VmView describe(Session& session, const std::string& vm_ref, const cxx::Job& job) {
    const http::CancelFn cancelled = [job] { return job.cancelled(); };
    VmView view;
    view.vm = find_vm(session, vm_ref, cancelled);
    for (size_t i = 0; i < view.vm.disks.size(); ++i) {
        const VmDisk& d = view.vm.disks[i];
        if (d.id.empty())
            throw Error(ErrorKind::state, "disk " + d.name + " of VM " + view.vm.name +
                                              " is not a managed disk; only managed disks can be exported");
        DiskView disk;
        disk.id = "disk-" + std::to_string(i);
        disk.label = d.name;
        disk.resource_id = d.id;
        disk.lun = d.lun;
        disk.capacity_bytes = session.compute().get_disk(d.id, cancelled).size_bytes;
        view.disks.push_back(std::move(disk));
    }
    for (const auto& nic : view.vm.nic_ids) view.nics.push_back(session.compute().get_nic(nic, cancelled));
    try {
        for (const auto& size : session.compute().vm_sizes(view.vm.location, cancelled))
            if (size.name == view.vm.vm_size) {
                view.cpu = size.cores;
                view.memory_mb = size.memory_mb;
            }
    } catch (const Error& e) {
        if (e.kind() == ErrorKind::cancelled) throw;
        job.warning("describe",
                    "the CPUs and memory of size " + view.vm.vm_size + " are unknown: " + e.what());
    }
    return view;
}

std::vector<provider::VmSummary> list_vms(Session& session, const cxx::Job& job) {
    const http::CancelFn cancelled = [job] { return job.cancelled(); };
    const auto vms = session.compute().list_vms(session.config().resource_group, cancelled);
    // CPUs and memory by size, one size table per location.
    std::map<std::string, std::map<std::string, VmSize>> sizes;
    std::vector<provider::VmSummary> out;
    for (const auto& vm : vms) {
        if (!sizes.count(vm.location)) {
            auto& table = sizes[vm.location];
            try {
                for (auto& s : session.compute().vm_sizes(vm.location, cancelled)) table[s.name] = s;
            } catch (const Error& e) {
                if (e.kind() == ErrorKind::cancelled) throw;
                job.warning("list", "VM sizes of " + vm.location + " are unknown: " + e.what());
            }
        }
        const auto& table = sizes[vm.location];
        const auto size = table.find(vm.vm_size);
        out.push_back(
            vm_summary(vm, size == table.end() ? std::nullopt : std::optional<VmSize>(size->second)));
    }
    return out;
}

}  // namespace hypersdk::azure::plugin
