#include "compute.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>

#include "errors.hpp"
#include "hypersdk/plugin_common/json_access.hpp"
#include "url.hpp"

namespace hypersdk::azure {
namespace pc = hypersdk::plugin_common;

namespace {

// Reads ARM JSON; a member of the wrong type is the server's fault.
template <typename Fn>
auto reading(const std::string& what, Fn&& fn) {
    try {
        return fn();
    } catch (const pc::JsonError& e) {
        throw Error(ErrorKind::protocol, "ARM's " + what + " is not as documented: " + e.what());
    }
}

std::string str(const rapidjson::Value& object, const char* key, const std::string& prefix) {
    return pc::get_string(object, key, prefix).value_or("");
}

const rapidjson::Value& object_or_empty(const rapidjson::Value* value) {
    static const rapidjson::Value kEmpty(rapidjson::kObjectType);
    return value != nullptr ? *value : kEmpty;
}

std::string lower(std::string text) {
    for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

// Resource ids come from the server; they become URL paths, so only plain
// segments are taken.
void check_segment(const std::string& segment, const std::string& id) {
    if (segment.empty() || segment == "." || segment == ".." ||
        segment.find_first_of("?#%\\ \t\r\n") != std::string::npos)
        throw Error(ErrorKind::protocol, "ARM gave a resource id that is not a plain path: " + id);
}

// "00-0D-3A-12-34-56" -> "00:0d:3a:12:34:56".
std::string mac_from_azure(const std::string& mac) {
    std::string out;
    for (char c : mac) {
        if (c == '-' || c == ':') continue;
        if (!std::isxdigit(static_cast<unsigned char>(c))) return mac;
        if (!out.empty() && (out.size() + 1) % 3 == 0) out += ':';
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out.size() == 17 ? out : mac;
}

}  // namespace

ResourceId parse_resource_id(const std::string& id) {
    // /subscriptions/S/resourceGroups/RG/providers/NS/TYPE/NAME
    std::vector<std::string> parts;
    size_t at = 0;
    if (id.empty() || id[0] != '/') throw Error(ErrorKind::protocol, "not an ARM resource id: " + id);
    while (at < id.size()) {
        const size_t next = id.find('/', at + 1);
        parts.push_back(id.substr(at + 1, next == std::string::npos ? std::string::npos : next - at - 1));
        at = next == std::string::npos ? id.size() : next;
    }
    if (parts.size() != 8 || lower(parts[0]) != "subscriptions" || lower(parts[2]) != "resourcegroups" ||
        lower(parts[4]) != "providers")
        throw Error(ErrorKind::protocol,
                    "not an ARM resource id of the form "
                    "/subscriptions/S/resourceGroups/RG/providers/NS/TYPE/NAME: " +
                        id);
    for (const auto& p : parts) check_segment(p, id);
    return {parts[1], parts[3], parts[5] + "/" + parts[6], parts[7]};
}

VmInfo vm_from_json(const rapidjson::Value& json) {
    return reading("virtual machine", [&] {
        VmInfo vm;
        vm.id = str(json, "id", "");
        vm.name = str(json, "name", "");
        vm.location = str(json, "location", "");
        if (!vm.id.empty()) vm.resource_group = parse_resource_id(vm.id).resource_group;
        const auto& props = object_or_empty(pc::get_object(json, "properties", ""));
        vm.vm_id = str(props, "vmId", "properties");
        vm.vm_size = str(object_or_empty(pc::get_object(props, "hardwareProfile", "properties")), "vmSize",
                         "properties.hardwareProfile");
        const auto& security = object_or_empty(pc::get_object(props, "securityProfile", "properties"));
        vm.security_type = str(security, "securityType", "properties.securityProfile");
        const auto& uefi =
            object_or_empty(pc::get_object(security, "uefiSettings", "properties.securityProfile"));
        vm.secure_boot = pc::get_bool(uefi, "secureBootEnabled", "properties.securityProfile.uefiSettings")
                             .value_or(false);
        vm.uefi = !vm.security_type.empty() || vm.secure_boot;
        const auto& storage = object_or_empty(pc::get_object(props, "storageProfile", "properties"));
        const auto* os_disk = pc::get_object(storage, "osDisk", "properties.storageProfile");
        auto disk_of = [&](const rapidjson::Value& d, const std::string& prefix) {
            VmDisk disk;
            disk.name = str(d, "name", prefix);
            disk.id =
                str(object_or_empty(pc::get_object(d, "managedDisk", prefix)), "id", prefix + ".managedDisk");
            disk.size_gb = static_cast<uint64_t>(pc::get_int(d, "diskSizeGB", prefix, 0).value_or(0));
            return disk;
        };
        if (os_disk != nullptr) {
            vm.os_type = str(*os_disk, "osType", "properties.storageProfile.osDisk");
            vm.disks.push_back(disk_of(*os_disk, "properties.storageProfile.osDisk"));
        }
        if (const auto* data = pc::get_array(storage, "dataDisks", "properties.storageProfile")) {
            std::vector<VmDisk> data_disks;
            for (rapidjson::SizeType i = 0; i < data->Size(); ++i) {
                const std::string prefix = "properties.storageProfile.dataDisks[" + std::to_string(i) + "]";
                VmDisk disk = disk_of((*data)[i], prefix);
                disk.lun = static_cast<int>(pc::get_int((*data)[i], "lun", prefix, 0, 63).value_or(0));
                data_disks.push_back(std::move(disk));
            }
            std::sort(data_disks.begin(), data_disks.end(),
                      [](const auto& a, const auto& b) { return a.lun < b.lun; });
            vm.disks.insert(vm.disks.end(), data_disks.begin(), data_disks.end());
        }
        const auto& network = object_or_empty(pc::get_object(props, "networkProfile", "properties"));
        if (const auto* nics = pc::get_array(network, "networkInterfaces", "properties.networkProfile"))
            for (const auto& nic : nics->GetArray())
                vm.nic_ids.push_back(str(nic, "id", "networkInterfaces[]"));
        const auto& view = object_or_empty(pc::get_object(props, "instanceView", "properties"));
        if (const auto* statuses = pc::get_array(view, "statuses", "properties.instanceView"))
            for (const auto& s : statuses->GetArray()) {
                const std::string code = str(s, "code", "properties.instanceView.statuses[]");
                if (code.rfind("PowerState/", 0) == 0) vm.power_state = code.substr(11);
            }
        return vm;
    });
}

VmInfo Compute::get_vm(const std::string& resource_group, const std::string& name,
                       const http::CancelFn& cancelled) {
    const std::string path = "/subscriptions/" + percent_encode(arm_.config().subscription_id) +
                             "/resourceGroups/" + percent_encode(resource_group) +
                             "/providers/Microsoft.Compute/virtualMachines/" + percent_encode(name);
    try {
        return vm_from_json(
            arm_.get(arm_.url(path, kComputeApiVersion) + "&$expand=instanceView", cancelled));
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::not_found) throw;
        throw Error(ErrorKind::not_found, "no VM " + name + " in resource group " + resource_group +
                                              " of subscription " + arm_.config().subscription_id + " (" +
                                              e.what() + "); 'hyperexport vms --provider azure' lists them");
    }
}

std::vector<VmInfo> Compute::list_vms(const std::string& resource_group, const http::CancelFn& cancelled) {
    std::string path = "/subscriptions/" + percent_encode(arm_.config().subscription_id);
    if (!resource_group.empty()) path += "/resourceGroups/" + percent_encode(resource_group);
    path += "/providers/Microsoft.Compute/virtualMachines";
    std::vector<VmInfo> vms;
    for (const auto& item :
         arm_.list(arm_.url(path, kComputeApiVersion) + "&$expand=instanceView", cancelled))
        vms.push_back(vm_from_json(item));
    return vms;
}

std::vector<VmSize> Compute::vm_sizes(const std::string& location, const http::CancelFn& cancelled) {
    const std::string path = "/subscriptions/" + percent_encode(arm_.config().subscription_id) +
                             "/providers/Microsoft.Compute/locations/" + percent_encode(location) +
                             "/vmSizes";
    std::vector<VmSize> sizes;
    for (const auto& item : arm_.list(arm_.url(path, kComputeApiVersion), cancelled))
        sizes.push_back(reading("VM size", [&] {
            return VmSize{str(item, "name", ""),
                          static_cast<int>(pc::get_int(item, "numberOfCores", "", 0, 1 << 20).value_or(0)),
                          pc::get_int(item, "memoryInMB", "", 0).value_or(0)};
        }));
    return sizes;
}

DiskInfo Compute::get_disk(const std::string& disk_id, const http::CancelFn& cancelled) {
    parse_resource_id(disk_id);
    const auto doc = arm_.get(arm_.url(disk_id, kDiskApiVersion), cancelled);
    return reading("disk", [&] {
        DiskInfo d;
        d.id = str(doc, "id", "");
        d.name = str(doc, "name", "");
        d.location = str(doc, "location", "");
        const auto& props = object_or_empty(pc::get_object(doc, "properties", ""));
        d.state = str(props, "diskState", "properties");
        d.hyperv_generation = str(props, "hyperVGeneration", "properties");
        if (auto bytes = pc::get_int(props, "diskSizeBytes", "properties", 0))
            d.size_bytes = static_cast<uint64_t>(*bytes);
        else
            d.size_bytes =
                static_cast<uint64_t>(pc::get_int(props, "diskSizeGB", "properties", 0).value_or(0)) << 30;
        return d;
    });
}

NicInfo Compute::get_nic(const std::string& nic_id, const http::CancelFn& cancelled) {
    parse_resource_id(nic_id);
    const auto doc = arm_.get(arm_.url(nic_id, kNetworkApiVersion), cancelled);
    return reading("network interface", [&] {
        NicInfo n;
        n.id = str(doc, "id", "");
        n.name = str(doc, "name", "");
        const auto& props = object_or_empty(pc::get_object(doc, "properties", ""));
        n.mac = mac_from_azure(str(props, "macAddress", "properties"));
        if (const auto* configs = pc::get_array(props, "ipConfigurations", "properties");
            configs && !configs->Empty()) {
            const auto& c =
                object_or_empty(pc::get_object((*configs)[0], "properties", "ipConfigurations[0]"));
            const std::string subnet =
                str(object_or_empty(pc::get_object(c, "subnet", "ipConfigurations[0]")), "id",
                    "ipConfigurations[0].subnet");
            // .../virtualNetworks/VNET/subnets/SUBNET -> VNET/SUBNET
            const auto vnet = subnet.find("/virtualNetworks/");
            if (vnet != std::string::npos) {
                n.network = subnet.substr(vnet + 17);
                if (auto s = n.network.find("/subnets/"); s != std::string::npos)
                    n.network.replace(s, 9, "/");
            }
        }
        return n;
    });
}

std::string Compute::snapshot_id(const std::string& resource_group, const std::string& name) const {
    return "/subscriptions/" + arm_.config().subscription_id + "/resourceGroups/" + resource_group +
           "/providers/Microsoft.Compute/snapshots/" + name;
}

void Compute::create_snapshot(const std::string& resource_group, const std::string& name,
                              const std::string& location, const std::string& disk_id,
                              const LroOptions& options, const http::CancelFn& cancelled) {
    rapidjson::StringBuffer out;
    rapidjson::Writer<rapidjson::StringBuffer> w(out);
    w.StartObject();
    w.Key("location");
    w.String(location.c_str());
    w.Key("properties");
    w.StartObject();
    w.Key("creationData");
    w.StartObject();
    w.Key("createOption");
    w.String("Copy");
    w.Key("sourceResourceId");
    w.String(disk_id.c_str());
    w.EndObject();
    w.Key("incremental");
    w.Bool(false);  // a full copy: downloadable on its own
    w.EndObject();
    w.Key("tags");
    w.StartObject();
    w.Key("created-by");
    w.String("hyperexport");
    w.EndObject();
    w.EndObject();
    const std::string path = "/subscriptions/" + percent_encode(arm_.config().subscription_id) +
                             "/resourceGroups/" + percent_encode(resource_group) +
                             "/providers/Microsoft.Compute/snapshots/" + percent_encode(name);
    arm_.long_running("PUT", arm_.url(path, kDiskApiVersion), out.GetString(), options, cancelled);
}

void Compute::delete_snapshot(const std::string& snapshot_id, const LroOptions& options,
                              const http::CancelFn& cancelled) {
    parse_resource_id(snapshot_id);
    arm_.long_running("DELETE", arm_.url(snapshot_id, kDiskApiVersion), "", options, cancelled);
}

std::string Compute::grant_read_access(const std::string& resource_id, int64_t duration_seconds,
                                       const LroOptions& options, const http::CancelFn& cancelled) {
    parse_resource_id(resource_id);
    const std::string body =
        R"({"access":"Read","durationInSeconds":)" + std::to_string(duration_seconds) + "}";
    const std::string result = arm_.long_running(
        "POST", arm_.config().arm_endpoint + resource_id + "/beginGetAccess?api-version=" + kDiskApiVersion,
        body, options, cancelled);
    return reading("grant access result", [&] {
        const auto doc = pc::parse_json(result, "the grant access result");
        const std::string sas = doc.IsObject() ? str(doc, "accessSAS", "") : "";
        if (sas.rfind("https://", 0) != 0) throw pc::JsonError("it holds no https accessSAS URL");
        return sas;
    });
}

void Compute::revoke_access(const std::string& resource_id, const LroOptions& options,
                            const http::CancelFn& cancelled) {
    parse_resource_id(resource_id);
    arm_.long_running(
        "POST", arm_.config().arm_endpoint + resource_id + "/endGetAccess?api-version=" + kDiskApiVersion, "",
        options, cancelled);
}

void Compute::deallocate(const VmInfo& vm, const LroOptions& options, const http::CancelFn& cancelled) {
    parse_resource_id(vm.id);
    arm_.long_running("POST",
                      arm_.config().arm_endpoint + vm.id + "/deallocate?api-version=" + kComputeApiVersion,
                      "", options, cancelled);
}

}  // namespace hypersdk::azure
