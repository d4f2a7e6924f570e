#include "vm_json.hpp"

namespace hypersdk::vsphere::plugin {
namespace {

void key(JsonWriter& w, const char* k, const std::string& v) {
    w.Key(k);
    w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
}

}  // namespace

std::string summaries_json(const std::vector<VmEntry>& vms) {
    rapidjson::StringBuffer out;
    JsonWriter w(out);
    w.StartArray();
    for (const auto& vm : vms) {
        w.StartObject();
        key(w, "id", vm.ref.value);
        key(w, "name", vm.name);
        key(w, "power_state", vm.power_state);
        key(w, "path", vm.path);
        key(w, "datacenter", vm.datacenter);
        w.Key("cpu");
        w.Int(vm.cpu);
        w.Key("memory_mb");
        w.Int64(vm.memory_mb);
        w.Key("disk_bytes");
        w.Uint64(vm.disk_bytes);
        w.EndObject();
    }
    w.EndArray();
    return out.GetString();
}

void write_description_members(JsonWriter& w, const VmInfo& vm) {
    key(w, "id", vm.ref.value);
    key(w, "name", vm.name);
    key(w, "path", vm.path);
    key(w, "power_state", vm.power_state);
    key(w, "datacenter", vm.datacenter);
    w.Key("cpu");
    w.Int(vm.cpu);
    w.Key("memory_mb");
    w.Int64(vm.memory_mb);
    key(w, "firmware", vm.firmware);
    w.Key("secure_boot");
    w.Bool(vm.secure_boot);
    key(w, "guest_os", vm.guest_id);
    key(w, "guest_os_name", vm.guest_full_name);
    key(w, "uuid", vm.uuid);
    w.Key("disks");
    w.StartArray();
    for (const auto& d : vm.disks) {
        w.StartObject();
        key(w, "id", d.id);
        key(w, "label", d.label);
        w.Key("capacity_bytes");
        w.Uint64(d.capacity_bytes);
        key(w, "format", "vmdk");
        w.Key("boot_order_hint");
        w.Int(d.boot_order_hint);
        key(w, "source", d.file_name);
        key(w, "controller", d.controller);
        w.EndObject();
    }
    w.EndArray();
    w.Key("nics");
    w.StartArray();
    for (const auto& n : vm.nics) {
        w.StartObject();
        key(w, "id", n.id);
        key(w, "label", n.label);
        key(w, "mac", n.mac);
        key(w, "network", n.network);
        key(w, "adapter_type", n.adapter_type);
        w.EndObject();
    }
    w.EndArray();
}

std::string description_json(const VmInfo& vm) {
    rapidjson::StringBuffer out;
    JsonWriter w(out);
    w.StartObject();
    write_description_members(w, vm);
    w.EndObject();
    return out.GetString();
}

std::string file_stem(const std::string& vm_name) {
    std::string out;
    for (char c : vm_name) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                        c == '.' || c == '_' || c == '-';
        out += ok ? c : '_';
    }
    // Leading dots would make hidden files or "." / "..".
    while (!out.empty() && out.front() == '.') out.erase(out.begin());
    return out.empty() ? "vm" : out;
}

}  // namespace hypersdk::vsphere::plugin
