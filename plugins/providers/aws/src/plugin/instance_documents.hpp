// EC2 instances as the provider kit's documents (docs/provider-json.md):
// vm-summary (hyperexport vms) and vm-description.
#pragma once

#include <hypersdk/provider/documents.hpp>

#include <string>
#include <vector>

#include "inventory.hpp"

namespace hypersdk::aws::plugin {

struct InstanceSummary {
    Instance instance;
    std::vector<uint64_t> volume_sizes_gib;
    int vcpus = 0;
    uint64_t memory_mib = 0;
};

provider::VmSummary summary(const InstanceSummary& s, const std::string& region);

// Disks are "disk-0" (the root volume), "disk-1", ... in InstanceDetails order.
std::string disk_id(size_t index);
provider::VmDescription description(const InstanceDetails& d, const std::string& region,
                                    const std::string& disk_format);

// A file-name stem from the instance's Name tag (or id): [A-Za-z0-9._-] only.
std::string file_stem(const Instance& instance);

}  // namespace hypersdk::aws::plugin
