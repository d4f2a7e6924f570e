#include "vm_json_writer.hpp"

#include "vm_view.hpp"

namespace hypersdk::azure::plugin {

void write_description_members(JsonWriter& w, const VmView& view) {
    const VmInfo& vm = view.vm;
    key(w, "id", vm.id.empty() ? vm.name : vm.id);
    key(w, "name", vm.name);
    key(w, "power_state", view.power_state);
    key(w, "platform_state", vm.power_state.empty() ? "unknown" : vm.power_state);
    if (!view.from_sas_urls) {
        key(w, "path", vm.resource_group + "/" + vm.name);
        key(w, "resource_group", vm.resource_group);
        key(w, "location", vm.location);
        key(w, "vm_size", vm.vm_size);
        key(w, "security_type", vm.security_type.empty() ? "Standard" : vm.security_type);
        key(w, "uuid", vm.vm_id);
    }
    w.Key("cpu");
    w.Int(view.cpu);
    w.Key("memory_mb");
    w.Int64(view.memory_mb);
    key(w, "firmware", view.from_sas_urls ? "unknown" : (vm.uefi ? "uefi" : "bios"));
    w.Key("secure_boot");
    w.Bool(vm.secure_boot);
    if (!vm.os_type.empty()) {
        key(w, "guest_os", vm.os_type == "Windows" ? "windows" : "linux");
        key(w, "guest_os_name", vm.os_type);
    }
    w.Key("disks");
    w.StartArray();
    for (size_t i = 0; i < view.disks.size(); ++i) {
        const DiskView& d = view.disks[i];
        w.StartObject();
        key(w, "id", d.id);
        key(w, "label", d.label);
        w.Key("capacity_bytes");
        w.Uint64(d.capacity_bytes);
        key(w, "format", "vhd");
        w.Key("boot_order_hint");
        w.Int(static_cast<int>(i));
        if (!d.resource_id.empty()) key(w, "source", d.resource_id);
        if (d.lun) {
            w.Key("lun");
            w.Int(*d.lun);
        }
        w.EndObject();
    }
    w.EndArray();
    w.Key("nics");
    w.StartArray();
    for (size_t i = 0; i < view.nics.size(); ++i) {
        w.StartObject();
        key(w, "id", "nic-" + std::to_string(i));
        key(w, "mac", view.nics[i].mac);
        key(w, "network", view.nics[i].network);
        key(w, "name", view.nics[i].name);
        w.EndObject();
    }
    w.EndArray();
}

}  // namespace hypersdk::azure::plugin
