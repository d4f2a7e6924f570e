#include "nfc_lease.hpp"

#include <thread>

#include "errors.hpp"
#include "property_collector.hpp"

namespace hypersdk::vsphere {
namespace {

LeaseState parse_state(const std::string& s) {
    if (s == "initializing") return LeaseState::initializing;
    if (s == "ready") return LeaseState::ready;
    if (s == "done") return LeaseState::done;
    if (s == "error") return LeaseState::error;
    return LeaseState::unknown;
}

std::string fault_text(pugi::xml_node error) {
    std::string type = xsi_type(child(error, "fault"));
    std::string message = child_text(error, "localizedMessage");
    if (type.empty()) return message;
    return message.empty() ? type : type + ": " + message;
}

LeaseInfo parse_info(const MoRef& lease, pugi::xml_node info) {
    LeaseInfo out;
    out.lease = lease;
    out.entity = to_moref(child(info, "entity"));
    out.total_disk_capacity_kb = child(info, "totalDiskCapacityInKB").text().as_ullong();
    out.timeout_seconds = child(info, "leaseTimeout").text().as_int();
    for (auto d : children(info, "deviceUrl")) {
        LeaseDevice device;
        device.key = child_text(d, "key");
        device.import_key = child_text(d, "importKey");
        device.url = child_text(d, "url");
        device.ssl_thumbprint = child_text(d, "sslThumbprint");
        device.target_id = child_text(d, "targetId");
        device.disk = child(d, "disk").text().as_bool();
        device.file_size = child(d, "fileSize").text().as_ullong();
        out.devices.push_back(std::move(device));
    }
    return out;
}

}  // namespace

const char* to_string(LeaseState state) {
    switch (state) {
        case LeaseState::initializing:
            return "initializing";
        case LeaseState::ready:
            return "ready";
        case LeaseState::done:
            return "done";
        case LeaseState::error:
            return "error";
        case LeaseState::unknown:
            break;
    }
    return "unknown";
}

MoRef export_vm(Session& session, const MoRef& vm) {
    try {
        MoRef lease = to_moref(session.call(Call("ExportVm", vm)).returnval());
        if (lease.empty()) throw Error(ErrorKind::protocol, "ExportVm of " + vm.value + " returned no lease");
        return lease;
    } catch (const Error& e) {
        if (e.fault_type() == "InvalidPowerState") {
            throw Error(ErrorKind::invalid_state,
                        "VM " + vm.value +
                            " is not powered off, and vSphere exports only powered-off VMs; "
                            "shut it down first or pass --power-off (" +
                            e.what() + ")",
                        e.fault_type());
        }
        throw;
    }
}

LeaseStatus lease_status(Session& session, const MoRef& lease) {
    auto objects =
        retrieve_properties(session, {{"HttpNfcLease", {"state", "error"}}}, object_spec(lease, false));
    if (objects.empty())
        throw Error(ErrorKind::not_found, "export lease " + lease.value + " no longer exists");
    return LeaseStatus{parse_state(objects.front().text("state")), fault_text(objects.front().get("error"))};
}

LeaseInfo wait_for_lease_ready(Session& session, const MoRef& lease, std::chrono::milliseconds limit,
                               const CancelCheck& cancelled) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    auto delay = std::chrono::milliseconds(100);
    while (true) {
        auto objects = retrieve_properties(session, {{"HttpNfcLease", {"state", "error", "info"}}},
                                           object_spec(lease, false));
        if (objects.empty())
            throw Error(ErrorKind::not_found, "export lease " + lease.value + " no longer exists");
        const auto& o = objects.front();
        switch (parse_state(o.text("state"))) {
            case LeaseState::ready:
                return parse_info(lease, o.get("info"));
            case LeaseState::error:
                throw Error(ErrorKind::fault,
                            "export lease " + lease.value + " failed: " + fault_text(o.get("error")));
            case LeaseState::done:
                throw Error(ErrorKind::invalid_state, "export lease " + lease.value + " is already complete");
            default:
                break;
        }
        if (cancelled && cancelled())
            throw Error(ErrorKind::cancelled, "cancelled while waiting for export lease " + lease.value);
        if (std::chrono::steady_clock::now() + delay > deadline) {
            throw Error(ErrorKind::timeout, "export lease " + lease.value + " was not ready within " +
                                                std::to_string(limit.count() / 1000) + " s");
        }
        std::this_thread::sleep_for(delay);
        delay = std::min(delay * 2, std::chrono::milliseconds(1000));
    }
}

void lease_progress(Session& session, const MoRef& lease, int32_t percent) {
    session.call(Call("HttpNfcLeaseProgress", lease)
                     .param("percent", static_cast<int64_t>(std::clamp(percent, 0, 100))));
}

void lease_complete(Session& session, const MoRef& lease) {
    session.call(Call("HttpNfcLeaseComplete", lease));
}

void lease_abort(Session& session, const MoRef& lease) {
    session.call(Call("HttpNfcLeaseAbort", lease));
}

}  // namespace hypersdk::vsphere
