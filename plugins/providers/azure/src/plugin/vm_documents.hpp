// An Azure VM in the provider kit's documents (docs/provider-json.md): the
// vm-summary of `vms` and the vm-description of describe and the export
// result. Power states through the kit's Azure mapping, Azure's own word as
// platform_state; the resource group and name as path, the location as
// datacenter. Only what is known is written (no CPUs when the size table
// could not be read, no firmware from bare SAS URLs).
#pragma once

#include <hypersdk/provider/documents.hpp>

#include <optional>
#include <string>

#include "compute.hpp"
#include "vm_view.hpp"

namespace hypersdk::azure::plugin {

// `size`: the VM size's entry of its location's table, when it was read.
provider::VmSummary vm_summary(const VmInfo& vm, const std::optional<VmSize>& size);

// `format`: what the export writes (vhd or raw), the disks' `format`.
provider::VmDescription vm_description(const VmView& view, const std::string& format);

// What the export result adds for Azure, after the documented keys:
// resource_group, location, vm_size, security_type ("Standard" when none).
std::vector<std::pair<std::string, std::string>> azure_result_keys(const VmView& view);

}  // namespace hypersdk::azure::plugin
