// Compute Engine REST v1: instances (one, a zone's, or all zones' through the
// aggregated list), their disks, machine types, stop, images made from a disk
// and deleted again, and the zonal and global operations those start, polled
// until DONE with their error.errors[] surfaced in one line.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api.hpp"

namespace hypersdk::gcp {

struct DiskInfo {
    std::string device_name;  // as attached ("persistent-disk-0")
    std::string name;         // the disk resource
    std::string zone;
    bool boot = false;
    int index = 0;
    std::string interface;  // SCSI, NVME
    uint64_t size_bytes = 0;
    std::string type;  // pd-balanced, ...
    std::string architecture;
    std::vector<std::string> guest_os_features;
};

struct NicInfo {
    std::string name;
    std::string network;  // the network's name
    std::string ip;
    // Compute Engine does not report MACs: a VM's interface has 42:01 followed
    // by its internal IPv4 address, as the guest sees it.
    std::string mac;
};

struct InstanceInfo {
    std::string id, name, zone, status, machine_type;
    int cpus = 0;
    int64_t memory_mb = 0;
    bool uefi = false;
    bool secure_boot = false;
    bool vtpm = false;
    std::vector<std::string> guest_os_features;  // the boot disk's
    std::vector<DiskInfo> disks;                 // boot disk first, then by index
    std::vector<NicInfo> nics;
};

// The host's power states: RUNNING -> poweredOn, TERMINATED/STOPPED ->
// poweredOff, SUSPENDED -> suspended, anything else unknown.
std::string power_state_for(const std::string& status);

struct OperationPolling {
    std::chrono::milliseconds first{500};
    std::chrono::milliseconds max{std::chrono::seconds(5)};
    std::chrono::seconds timeout{std::chrono::minutes(30)};
};

class Compute {
public:
    // `endpoint`: https://compute.googleapis.com/compute/v1 or a private one.
    Compute(Api& api, std::string endpoint, std::string project, OperationPolling polling = {});

    const std::string& project() const { return project_; }

    InstanceInfo get_instance(const std::string& zone, const std::string& name);
    // The zone of the instance called `name` (aggregated list); Error(not_found) naming the project.
    std::string find_instance_zone(const std::string& name);
    // Instances of one zone, or of all zones when `zone` is empty (aggregated list).
    std::vector<InstanceInfo> list_instances(const std::string& zone);

    void stop_instance(const std::string& zone, const std::string& name);
    // A global image from a zonal disk; returns "projects/P/global/images/NAME".
    std::string create_image(const std::string& image, const std::string& zone, const std::string& disk);
    void delete_image(const std::string& image);

    // Polls an operation (zonal or global, from its own zone field) until DONE.
    void wait_operation(const rapidjson::Value& operation, const std::string& what);

private:
    std::string project_url() const { return endpoint_ + "/projects/" + project_; }
    InstanceInfo parse_instance(const rapidjson::Value& instance, bool with_disks);
    std::pair<int, int64_t> machine_type(const std::string& url);

    Api& api_;
    std::string endpoint_;
    std::string project_;
    OperationPolling polling_;
    std::map<std::string, std::pair<int, int64_t>> machine_types_;
};

// The last path segment of a resource URL ("https://.../zones/us-central1-a" -> "us-central1-a").
std::string last_segment(const std::string& url);

}  // namespace hypersdk::gcp
