#include "nfc_download.hpp"

#include <algorithm>
#include <cctype>

#include "config.hpp"
#include "errors.hpp"

namespace hypersdk::vsphere {
namespace {

// "/vm-1/VirtualLsiLogicController0:1" -> kind "scsi", bus 0, unit 1.
bool parse_device_key(const std::string& key, std::string& kind, int& bus, int& unit) {
    auto name = key.substr(key.rfind('/') + 1);
    auto colon = name.rfind(':');
    if (colon == std::string::npos || colon == 0) return false;
    auto digits = colon;
    while (digits > 0 && std::isdigit(static_cast<unsigned char>(name[digits - 1]))) --digits;
    if (digits == colon) return false;
    try {
        bus = std::stoi(name.substr(digits, colon - digits));
        unit = std::stoi(name.substr(colon + 1));
    } catch (const std::exception&) {
        return false;
    }
    kind = controller_kind(name.substr(0, digits));
    return !kind.empty();
}

// Lower-case host and explicit port: "VC:443" and "vc" are the same endpoint.
std::string canonical_endpoint(std::string authority) {
    for (auto& c : authority) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto bracket = authority.rfind(']');
    const auto colon = authority.rfind(':');
    const bool has_port = colon != std::string::npos && (bracket == std::string::npos || colon > bracket);
    return has_port ? authority : authority + ":443";
}

}  // namespace

std::string resolve_device_url(const std::string& device_url, const std::string& session_host) {
    auto scheme = device_url.find("://");
    if (scheme == std::string::npos) return device_url;
    auto host_start = scheme + 3;
    auto host_end = device_url.find('/', host_start);
    std::string host = device_url.substr(host_start, host_end - host_start);
    if (host != "*" && host.rfind("*:", 0) != 0) return device_url;
    return device_url.substr(0, host_start) + session_host +
           (host_end == std::string::npos ? std::string() : device_url.substr(host_end));
}

const LeaseDevice* device_for_disk(const LeaseInfo& lease, const VmInfo& vm, const DiskInfo& disk) {
    std::vector<const LeaseDevice*> disks;
    for (const auto& d : lease.devices) {
        if (d.disk) disks.push_back(&d);
    }
    const std::string key = std::to_string(disk.key);
    for (auto* d : disks) {
        if (d->key == key) return d;
    }
    for (auto* d : disks) {
        std::string kind;
        int bus = 0, unit = 0;
        if (parse_device_key(d->key, kind, bus, unit) && kind == disk.controller && bus == disk.bus &&
            unit == disk.unit) {
            return d;
        }
    }
    // Last resort: the n-th disk device for the n-th disk in device-key order.
    std::vector<int32_t> keys;
    for (const auto& d : vm.disks) keys.push_back(d.key);
    std::sort(keys.begin(), keys.end());
    auto n = static_cast<size_t>(std::find(keys.begin(), keys.end(), disk.key) - keys.begin());
    return disks.size() == keys.size() && n < disks.size() ? disks[n] : nullptr;
}

DeviceTarget device_target(const LeaseDevice& device, const Config& config) {
    DeviceTarget target{resolve_device_url(device.url, config.host()), {}};
    const std::string host = url_authority(target.url);
    if (canonical_endpoint(host) == canonical_endpoint(config.host())) return target;
    target.trust.host = host;
    target.trust.kind = HostTrust::Kind::ca;
    if (config.insecure || device.ssl_thumbprint.empty()) return target;
    try {
        parse_thumbprint(device.ssl_thumbprint);
    } catch (const Error&) {
        throw Error(ErrorKind::tls, "the export lease gives host " + host + " the malformed sslThumbprint '" +
                                        device.ssl_thumbprint + "'; refusing to download " + target.url);
    }
    target.trust.kind = HostTrust::Kind::thumbprint;
    target.trust.thumbprint = device.ssl_thumbprint;
    return target;
}

DownloadResult download_device(Session& session, const LeaseDevice& device, uint64_t offset,
                               const DownloadCallbacks& callbacks) {
    if (device.url.empty())
        throw Error(ErrorKind::protocol, "export lease device " + device.key + " has no URL");
    const DeviceTarget target = device_target(device, session.config());
    return session.transport().get(target.url, offset, callbacks, target.trust);
}

}  // namespace hypersdk::vsphere
