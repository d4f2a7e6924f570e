#include "vm_config.hpp"

#include <algorithm>
#include <map>
#include <tuple>

#include "errors.hpp"
#include "property_collector.hpp"

namespace hypersdk::vsphere {
namespace {

struct Controller {
    std::string kind;
    int32_t bus = 0;
};

// Without an explicit boot order, the first disk on the first controller
// boots. Most VMs have a single controller kind; SCSI ranks first.
int controller_rank(const std::string& kind) {
    if (kind == "scsi") return 0;
    if (kind == "sata") return 1;
    if (kind == "nvme") return 2;
    if (kind == "ide") return 3;
    return 4;
}

// Names of the VM's networks (standard and distributed port groups) by moref value.
std::map<std::string, std::string> network_names(Session& session, pugi::xml_node networks) {
    std::string object_set;
    for (auto n : networks.children()) {
        if (n.type() == pugi::node_element) object_set += object_spec(to_moref(n), false);
    }
    std::map<std::string, std::string> names;
    if (object_set.empty()) return names;
    for (const auto& o : retrieve_properties(session, {{"Network", {"name"}}}, object_set)) {
        names[o.obj.value] = unescape_name(o.text("name"));
    }
    return names;
}

std::string nic_network(pugi::xml_node backing, const std::map<std::string, std::string>& names) {
    std::string key = to_moref(child(backing, "network")).value;
    if (key.empty()) key = child_text(child(backing, "port"), "portgroupKey");
    if (auto it = names.find(key); it != names.end()) return it->second;
    return child_text(backing, "deviceName");
}

}  // namespace

std::string controller_kind(const std::string& type) {
    if (type.find("IDE") != std::string::npos) return "ide";
    if (type.find("AHCI") != std::string::npos || type.find("SATA") != std::string::npos) return "sata";
    if (type.find("NVME") != std::string::npos) return "nvme";
    if (type.find("SCSI") != std::string::npos || type.find("LsiLogic") != std::string::npos ||
        type.find("BusLogic") != std::string::npos) {
        return "scsi";
    }
    return {};
}

std::string firmware_name(const std::string& vsphere_firmware) {
    if (vsphere_firmware == "efi") return "uefi";
    if (vsphere_firmware == "bios") return "bios";
    return "unknown";
}

VmInfo describe_vm(Session& session, const VmEntry& vm) {
    auto objects = retrieve_properties(
        session,
        {{"VirtualMachine",
          {"name", "runtime.powerState", "config.hardware.numCPU", "config.hardware.memoryMB",
           "config.firmware", "config.guestId", "config.guestFullName", "config.uuid",
           "config.hardware.device", "config.bootOptions", "network"}}},
        object_spec(vm.ref, false));
    if (objects.empty()) {
        throw Error(ErrorKind::not_found,
                    "VM " + vm.path + " (" + vm.ref.value + ") no longer exists at " + session.config().url);
    }
    const ObjectContent& o = objects.front();
    if (o.text("config.hardware.numCPU").empty()) {
        throw Error(ErrorKind::protocol,
                    "VM " + vm.path + " has no configuration (is it inaccessible or orphaned?)");
    }

    VmInfo info;
    info.ref = vm.ref;
    info.name = unescape_name(o.text("name"));
    info.path = vm.path;
    info.datacenter = vm.datacenter;
    info.power_state = o.text("runtime.powerState");
    info.cpu = o.get("config.hardware.numCPU").text().as_int();
    info.memory_mb = o.get("config.hardware.memoryMB").text().as_llong();
    info.firmware = firmware_name(o.text("config.firmware"));
    info.guest_id = o.text("config.guestId");
    info.guest_full_name = o.text("config.guestFullName");
    info.uuid = o.text("config.uuid");
    pugi::xml_node boot = o.get("config.bootOptions");
    info.secure_boot = child(boot, "efiSecureBootEnabled").text().as_bool();
    std::vector<int32_t> boot_order;
    for (auto b : children(boot, "bootOrder")) {
        if (xsi_type(b) == "VirtualMachineBootOptionsBootableDiskDevice")
            boot_order.push_back(child(b, "deviceKey").text().as_int());
    }

    pugi::xml_node devices = o.get("config.hardware.device");
    std::map<int32_t, Controller> controllers;
    for (auto d : devices.children()) {
        std::string kind = controller_kind(xsi_type(d));
        if (!kind.empty() && child(d, "busNumber")) {
            controllers[child(d, "key").text().as_int()] = {kind, child(d, "busNumber").text().as_int()};
        }
    }
    const auto networks = network_names(session, o.get("network"));
    for (auto d : devices.children()) {
        if (d.type() != pugi::node_element) continue;
        const std::string type = xsi_type(d);
        if (type == "VirtualDisk") {
            DiskInfo disk;
            disk.key = child(d, "key").text().as_int();
            disk.label = child_text(child(d, "deviceInfo"), "label");
            auto bytes = child(d, "capacityInBytes");
            disk.capacity_bytes =
                bytes ? bytes.text().as_ullong() : child(d, "capacityInKB").text().as_ullong() * 1024;
            disk.file_name = child_text(child(d, "backing"), "fileName");
            disk.controller_key = child(d, "controllerKey").text().as_int();
            disk.unit = child(d, "unitNumber").text().as_int();
            if (auto c = controllers.find(disk.controller_key); c != controllers.end()) {
                disk.controller = c->second.kind;
                disk.bus = c->second.bus;
            }
            info.disks.push_back(std::move(disk));
        } else if (child(d, "macAddress")) {  // every VirtualEthernetCard subtype
            NicInfo nic;
            nic.key = child(d, "key").text().as_int();
            nic.label = child_text(child(d, "deviceInfo"), "label");
            nic.adapter_type = type;
            nic.mac = child_text(d, "macAddress");
            nic.network = nic_network(child(d, "backing"), networks);
            info.nics.push_back(std::move(nic));
        }
    }

    // Boot disk first: the explicit boot order, then controller, bus, unit.
    auto rank = [&](const DiskInfo& disk) {
        auto it = std::find(boot_order.begin(), boot_order.end(), disk.key);
        int explicit_rank = it == boot_order.end() ? static_cast<int>(boot_order.size())
                                                   : static_cast<int>(it - boot_order.begin());
        return std::make_tuple(explicit_rank, controller_rank(disk.controller), disk.bus, disk.unit,
                               disk.key);
    };
    std::stable_sort(info.disks.begin(), info.disks.end(),
                     [&](const DiskInfo& a, const DiskInfo& b) { return rank(a) < rank(b); });
    for (size_t i = 0; i < info.disks.size(); ++i) {
        info.disks[i].id = "disk-" + std::to_string(i);
        info.disks[i].boot_order_hint = static_cast<int32_t>(i);
    }
    for (size_t i = 0; i < info.nics.size(); ++i) info.nics[i].id = "nic-" + std::to_string(i);
    return info;
}

}  // namespace hypersdk::vsphere
