// Downloading one NFC device URL of an export lease: the '*' host replaced by
// the session's host, resumable with Range (see HttpTransport::get).
#pragma once

#include <cstdint>
#include <string>

#include "http_transport.hpp"
#include "nfc_lease.hpp"
#include "session.hpp"
#include "vm_config.hpp"

namespace hypersdk::vsphere {

// "https://*/nfc/52a/disk-0.vmdk" + "vc.example.com:443" -> "https://vc.example.com:443/nfc/52a/disk-0.vmdk".
// Other hosts are left alone.
std::string resolve_device_url(const std::string& device_url, const std::string& session_host);

// The lease device that carries `disk`: by device key, then by controller
// unit in the device's key ("/vm-1/VirtualLsiLogicController0:1"), then the
// n-th disk device for the n-th disk. Null when none fits.
const LeaseDevice* device_for_disk(const LeaseInfo& lease, const VmInfo& vm, const DiskInfo& disk);

// GET the device from `offset` into callbacks (thread-safe for different devices).
DownloadResult download_device(Session& session, const LeaseDevice& device, uint64_t offset,
                               const DownloadCallbacks& callbacks);

}  // namespace hypersdk::vsphere
