#include "task.hpp"

#include <thread>

#include "errors.hpp"
#include "property_collector.hpp"

namespace hypersdk::vsphere {

void wait_for_task(Session& session, const MoRef& task, std::chrono::milliseconds limit,
                   const CancelCheck& cancelled) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    auto delay = std::chrono::milliseconds(100);
    while (true) {
        auto objects =
            retrieve_properties(session, {{"Task", {"info.state", "info.error", "info.descriptionId"}}},
                                object_spec(task, false));
        if (objects.empty()) throw Error(ErrorKind::not_found, "task " + task.value + " disappeared");
        const auto& o = objects.front();
        const std::string state = o.text("info.state");
        if (state == "success") return;
        if (state == "error") {
            pugi::xml_node error = o.get("info.error");
            std::string type = xsi_type(child(error, "fault"));
            std::string message = child_text(error, "localizedMessage");
            throw Error(type == "InvalidPowerState" ? ErrorKind::invalid_state : ErrorKind::fault,
                        "vSphere task " + o.text("info.descriptionId") + " (" + task.value + ") failed: " +
                            (type.empty() ? "" : type + (message.empty() ? "" : ": ")) + message,
                        type);
        }
        if (cancelled && cancelled())
            throw Error(ErrorKind::cancelled, "cancelled while waiting for task " + task.value);
        if (std::chrono::steady_clock::now() + delay > deadline) {
            throw Error(ErrorKind::timeout, "vSphere task " + task.value + " did not finish within " +
                                                std::to_string(limit.count() / 1000) + " s (state " + state +
                                                ")");
        }
        std::this_thread::sleep_for(delay);
        delay = std::min(delay * 2, std::chrono::milliseconds(1000));
    }
}

void power_off_vm(Session& session, const MoRef& vm, std::chrono::milliseconds limit,
                  const CancelCheck& cancelled) {
    MoRef task;
    try {
        task = to_moref(session.call(Call("PowerOffVM_Task", vm)).returnval());
    } catch (const Error& e) {
        if (e.fault_type() == "InvalidPowerState") return;  // already off
        throw;
    }
    try {
        wait_for_task(session, task, limit, cancelled);
    } catch (const Error& e) {
        if (e.fault_type() != "InvalidPowerState") throw;
    }
}

}  // namespace hypersdk::vsphere
