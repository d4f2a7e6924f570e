// The host's power-state enumeration (docs/provider-json.md#vm-summary) and
// the mapping of each platform's words into it. A provider writes the mapped
// value as power_state and its own word as platform_state, for display.
#pragma once

#include <string>
#include <string_view>

namespace hypersdk::provider {

enum class PowerState { on, off, suspended, unknown };

// "poweredOn", "poweredOff", "suspended", "unknown": the document spelling.
const char* to_string(PowerState state);

// vSphere VirtualMachinePowerState: poweredOn, poweredOff, suspended.
PowerState power_state_from_vsphere(std::string_view state);
// EC2 instance state name: running -> on; stopped -> off; pending, stopping,
// shutting-down, terminated -> unknown (transitional or gone).
PowerState power_state_from_ec2(std::string_view state);
// Azure instance view code "PowerState/running" (or just "running"):
// running -> on; stopped, deallocated -> off; starting, stopping,
// deallocating -> unknown.
PowerState power_state_from_azure(std::string_view code);
// GCE instance status: RUNNING -> on; TERMINATED, STOPPED -> off;
// SUSPENDED -> suspended; PROVISIONING, STAGING, STOPPING, SUSPENDING,
// REPAIRING -> unknown.
PowerState power_state_from_gce(std::string_view status);

}  // namespace hypersdk::provider
