#include "instance_documents.hpp"

namespace hypersdk::aws::plugin {
namespace {

namespace pk = hypersdk::provider;
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

pk::VmSummary summary(const InstanceSummary& s, const std::string& region) {
    pk::VmSummary v;
    v.id = s.instance.id;
    v.name = display_name(s.instance);
    v.power_state = pk::power_state_from_ec2(s.instance.state);
    v.platform_state = s.instance.state;
    // The type and the volume sizes, for hyperexport vms (the table shows path).
    std::string sizes;
    for (auto gib : s.volume_sizes_gib) sizes += (sizes.empty() ? "" : "+") + std::to_string(gib);
    v.path = s.instance.type + " " + (sizes.empty() ? "no volumes" : sizes + " GiB");
    v.datacenter = region;
    v.cpu = s.vcpus;
    v.memory_mb = static_cast<int64_t>(s.memory_mib);
    uint64_t total = 0;
    for (auto gib : s.volume_sizes_gib) total += gib * kGiB;
    v.disk_bytes = total;
    return v;
}

pk::VmDescription description(const InstanceDetails& d, const std::string& region,
                              const std::string& disk_format) {
    const Instance& i = d.instance;
    pk::VmDescription v;
    v.id = i.id;
    v.name = display_name(i);
    v.power_state = pk::power_state_from_ec2(i.state);
    v.platform_state = i.state;
    v.datacenter = region;
    v.cpu = d.type.vcpus;
    v.memory_mb = static_cast<int64_t>(d.type.memory_mib);
    v.firmware = firmware(i, d.type);
    v.secure_boot = false;
    v.guest_os = guest_os(i);
    v.guest_os_name = i.platform_details.empty() ? guest_os(i) : i.platform_details;
    for (size_t n = 0; n < d.volumes.size(); ++n) {
        pk::DiskDescription disk;
        disk.id = disk_id(n);
        disk.label = d.devices[n];
        disk.capacity_bytes = d.volumes[n].size_gib * kGiB;
        disk.format = disk_format;
        disk.boot_order_hint = static_cast<int64_t>(n);  // the root volume is first: 0
        disk.source = d.volumes[n].id;
        disk.controller = d.volumes[n].type;
        v.disks.push_back(std::move(disk));
    }
    for (const auto& nic : i.nics)
        v.nics.push_back({nic.id, "eth" + std::to_string(nic.device_index), nic.mac, nic.subnet_id, "ena"});
    return v;
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
