// Downloading one NFC device URL of an export lease: the '*' host replaced by
// the session's host, another host trusted through the lease's sslThumbprint,
// resumable with Range (see HttpTransport::get).
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

// A device URL resolved, and what its download trusts.
struct DeviceTarget {
    std::string url;
    HostTrust trust;
};

// The session's host (after '*' substitution; names compared without case,
// port 443 when none is given): the session's trust, unchanged. Another host
// with an sslThumbprint in the lease: pinned to that thumbprint (as govc
// trusts it), unless `config.insecure`. Another host without one: the CA
// store and ca_file, never silently anything weaker. A malformed
// sslThumbprint: Error(tls) naming the host.
DeviceTarget device_target(const LeaseDevice& device, const Config& config);

// The lease device that carries `disk`: by device key, then by controller
// unit in the device's key ("/vm-1/VirtualLsiLogicController0:1"), then the
// n-th disk device for the n-th disk. Null when none fits.
const LeaseDevice* device_for_disk(const LeaseInfo& lease, const VmInfo& vm, const DiskInfo& disk);

// GET the device from `offset` into callbacks (thread-safe for different devices).
DownloadResult download_device(Session& session, const LeaseDevice& device, uint64_t offset,
                               const DownloadCallbacks& callbacks);

}  // namespace hypersdk::vsphere
