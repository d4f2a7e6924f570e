// The client's inventory and config types as the kit's provider documents
// (vm-summary, vm-description: docs/provider-json.md); the kit writes them.
#pragma once

#include <hypersdk/provider/documents.hpp>

#include <vector>

#include "inventory.hpp"
#include "vm_config.hpp"

namespace hypersdk::vsphere::plugin {

std::vector<provider::VmSummary> vm_summaries(const std::vector<VmEntry>& vms);
provider::VmDescription vm_description(const VmInfo& vm);

}  // namespace hypersdk::vsphere::plugin
