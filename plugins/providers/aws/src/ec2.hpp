// EC2's Query API (form-encoded POST, XML answers) for what an export
// needs: instances, volumes and instance types for the description,
// crash-consistent multi-volume snapshots, stopping an instance, and
// instance export tasks. Paged calls are followed to the end (bounded).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "service.hpp"

namespace hypersdk::aws {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

struct BlockDevice {
    std::string device_name;  // "/dev/xvda"
    std::string volume_id;
};

struct NetworkInterface {
    std::string id;
    std::string mac;
    std::string subnet_id;
    std::string private_ip;
    int device_index = 0;
};

struct Instance {
    std::string id;
    std::string name;   // the Name tag
    std::string state;  // pending, running, stopping, stopped, shutting-down, terminated
    std::string type;   // "t3.micro"
    std::string architecture;
    std::string platform_details;  // "Linux/UNIX", "Windows"
    std::string boot_mode;         // "uefi", "legacy-bios", "uefi-preferred" or ""
    std::string root_device_name;
    std::string image_id;
    std::vector<BlockDevice> block_devices;
    std::vector<NetworkInterface> nics;
};

struct Volume {
    std::string id;
    uint64_t size_gib = 0;
    std::string type;
    bool encrypted = false;
};

struct InstanceType {
    int vcpus = 0;
    uint64_t memory_mib = 0;
    std::vector<std::string> boot_modes;  // supported: "legacy-bios", "uefi"
};

struct Snapshot {
    std::string id;
    std::string volume_id;
    std::string state;     // pending, completed, error, recoverable, recovering
    std::string progress;  // "42%"
    std::string status_message;
    uint64_t volume_size_gib = 0;
};

struct ExportTask {
    std::string id;
    std::string state;  // active, cancelling, cancelled, completed
    std::string status_message;
    std::string s3_bucket;
    std::string s3_key;
    std::string disk_image_format;
};

class Ec2 {
public:
    Ec2(const Config& config, const Transport& transport);

    // Calls `action` with `params`; returns the XML answer. `mutating`:
    // never sent twice unless AWS said it throttled the first one.
    std::string call(const std::string& action, const QueryParams& params, bool mutating = false);

    // One page of DescribeInstances (MaxResults 5), answer unused: the
    // cheapest signed call an export needs anyway, so that wrong keys, a
    // wrong signature or an expired token are refused when a session opens.
    void check_credentials();
    // All instances (every page), or those whose id is in `ids`.
    std::vector<Instance> describe_instances(const std::vector<std::string>& ids = {});
    // Instances whose Name tag is `name`.
    std::vector<Instance> find_instances_by_name(const std::string& name);
    std::vector<Volume> describe_volumes(const std::vector<std::string>& ids);
    InstanceType describe_instance_type(const std::string& type);

    // One crash-consistent snapshot set of every EBS volume of the instance,
    // tagged with `tags`. Returns the snapshots (volume_id set).
    std::vector<Snapshot> create_snapshots(const std::string& instance_id, const std::string& description,
                                           const QueryParams& tags);
    std::vector<Snapshot> describe_snapshots(const std::vector<std::string>& ids);
    void delete_snapshot(const std::string& id);

    void stop_instance(const std::string& id);

    ExportTask create_instance_export_task(const std::string& instance_id, const std::string& bucket,
                                           const std::string& prefix, const std::string& description);
    ExportTask describe_export_task(const std::string& id);
    void cancel_export_task(const std::string& id);

private:
    std::vector<Instance> describe_instances_paged(QueryParams params);

    Service reads_;
    Service mutations_;
};

// Form encoding of the Query API (AWS's URI encoding of names and values).
std::string query_body(const std::string& action, const QueryParams& params);

// Parsers of EC2's XML answers (exposed for the tests).
std::vector<Instance> parse_instances(const std::string& xml, std::string& next_token);
std::vector<Volume> parse_volumes(const std::string& xml, std::string& next_token);
std::vector<Snapshot> parse_snapshots(const std::string& xml, const char* set_name);
std::vector<ExportTask> parse_export_tasks(const std::string& xml);

}  // namespace hypersdk::aws
