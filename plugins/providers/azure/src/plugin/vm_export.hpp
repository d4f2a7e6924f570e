// The export: snapshots (or, with --no-snapshot, the deallocated VM's disks
// themselves, or the SAS URLs the user gave), a read SAS for each, the page
// blobs downloaded at once into sparse host sinks as fixed VHDs or raw
// (disk_downloads.hpp), then access revoked and snapshots deleted, also on
// failure and Ctrl-C (cleanup.hpp).
#pragma once

#include <hypersdk/cxx/plugin.hpp>
#include <hypersdk/provider/documents.hpp>

#include <string>

#include "session.hpp"
#include "vm_view.hpp"

namespace hypersdk::azure::plugin {

provider::ExportResult export_vm_to_sinks(Session& session, const std::string& vm_ref,
                                          const ExportOptions& options, const cxx::Job& job);

// With --disk-sas-url-file: the VM as far as the blobs tell (their sizes).
VmView describe_sas_urls(Session& session, const std::string& vm_name, const cxx::Job& job);

// The format an export writes: --azure-format, else the host's --format, else vhd.
std::string export_format(const PluginConfig& config, const std::string& host_format);

// An Azure snapshot name from a disk name and a stamp: at most 80 of
// [A-Za-z0-9_.-], starting with a letter or digit.
std::string snapshot_name(const std::string& disk_name, const std::string& stamp);

}  // namespace hypersdk::azure::plugin
