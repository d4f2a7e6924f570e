#include "hypersdk/provider/documents.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>

namespace hypersdk::provider {
namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void string_member(JsonWriter& w, const char* key, const std::string& value) {
    w.Key(key);
    w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
}

void optional_string(JsonWriter& w, const char* key, const std::string& value) {
    if (!value.empty()) string_member(w, key, value);
}

template <typename T>
void optional_number(JsonWriter& w, const char* key, const std::optional<T>& value) {
    if (!value) return;
    w.Key(key);
    if constexpr (std::is_same_v<T, uint64_t>)
        w.Uint64(*value);
    else
        w.Int64(*value);
}

void write_disk(JsonWriter& w, const DiskDescription& d) {
    w.StartObject();
    string_member(w, "id", d.id);
    optional_string(w, "label", d.label);
    optional_number(w, "capacity_bytes", d.capacity_bytes);
    optional_string(w, "format", d.format);
    optional_number(w, "boot_order_hint", d.boot_order_hint);
    optional_string(w, "source", d.source);
    optional_string(w, "controller", d.controller);
    w.EndObject();
}

void write_nic(JsonWriter& w, const NicDescription& n) {
    w.StartObject();
    string_member(w, "id", n.id);
    optional_string(w, "label", n.label);
    optional_string(w, "mac", n.mac);
    optional_string(w, "network", n.network);
    optional_string(w, "adapter_type", n.adapter_type);
    w.EndObject();
}

void write_description_members(JsonWriter& w, const VmDescription& vm) {
    string_member(w, "id", vm.id);
    string_member(w, "name", vm.name);
    optional_string(w, "path", vm.path);
    w.Key("power_state");
    w.String(to_string(vm.power_state));
    optional_string(w, "platform_state", vm.platform_state);
    optional_string(w, "datacenter", vm.datacenter);
    optional_number(w, "cpu", vm.cpu);
    optional_number(w, "memory_mb", vm.memory_mb);
    optional_string(w, "firmware", vm.firmware);
    if (vm.secure_boot) {
        w.Key("secure_boot");
        w.Bool(*vm.secure_boot);
    }
    optional_string(w, "guest_os", vm.guest_os);
    optional_string(w, "guest_os_name", vm.guest_os_name);
    optional_string(w, "uuid", vm.uuid);
    w.Key("disks");
    w.StartArray();
    for (const auto& d : vm.disks) write_disk(w, d);
    w.EndArray();
    w.Key("nics");
    w.StartArray();
    for (const auto& n : vm.nics) write_nic(w, n);
    w.EndArray();
}

}  // namespace

std::string firmware_name(const std::string& platform_firmware) {
    std::string lower = platform_firmware;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower.find("efi") != std::string::npos) return "uefi";  // efi, uefi, uefi_compatible, uefi-preferred
    if (lower.find("bios") != std::string::npos) return "bios";
    return "unknown";
}

std::string summaries_json(const std::vector<VmSummary>& vms) {
    rapidjson::StringBuffer out;
    JsonWriter w(out);
    w.StartArray();
    for (const auto& vm : vms) {
        w.StartObject();
        string_member(w, "id", vm.id);
        string_member(w, "name", vm.name);
        w.Key("power_state");
        w.String(to_string(vm.power_state));
        optional_string(w, "platform_state", vm.platform_state);
        optional_string(w, "path", vm.path);
        optional_string(w, "datacenter", vm.datacenter);
        optional_number(w, "cpu", vm.cpu);
        optional_number(w, "memory_mb", vm.memory_mb);
        optional_number(w, "disk_bytes", vm.disk_bytes);
        w.EndObject();
    }
    w.EndArray();
    return out.GetString();
}

std::string description_json(const VmDescription& vm) {
    rapidjson::StringBuffer out;
    JsonWriter w(out);
    w.StartObject();
    write_description_members(w, vm);
    w.EndObject();
    return out.GetString();
}

std::string export_result_json(const ExportResult& result) {
    rapidjson::StringBuffer out;
    JsonWriter w(out);
    w.StartObject();
    write_description_members(w, result.vm);
    w.Key("files");
    w.StartArray();
    for (const auto& f : result.files) {
        w.StartObject();
        string_member(w, "kind", f.kind);
        optional_string(w, "id", f.id);
        string_member(w, "file_name", f.file_name);
        optional_string(w, "format", f.format);
        w.Key("bytes");
        w.Uint64(f.bytes);
        w.EndObject();
    }
    w.EndArray();
    w.Key("powered_off_by_export");
    w.Bool(result.powered_off_by_export);
    if (result.crash_consistent) {
        w.Key("crash_consistent");
        w.Bool(true);
    }
    if (!result.notes.empty()) {
        w.Key("notes");
        w.StartArray();
        for (const auto& n : result.notes) w.String(n.c_str(), static_cast<rapidjson::SizeType>(n.size()));
        w.EndArray();
    }
    optional_string(w, "export_method", result.export_method);
    for (const auto& [key, value] : result.extra) string_member(w, key.c_str(), value);
    w.EndObject();
    return out.GetString();
}

}  // namespace hypersdk::provider
