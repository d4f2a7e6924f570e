#include "inventory.hpp"

#include <algorithm>
#include <cctype>
#include <map>

#include "errors.hpp"
#include "property_collector.hpp"

namespace hypersdk::vsphere {
namespace {

struct Node {
    MoRef ref;
    std::string name;
    MoRef parent;
};

uint64_t disk_capacity(pugi::xml_node devices) {
    uint64_t total = 0;
    for (auto device : devices.children()) {
        if (xsi_type(device) != "VirtualDisk") continue;
        auto bytes = child(device, "capacityInBytes");
        total += bytes ? bytes.text().as_ullong() : child(device, "capacityInKB").text().as_ullong() * 1024;
    }
    return total;
}

}  // namespace

std::string unescape_name(std::string_view name) {
    std::string out;
    for (size_t i = 0; i < name.size(); ++i) {
        if (name[i] == '%' && i + 2 < name.size()) {
            std::string code(name.substr(i + 1, 2));
            for (auto& c : code) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (code == "25" || code == "2f" || code == "5c") {
                out += code == "25" ? '%' : code == "2f" ? '/' : '\\';
                i += 2;
                continue;
            }
        }
        out += name[i];
    }
    return out;
}

std::vector<VmEntry> list_vms(Session& session) {
    const auto& content = session.service_content();
    auto objects =
        retrieve_properties(session,
                            {{"Folder", {"name", "parent"}},
                             {"Datacenter", {"name", "parent"}},
                             {"VirtualApp", {"name", "parent"}},
                             {"VirtualMachine",
                              {"name", "parent", "parentVApp", "runtime.powerState", "config.hardware.numCPU",
                               "config.hardware.memoryMB", "config.hardware.device"}}},
                            object_spec(content.root_folder, false, vm_inventory_traversal()));

    std::map<std::string, Node> nodes;  // by "Type:value"
    auto key = [](const MoRef& r) { return r.type + ":" + r.value; };
    for (const auto& o : objects) {
        MoRef parent = to_moref(o.get("parent"));
        if (parent.empty()) parent = to_moref(o.get("parentVApp"));
        nodes[key(o.obj)] = Node{o.obj, o.text("name"), parent};
    }

    std::vector<VmEntry> vms;
    for (const auto& o : objects) {
        if (o.obj.type != "VirtualMachine") continue;
        VmEntry vm;
        vm.ref = o.obj;
        vm.name = unescape_name(o.text("name"));
        vm.power_state = o.text("runtime.powerState");
        vm.cpu = o.get("config.hardware.numCPU").text().as_int();
        vm.memory_mb = o.get("config.hardware.memoryMB").text().as_llong();
        vm.disk_bytes = disk_capacity(o.get("config.hardware.device"));
        // Walk up to the root folder (bounded: inventories are not that deep).
        std::vector<std::string> names = {o.text("name")};
        MoRef up = nodes[key(o.obj)].parent;
        for (int depth = 0; depth < 256 && !up.empty() && !(up == content.root_folder); ++depth) {
            auto it = nodes.find(key(up));
            if (it == nodes.end()) break;
            if (up.type == "Datacenter") vm.datacenter = unescape_name(it->second.name);
            names.push_back(it->second.name);
            up = it->second.parent;
        }
        for (auto it = names.rbegin(); it != names.rend(); ++it) vm.path += "/" + *it;
        if (!session.config().datacenter.empty() && vm.datacenter != session.config().datacenter) continue;
        vms.push_back(std::move(vm));
    }
    std::sort(vms.begin(), vms.end(), [](const VmEntry& a, const VmEntry& b) { return a.path < b.path; });
    return vms;
}

VmEntry find_vm(Session& session, std::string_view ref) {
    std::string wanted(ref);
    while (wanted.size() > 1 && wanted.back() == '/') wanted.pop_back();
    if (wanted.empty())
        throw Error(ErrorKind::config, "no VM given: pass a name, an inventory path or an id");
    const auto vms = list_vms(session);
    const bool by_path = wanted.find('/') != std::string::npos;
    if (by_path && wanted.front() != '/') wanted = "/" + wanted;

    std::vector<const VmEntry*> matches;
    for (const auto& vm : vms) {
        if (by_path ? vm.path == wanted : vm.ref.value == wanted) return vm;
    }
    if (!by_path) {
        for (const auto& vm : vms) {
            if (vm.name == wanted) matches.push_back(&vm);
        }
    }
    const std::string where =
        session.config().url +
        (session.config().datacenter.empty() ? "" : " (datacenter " + session.config().datacenter + ")");
    if (matches.empty()) {
        throw Error(ErrorKind::not_found, "VM '" + std::string(ref) + "' not found at " + where +
                                              "; list the VMs with `hyperexport vms --provider vsphere`");
    }
    if (matches.size() > 1) {
        std::string paths;
        for (auto* m : matches) paths += (paths.empty() ? "" : ", ") + m->path;
        throw Error(ErrorKind::config, "VM name '" + std::string(ref) + "' is ambiguous at " + where +
                                           ": give its inventory path, one of " + paths);
    }
    return *matches.front();
}

}  // namespace hypersdk::vsphere
