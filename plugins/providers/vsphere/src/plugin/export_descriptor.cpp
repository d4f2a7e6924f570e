#include "export_descriptor.hpp"

#include "errors.hpp"
#include "ovf_manager.hpp"

namespace hypersdk::vsphere::plugin {
namespace {

ExportDescriptor generated(const VmInfo& vm, const std::vector<OvfDiskFile>& files) {
    return {make_ovf_descriptor(vm, files), false};
}

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : "; ") + i;
    return out;
}

}  // namespace

ExportDescriptor export_descriptor(Session& session, const VmInfo& vm, const std::vector<OvfDiskFile>& files,
                                   const cxx::Job& job) {
    std::vector<OvfFileRef> refs;
    for (const auto& f : files) refs.push_back({f.device_id, f.file_name, f.size});
    const std::string fallback = "; writing the OVF descriptor generated from the VM's configuration instead";
    try {
        auto result = create_ovf_descriptor(session, vm.ref, vm.name, refs);
        if (!result) {
            cxx::log(HYPERSDK_LOG_INFO, "OVF descriptor of " + vm.name +
                                            ": generated from the VM's configuration (the server has no "
                                            "OvfManager.CreateDescriptor)");
            return generated(vm, files);
        }
        if (!result->errors.empty()) {
            job.warning("export", "vSphere reported errors creating the OVF descriptor of " + vm.name + " (" +
                                      joined(result->errors) + ")" + fallback);
            return generated(vm, files);
        }
        check_ovf_descriptor(result->descriptor, refs);
        for (const auto& w : result->warnings)
            job.warning("export",
                        "vSphere warned while creating the OVF descriptor of " + vm.name + ": " + w);
        cxx::log(HYPERSDK_LOG_INFO,
                 "OVF descriptor of " + vm.name + ": from the server's OvfManager.CreateDescriptor");
        return {std::move(result->descriptor), true};
    } catch (const Error& e) {
        // A fault (NoPermission included) or an answer we cannot use: the
        // downloads stand. Transport, TLS, timeout and cancellation end the export.
        const bool server_answered = !e.fault_type().empty() || e.kind() == ErrorKind::protocol;
        if (!server_answered || e.kind() == ErrorKind::cancelled) throw;
        job.warning("export",
                    "OvfManager.CreateDescriptor for " + vm.name + " failed: " + e.what() + fallback);
        return generated(vm, files);
    }
}

}  // namespace hypersdk::vsphere::plugin
