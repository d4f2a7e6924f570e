// The export: snapshots (or, with --no-snapshot, the deallocated VM's disks
// themselves, or the SAS URLs the user gave), a read SAS for each, the page
// blob downloaded into a sparse host sink as a fixed VHD or raw, then access
// revoked and snapshots deleted, also on failure and Ctrl-C (cleanup.hpp).
#pragma once

#include <hypersdk/cxx/plugin.hpp>

#include <string>

#include "session.hpp"
#include "vm_view.hpp"

namespace hypersdk::azure::plugin {

// The export-result JSON (docs/provider-json.md).
std::string export_vm_to_sinks(Session& session, const std::string& vm_ref, const ExportOptions& options,
                               const cxx::Job& job);

// With --disk-sas-url-file: the VM as far as the blobs tell (their sizes).
VmView describe_sas_urls(Session& session, const std::string& vm_name, const cxx::Job& job);

// An Azure snapshot name from a disk name and a stamp: at most 80 of
// [A-Za-z0-9_.-], starting with a letter or digit.
std::string snapshot_name(const std::string& disk_name, const std::string& stamp);

}  // namespace hypersdk::azure::plugin
