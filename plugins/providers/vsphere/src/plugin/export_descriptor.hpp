// Which OVF descriptor an export writes: the server's own, from
// OvfManager.CreateDescriptor, when it has one and the answer passes the
// checks; otherwise the one generated from the VM's configuration.
#pragma once

#include <hypersdk/cxx/plugin.hpp>

#include <string>
#include <vector>

#include "ovf_descriptor.hpp"
#include "session.hpp"
#include "vm_config.hpp"

namespace hypersdk::vsphere::plugin {

struct ExportDescriptor {
    std::string text;
    bool from_server = false;
};

// Call after the downloads, while the export lease is still open. A server
// without CreateDescriptor (no OvfManager, MethodNotFound, NotImplemented,
// NotSupported): generated, logged at info. A server that has it but
// answers another fault (e.g. NoPermission), reports error[], or returns a
// descriptor that fails check_ovf_descriptor: generated, with a job warning
// saying why (the downloaded disks are fine; only the server's description
// of them is not usable). Its warning[] become job warnings. No answer at all
// (transport, TLS, timeout, cancellation) throws: the lease could not be
// completed either.
ExportDescriptor export_descriptor(Session& session, const VmInfo& vm, const std::vector<OvfDiskFile>& files,
                                   const cxx::Job& job);

}  // namespace hypersdk::vsphere::plugin
