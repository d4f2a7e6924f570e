// export_vm of the GCP plugin: the instance's disks exported by Cloud Build
// to Cloud Storage and downloaded into the host's sinks (instance_export), or,
// with --gcs-uri, disks someone already exported downloaded as they are.
#pragma once

#include <hypersdk/cxx/plugin.hpp>
#include <hypersdk/provider/documents.hpp>

#include "gcp_session.hpp"

namespace hypersdk::gcp::plugin {

provider::ExportResult export_vm_to_sinks(GcpSession& session, const std::string& vm_ref,
                                          const ExportOptions& options, const cxx::Job& job);

// The zone and name of `vm_ref` ("NAME" with --zone or found by the aggregated list, or "ZONE/NAME").
std::pair<std::string, std::string> locate_instance(GcpSession& session, const std::string& vm_ref);

}  // namespace hypersdk::gcp::plugin
