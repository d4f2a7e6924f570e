#include "ovf_descriptor.hpp"

#include <pugixml.hpp>

#include <map>
#include <sstream>

namespace hypersdk::vsphere::plugin {
namespace {

constexpr const char* kVmdkFormat =
    "http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized";

// rasd elements must appear in schema (alphabetical) order: a std::map keeps them so.
using Rasd = std::map<std::string, std::string>;

void add_item(pugi::xml_node hardware, const Rasd& rasd) {
    auto item = hardware.append_child("Item");
    for (const auto& [name, value] : rasd)
        item.append_child(("rasd:" + name).c_str()).text().set(value.c_str());
}

void add_info(pugi::xml_node section, const char* text) {
    section.append_child("Info").text().set(text);
}

struct Controller {
    std::string kind;
    int32_t bus = 0;
    int instance = 0;
};

Rasd controller_rasd(const Controller& c) {
    Rasd r{{"Address", std::to_string(c.bus)}, {"InstanceID", std::to_string(c.instance)}};
    if (c.kind == "ide") {
        r["ElementName"] = "IDE Controller " + std::to_string(c.bus);
        r["ResourceType"] = "5";
    } else if (c.kind == "sata") {
        r["ElementName"] = "SATA Controller " + std::to_string(c.bus);
        r["ResourceSubType"] = "vmware.sata.ahci";
        r["ResourceType"] = "20";
    } else if (c.kind == "nvme") {
        r["ElementName"] = "NVMe Controller " + std::to_string(c.bus);
        r["ResourceSubType"] = "vmware.nvme.controller";
        r["ResourceType"] = "20";
    } else {
        r["ElementName"] = "SCSI Controller " + std::to_string(c.bus);
        r["ResourceSubType"] = "lsilogic";
        r["ResourceType"] = "6";
    }
    return r;
}

// "VirtualVmxnet3" -> "VmxNet3", "VirtualE1000e" -> "E1000e".
std::string nic_subtype(const std::string& adapter_type) {
    if (adapter_type == "VirtualVmxnet3") return "VmxNet3";
    if (adapter_type.rfind("Virtual", 0) == 0) return adapter_type.substr(7);
    return adapter_type;
}

}  // namespace

std::string make_ovf_descriptor(const VmInfo& vm, const std::vector<OvfDiskFile>& files) {
    pugi::xml_document doc;
    auto decl = doc.append_child(pugi::node_declaration);
    decl.append_attribute("version") = "1.0";
    decl.append_attribute("encoding") = "UTF-8";

    auto env = doc.append_child("Envelope");
    env.append_attribute("xmlns") = "http://schemas.dmtf.org/ovf/envelope/1";
    env.append_attribute("xmlns:ovf") = "http://schemas.dmtf.org/ovf/envelope/1";
    env.append_attribute("xmlns:cim") = "http://schemas.dmtf.org/wbem/wscim/1/common";
    env.append_attribute("xmlns:rasd") =
        "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData";
    env.append_attribute("xmlns:vssd") =
        "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData";
    env.append_attribute("xmlns:vmw") = "http://www.vmware.com/schema/ovf";
    env.append_attribute("xmlns:xsi") = "http://www.w3.org/2001/XMLSchema-instance";

    auto refs = env.append_child("References");
    for (size_t i = 0; i < files.size(); ++i) {
        auto f = refs.append_child("File");
        f.append_attribute("ovf:href") = files[i].file_name.c_str();
        f.append_attribute("ovf:id") = ("file" + std::to_string(i + 1)).c_str();
        if (files[i].size > 0) f.append_attribute("ovf:size") = std::to_string(files[i].size).c_str();
    }

    auto disks = env.append_child("DiskSection");
    add_info(disks, "Virtual disk information");
    for (size_t i = 0; i < files.size(); ++i) {
        auto d = disks.append_child("Disk");
        d.append_attribute("ovf:capacity") = std::to_string(files[i].disk->capacity_bytes).c_str();
        d.append_attribute("ovf:capacityAllocationUnits") = "byte";
        d.append_attribute("ovf:diskId") = ("vmdisk" + std::to_string(i + 1)).c_str();
        d.append_attribute("ovf:fileRef") = ("file" + std::to_string(i + 1)).c_str();
        d.append_attribute("ovf:format") = kVmdkFormat;
    }

    auto networks = env.append_child("NetworkSection");
    add_info(networks, "The list of logical networks");
    std::map<std::string, bool> seen;
    for (const auto& nic : vm.nics) {
        if (nic.network.empty() || seen[nic.network]) continue;
        seen[nic.network] = true;
        auto n = networks.append_child("Network");
        n.append_attribute("ovf:name") = nic.network.c_str();
        n.append_child("Description").text().set(("The " + nic.network + " network").c_str());
    }

    auto system = env.append_child("VirtualSystem");
    system.append_attribute("ovf:id") = vm.name.c_str();
    add_info(system, "A virtual machine");
    system.append_child("Name").text().set(vm.name.c_str());

    auto os = system.append_child("OperatingSystemSection");
    os.append_attribute("ovf:id") = "1";  // CIM "Other": the precise type is vmw:osType
    if (!vm.guest_id.empty()) os.append_attribute("vmw:osType") = vm.guest_id.c_str();
    add_info(os, "The kind of installed guest operating system");
    if (!vm.guest_full_name.empty()) os.append_child("Description").text().set(vm.guest_full_name.c_str());

    auto hw = system.append_child("VirtualHardwareSection");
    add_info(hw, "Virtual hardware requirements");
    auto sys = hw.append_child("System");
    sys.append_child("vssd:ElementName").text().set("Virtual Hardware Family");
    sys.append_child("vssd:InstanceID").text().set("0");
    sys.append_child("vssd:VirtualSystemIdentifier").text().set(vm.name.c_str());
    sys.append_child("vssd:VirtualSystemType").text().set("vmx-13");

    int instance = 1;
    add_item(hw, {{"AllocationUnits", "hertz * 10^6"},
                  {"Description", "Number of Virtual CPUs"},
                  {"ElementName", std::to_string(vm.cpu) + " virtual CPU(s)"},
                  {"InstanceID", std::to_string(instance++)},
                  {"ResourceType", "3"},
                  {"VirtualQuantity", std::to_string(vm.cpu)}});
    add_item(hw, {{"AllocationUnits", "byte * 2^20"},
                  {"Description", "Memory Size"},
                  {"ElementName", std::to_string(vm.memory_mb) + "MB of memory"},
                  {"InstanceID", std::to_string(instance++)},
                  {"ResourceType", "4"},
                  {"VirtualQuantity", std::to_string(vm.memory_mb)}});

    // One controller item per controller that holds an exported disk.
    std::map<int32_t, Controller> controllers;
    for (const auto& f : files) {
        const DiskInfo& d = *f.disk;
        if (controllers.count(d.controller_key) != 0) continue;
        Controller c{d.controller, d.bus, instance++};
        add_item(hw, controller_rasd(c));
        controllers[d.controller_key] = c;
    }
    for (size_t i = 0; i < files.size(); ++i) {
        const DiskInfo& d = *files[i].disk;
        add_item(hw, {{"AddressOnParent", std::to_string(d.unit)},
                      {"ElementName", d.label.empty() ? d.id : d.label},
                      {"HostResource", "ovf:/disk/vmdisk" + std::to_string(i + 1)},
                      {"InstanceID", std::to_string(instance++)},
                      {"Parent", std::to_string(controllers[d.controller_key].instance)},
                      {"ResourceType", "17"}});
    }
    for (size_t i = 0; i < vm.nics.size(); ++i) {
        const NicInfo& n = vm.nics[i];
        Rasd r{{"AddressOnParent", std::to_string(7 + i)},        {"AutomaticAllocation", "true"},
               {"ElementName", n.label.empty() ? n.id : n.label}, {"InstanceID", std::to_string(instance++)},
               {"ResourceSubType", nic_subtype(n.adapter_type)},  {"ResourceType", "10"}};
        if (!n.network.empty()) r["Connection"] = n.network;
        if (!n.mac.empty()) r["Address"] = n.mac;
        add_item(hw, r);
    }
    if (vm.firmware == "uefi") {
        auto cfg = hw.append_child("vmw:Config");
        cfg.append_attribute("ovf:required") = "false";
        cfg.append_attribute("vmw:key") = "firmware";
        cfg.append_attribute("vmw:value") = "efi";
    }

    std::ostringstream out;
    doc.save(out, "  ", pugi::format_default, pugi::encoding_utf8);
    return out.str();
}

}  // namespace hypersdk::vsphere::plugin
