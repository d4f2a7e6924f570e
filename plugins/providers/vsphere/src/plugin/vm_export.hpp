// export_vm: the powered-on check, ExportVm -> HttpNfcLease, parallel disk
// downloads into host sinks with the lease kept alive, the OVF descriptor (the
// server's or generated: export_descriptor.hpp), and Complete or Abort at the end.
#pragma once

#include <hypersdk/cxx/plugin.hpp>
#include <hypersdk/provider/documents.hpp>

#include <string>

#include "plugin_params.hpp"
#include "session.hpp"

namespace hypersdk::vsphere::plugin {

// Returns the export result (docs/provider-json.md#export-result).
provider::ExportResult export_vm_to_sinks(Session& session, const std::string& vm_ref,
                                          const ExportOptions& options, const cxx::Job& job);

}  // namespace hypersdk::vsphere::plugin
