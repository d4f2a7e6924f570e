// OvfManager.CreateDescriptor: the server's own OVF descriptor of a VM whose
// files were exported, and the checks its answer must pass before anyone
// writes it (a server's bytes are untrusted).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "session.hpp"

namespace hypersdk::vsphere {

// One exported file, as OvfFile describes it to the server.
struct OvfFileRef {
    std::string device_id;  // the lease device's key (the VirtualDisk device key)
    std::string path;       // the file name the export wrote, beside the .ovf
    uint64_t size = 0;      // its size in bytes
};

struct OvfDescriptorResult {
    std::string descriptor;
    std::vector<std::string> errors;    // "Type: message" of the result's error[]
    std::vector<std::string> warnings;  // of its warning[]
};

// CreateDescriptor of `entity` with ovf:id `name` and the exported `files`.
// std::nullopt when the server cannot: no OvfManager in its service content,
// or a MethodNotFound / NotImplemented / NotSupported fault (govmomi 0.24.2's
// simulator). Every other failure throws Error as usual.
std::optional<OvfDescriptorResult> create_ovf_descriptor(Session& session, const MoRef& entity,
                                                         const std::string& name,
                                                         const std::vector<OvfFileRef>& files);

// True for the faults that mean "this server has no CreateDescriptor".
bool is_missing_method_fault(const std::string& fault_type);

// Throws Error(protocol) naming what is wrong unless `descriptor` is a
// non-empty OVF envelope (XML, root Envelope in an OVF namespace, at most
// 16 MiB) whose References name exactly the files of `files`.
void check_ovf_descriptor(const std::string& descriptor, const std::vector<OvfFileRef>& files);

}  // namespace hypersdk::vsphere
