// Compute Engine instances as the provider documents (docs/provider-json.md):
// id "ZONE/NAME" (what --instance accepts back), the zone as datacenter,
// disks disk-0 (boot) ..., NICs with the MAC the guest sees.
#pragma once

#include <hypersdk/provider/documents.hpp>

#include <string>

#include "compute.hpp"

namespace hypersdk::gcp::plugin {

provider::VmSummary vm_summary(const InstanceInfo& vm);
// `disk_format`: what the export writes for each disk ("raw" or "vmdk").
provider::VmDescription vm_description(const InstanceInfo& vm, const std::string& project,
                                       const std::string& disk_format = "raw");

// "NAME" or "ZONE/NAME" (a summary's id) split; zone empty when not given.
std::pair<std::string, std::string> split_vm_ref(const std::string& vm_ref);

}  // namespace hypersdk::gcp::plugin
