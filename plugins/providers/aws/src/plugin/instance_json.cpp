#include "instance_json.hpp"

namespace hypersdk::aws::plugin {
namespace {

void key(JsonWriter& w, const char* k, const std::string& v) {
    w.Key(k);
    w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
}

constexpr uint64_t kGiB = 1ull << 30;

std::string display_name(const Instance& i) {
    return i.name.empty() ? i.id : i.name;
}

std::string guest_os(const Instance& i) {
    return i.platform_details.find("Windows") != std::string::npos ? "windows" : "linux";
}

}  // namespace

std::string disk_id(size_t index) {
    return "disk-" + std::to_string(index);
}

std::string summaries_json(const std::vector<InstanceSummary>& instances) {
    rapidjson::StringBuffer out;
    JsonWriter w(out);
    w.StartArray();
    for (const auto& s : instances) {
        w.StartObject();
        key(w, "id", s.instance.id);
        key(w, "name", display_name(s.instance));
        key(w, "power_state", host_power_state(s.instance.state));
        key(w, "platform_state", s.instance.state);
        key(w, "instance_type", s.instance.type);
        w.Key("cpu");
        w.Int(s.vcpus);
        w.Key("memory_mb");
        w.Uint64(s.memory_mib);
        uint64_t total = 0;
        for (auto gib : s.volume_sizes_gib) total += gib * kGiB;
        w.Key("disk_bytes");
        w.Uint64(total);
        w.Key("volume_sizes_gib");
        w.StartArray();
        for (auto gib : s.volume_sizes_gib) w.Uint64(gib);
        w.EndArray();
        w.EndObject();
    }
    w.EndArray();
    return out.GetString();
}

void write_description_members(JsonWriter& w, const InstanceDetails& d, const std::string& region,
                               const std::string& disk_format) {
    const Instance& i = d.instance;
    key(w, "id", i.id);
    key(w, "name", display_name(i));
    key(w, "power_state", host_power_state(i.state));
    key(w, "platform_state", i.state);
    key(w, "datacenter", region);
    w.Key("cpu");
    w.Int(d.type.vcpus);
    w.Key("memory_mb");
    w.Uint64(d.type.memory_mib);
    key(w, "firmware", firmware(i, d.type));
    w.Key("secure_boot");
    w.Bool(false);
    key(w, "guest_os", guest_os(i));
    key(w, "guest_os_name", i.platform_details.empty() ? guest_os(i) : i.platform_details);
    key(w, "instance_type", i.type);
    key(w, "architecture", i.architecture);
    key(w, "image_id", i.image_id);
    w.Key("disks");
    w.StartArray();
    for (size_t n = 0; n < d.volumes.size(); ++n) {
        w.StartObject();
        key(w, "id", disk_id(n));
        key(w, "label", d.devices[n]);
        w.Key("capacity_bytes");
        w.Uint64(d.volumes[n].size_gib * kGiB);
        key(w, "format", disk_format);
        w.Key("boot_order_hint");
        w.Int(static_cast<int>(n));  // the root volume is first: 0
        key(w, "source", d.volumes[n].id);
        key(w, "volume_type", d.volumes[n].type);
        w.EndObject();
    }
    w.EndArray();
    w.Key("nics");
    w.StartArray();
    for (const auto& nic : i.nics) {
        w.StartObject();
        key(w, "id", nic.id);
        key(w, "label", "eth" + std::to_string(nic.device_index));
        key(w, "mac", nic.mac);
        key(w, "network", nic.subnet_id);
        key(w, "adapter_type", "ena");
        w.EndObject();
    }
    w.EndArray();
}

std::string description_json(const InstanceDetails& d, const std::string& region) {
    rapidjson::StringBuffer out;
    JsonWriter w(out);
    w.StartObject();
    write_description_members(w, d, region, "raw");
    w.EndObject();
    return out.GetString();
}

std::string result_json(const InstanceDetails& d, const std::string& region, const std::string& disk_format,
                        const ExportResult& r) {
    rapidjson::StringBuffer out;
    JsonWriter w(out);
    w.StartObject();
    write_description_members(w, d, region, disk_format);
    w.Key("files");
    w.StartArray();
    for (const auto& f : r.files) {
        w.StartObject();
        key(w, "kind", "disk");
        key(w, "id", f.id);
        key(w, "file_name", f.file_name);
        key(w, "format", f.format);
        w.Key("bytes");
        w.Uint64(f.bytes);
        w.EndObject();
    }
    w.EndArray();
    w.Key("powered_off_by_export");
    w.Bool(r.powered_off_by_export);
    w.Key("crash_consistent");
    w.Bool(r.crash_consistent);
    key(w, "export_method", r.export_method);
    w.Key("notes");
    w.StartArray();
    for (const auto& n : r.notes) w.String(n.c_str(), static_cast<rapidjson::SizeType>(n.size()));
    w.EndArray();
    w.EndObject();
    return out.GetString();
}

std::string file_stem(const Instance& instance) {
    std::string out;
    for (char c : display_name(instance)) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                        c == '.' || c == '_' || c == '-';
        out += ok ? c : '_';
    }
    while (!out.empty() && out.front() == '.') out.erase(out.begin());
    if (out.size() > 200) out.resize(200);
    return out.empty() ? instance.id : out;
}

}  // namespace hypersdk::aws::plugin
