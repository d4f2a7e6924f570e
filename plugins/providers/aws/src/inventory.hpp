// The instances of a region as the provider shows them: finding one by
// instance id or Name tag, its volumes (root device first), its instance
// type, and the mapping of EC2's words into the host's (power state,
// firmware).
#pragma once

#include <string>
#include <vector>

#include "ec2.hpp"

namespace hypersdk::aws {

struct InstanceDetails {
    Instance instance;
    std::vector<Volume> volumes;       // root volume first, then by device name
    std::vector<std::string> devices;  // the device name of each volume, same order
    InstanceType type;
};

// "i-..." is an instance id; anything else a Name tag. Throws Error(not_found)
// when nothing matches and Error(config) when several instances carry the name.
Instance find_instance(Ec2& ec2, const std::string& reference, const std::string& region);

InstanceDetails describe_instance(Ec2& ec2, const Instance& instance);

// running -> poweredOn; stopped -> poweredOff; anything transitional -> unknown.
std::string host_power_state(const std::string& ec2_state);
// "uefi" | "bios" | "unknown" from the instance's boot mode, else the type's
// supported modes, else the architecture (arm64 instances boot UEFI).
std::string firmware(const Instance& instance, const InstanceType& type);

}  // namespace hypersdk::aws
