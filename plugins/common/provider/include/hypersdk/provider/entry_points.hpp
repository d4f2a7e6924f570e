// The C entry points of a provider plugin (provider.h), generated from a
// declarative table of C++ functions, as converter_entry_points.hpp does for
// converters. Every entry runs inside run_entry() (boundary.hpp), so no
// exception crosses the ABI and every failure has a status and a job error.
//
//   struct MySession { ... };                      // logged in, owns its clients
//   std::unique_ptr<MySession> open(const OptionValues& config, const cxx::Job& job);
//   std::vector<VmSummary> list(MySession&, const cxx::Job&);
//   VmDescription describe(MySession&, const std::string& vm_ref, const cxx::Job&);
//   ExportResult export_vm(MySession&, const std::string& vm_ref, const OptionValues& options,
//                          const cxx::Job&);
//   const ProviderFunctions<MySession> kFunctions = {open, list, describe, export_vm,
//       "no instance given: pass --vm ID (an instance id or Name tag)"};
//   const hypersdk_provider& kProvider = provider_table<kFunctions, kCapabilities>;
//   ... descriptor: cxx::init_keep_host, cxx::deinit_forget_host, provider_get_interface<kProvider>
#pragma once

#include <hypersdk/provider.h>
#include <hypersdk/cxx/plugin.hpp>

#include <cstring>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "hypersdk/provider/boundary.hpp"
#include "hypersdk/provider/documents.hpp"
#include "hypersdk/provider/error.hpp"
#include "hypersdk/provider/option_values.hpp"

// The opaque session handle of provider.h. A plugin built on the kit never
// defines it: its own session type lives in a SessionBox below.
struct hypersdk_provider_session {
    virtual ~hypersdk_provider_session() = default;
};

namespace hypersdk::provider {

template <class Session>
struct ProviderFunctions {
    using session_type = Session;
    // Connects and authenticates (throw Error(auth) naming the credential to
    // fix, never its value). config: the declared options, by name.
    std::unique_ptr<Session> (*open)(const OptionValues& config, const cxx::Job& job);
    std::vector<VmSummary> (*list_vms)(Session& session, const cxx::Job& job);
    VmDescription (*describe_vm)(Session& session, const std::string& vm_ref, const cxx::Job& job);
    // Writes the files through sinks (cxx::Sink, http::HostSink) and returns
    // what it wrote. options: the export-options (common_export_options()).
    ExportResult (*export_vm)(Session& session, const std::string& vm_ref, const OptionValues& options,
                              const cxx::Job& job);
    // The error for an empty VM reference, saying which flag names a VM.
    const char* missing_vm_message;
};

template <class Session>
struct SessionBox final : hypersdk_provider_session {
    explicit SessionBox(std::unique_ptr<Session> s) : session(std::move(s)) {}
    std::unique_ptr<Session> session;  // destroyed (logged out) by close; must not throw
};

namespace detail {

template <const auto& Functions>
using SessionOf = typename std::remove_cvref_t<decltype(Functions)>::session_type;

template <const auto& Functions>
SessionOf<Functions>& session_of(hypersdk_provider_session* session) {
    if (session == nullptr) throw Error(ErrorKind::internal, "no provider session given");
    return *static_cast<SessionBox<SessionOf<Functions>>*>(session)->session;
}

template <const auto& Functions>
std::string vm_ref_of(const char* vm_ref) {
    if (vm_ref == nullptr || *vm_ref == '\0') throw Error(ErrorKind::config, Functions.missing_vm_message);
    return vm_ref;
}

template <const auto& Functions, const hypersdk_provider_capabilities& Capabilities>
int32_t open_entry(const char* config_json, hypersdk_job* job, hypersdk_provider_session** out_session) {
    return run_entry(job, [&] {
        if (out_session == nullptr) throw Error(ErrorKind::internal, "no session slot given");
        *out_session = nullptr;
        const OptionValues config(config_json,
                                  std::string("the ") + Capabilities.provider_name + " configuration");
        auto session = Functions.open(config, cxx::Job(job));
        if (!session) throw Error(ErrorKind::internal, "the provider opened no session");
        *out_session = new SessionBox<SessionOf<Functions>>(std::move(session));
    });
}

inline void close_entry(hypersdk_provider_session* session) {
    delete session;  // virtual: the plugin's session destructor logs out
}

template <const auto& Functions>
int32_t list_entry(hypersdk_provider_session* session, hypersdk_job* job, hypersdk_buffer* out_json) {
    return run_entry(job, [&] {
        auto& s = session_of<Functions>(session);
        cxx::Buffer(out_json).append(summaries_json(Functions.list_vms(s, cxx::Job(job))));
    });
}

template <const auto& Functions>
int32_t describe_entry(hypersdk_provider_session* session, const char* vm_ref, hypersdk_job* job,
                       hypersdk_buffer* out_json) {
    return run_entry(job, [&] {
        auto& s = session_of<Functions>(session);
        cxx::Buffer(out_json).append(
            description_json(Functions.describe_vm(s, vm_ref_of<Functions>(vm_ref), cxx::Job(job))));
    });
}

template <const auto& Functions>
int32_t export_entry(hypersdk_provider_session* session, const char* vm_ref, const char* options_json,
                     hypersdk_job* job, hypersdk_buffer* out_json) {
    return run_entry(job, [&] {
        auto& s = session_of<Functions>(session);
        const std::string ref = vm_ref_of<Functions>(vm_ref);
        const OptionValues options(options_json, "the export options");
        cxx::Buffer(out_json).append(export_result_json(Functions.export_vm(s, ref, options, cxx::Job(job))));
    });
}

}  // namespace detail

// The interface table: static, plugin-owned, valid while the plugin is loaded.
template <const auto& Functions, const hypersdk_provider_capabilities& Capabilities>
inline constexpr hypersdk_provider provider_table = {
    sizeof(hypersdk_provider),
    &Capabilities,
    detail::open_entry<Functions, Capabilities>,
    detail::close_entry,
    detail::list_entry<Functions>,
    detail::describe_entry<Functions>,
    detail::export_entry<Functions>,
};

// The descriptor's get_interface for a plugin that offers only this provider.
template <const hypersdk_provider& Table>
const void* provider_get_interface(const char* interface_id) {
    if (interface_id != nullptr && std::strcmp(interface_id, HYPERSDK_PROVIDER_INTERFACE_ID) == 0)
        return &Table;
    return nullptr;
}

}  // namespace hypersdk::provider
