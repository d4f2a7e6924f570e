#include "inventory.hpp"

#include <algorithm>
#include <map>

namespace hypersdk::aws {

namespace {

bool looks_like_instance_id(const std::string& text) {
    if (text.rfind("i-", 0) != 0 || (text.size() != 10 && text.size() != 19)) return false;
    return std::all_of(text.begin() + 2, text.end(), [](unsigned char c) { return std::isxdigit(c) != 0; });
}

}  // namespace

Instance find_instance(Ec2& ec2, const std::string& reference, const std::string& region) {
    if (reference.empty())
        throw Error(ErrorKind::config,
                    "no instance given: pass --vm (or --instance) with an instance id or a Name tag");
    if (looks_like_instance_id(reference)) {
        auto found = ec2.describe_instances({reference});
        if (found.empty())
            throw Error(ErrorKind::not_found, "no EC2 instance " + reference + " in " + region);
        return found[0];
    }
    auto named = ec2.find_instances_by_name(reference);
    named.erase(
        std::remove_if(named.begin(), named.end(), [](const Instance& i) { return i.state == "terminated"; }),
        named.end());
    if (named.empty())
        throw Error(ErrorKind::not_found, "no EC2 instance with the id or Name tag \"" + reference +
                                              "\" in " + region +
                                              " ('hyperexport vms --provider aws' lists them)");
    if (named.size() > 1) {
        std::string ids;
        for (const auto& i : named) ids += (ids.empty() ? "" : ", ") + i.id;
        throw Error(ErrorKind::config, std::to_string(named.size()) + " instances are named \"" + reference +
                                           "\" (" + ids + "): pass the instance id");
    }
    return named[0];
}

InstanceDetails describe_instance(Ec2& ec2, const Instance& instance) {
    InstanceDetails d;
    d.instance = instance;
    std::vector<BlockDevice> devices = instance.block_devices;
    std::stable_sort(devices.begin(), devices.end(), [&](const BlockDevice& a, const BlockDevice& b) {
        const bool a_root = a.device_name == instance.root_device_name;
        const bool b_root = b.device_name == instance.root_device_name;
        if (a_root != b_root) return a_root;
        return a.device_name < b.device_name;
    });
    std::vector<std::string> ids;
    for (const auto& bd : devices) ids.push_back(bd.volume_id);
    std::map<std::string, Volume> by_id;
    if (!ids.empty())
        for (auto& v : ec2.describe_volumes(ids)) by_id[v.id] = v;
    for (const auto& bd : devices) {
        const auto v = by_id.find(bd.volume_id);
        if (v == by_id.end())
            throw Error(ErrorKind::not_found, "EC2 did not describe volume " + bd.volume_id + " of " +
                                                  instance.id + " (ec2:DescribeVolumes)");
        d.volumes.push_back(v->second);
        d.devices.push_back(bd.device_name);
    }
    if (!instance.type.empty()) d.type = ec2.describe_instance_type(instance.type);
    return d;
}

std::string host_power_state(const std::string& ec2_state) {
    if (ec2_state == "running") return "poweredOn";
    if (ec2_state == "stopped") return "poweredOff";
    return "unknown";
}

std::string firmware(const Instance& instance, const InstanceType& type) {
    const auto supports = [&](const char* mode) {
        return std::find(type.boot_modes.begin(), type.boot_modes.end(), mode) != type.boot_modes.end();
    };
    if (instance.boot_mode == "uefi") return "uefi";
    if (instance.boot_mode == "legacy-bios") return "bios";
    if (instance.boot_mode == "uefi-preferred") return supports("uefi") ? "uefi" : "bios";
    if (type.boot_modes.size() == 1) return supports("uefi") ? "uefi" : "bios";
    if (instance.architecture == "arm64") return "uefi";
    if (instance.architecture == "x86_64" || instance.architecture == "i386") return "bios";
    return "unknown";
}

}  // namespace hypersdk::aws
