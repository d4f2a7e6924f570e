// Loads any provider plugin through core's real loader and registry
// (PluginRegistry: the same trust checks, descriptor checks and host table as
// hyperexport) and runs its calls with real core Jobs:
//   - raw calls (open/list/describe/export) that return the status, the
//     document, the job error and warnings, with sinks written by core's own
//     FileSinkFactory (".part", resume records, exact_bytes, SHA-256) and
//     every open and close recorded;
//   - whole exports through core's ExportRunner (sinks, manifest, checks).
// Tests of every provider (vSphere against vcsim, the clouds against their
// peers) and the provider conformance suite use it.
#pragma once

#include <hypersdk/provider.h>
#include <hypersdk/core/export_runner.hpp>
#include <hypersdk/core/file_sink.hpp>
#include <hypersdk/core/job.hpp>
#include <hypersdk/core/plugin_registry.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace hypersdk::test {

// One sink a provider opened, and how it ended.
struct SinkOpen {
    std::string artifact_json;
    std::string file_name;
    static constexpr int32_t kStillOpen = 1;
    int32_t close_status = kStillOpen;  // HYPERSDK_OK: committed
};

// core's FileSinkFactory (the host's sinks) with every open and close recorded.
class RecordingSinkFactory : public core::SinkFactory {
public:
    explicit RecordingSinkFactory(std::filesystem::path dir, core::FileSinkOptions options = {});
    int32_t open(core::Job& job, std::string_view artifact_json, std::unique_ptr<core::Sink>& out) override;
    std::vector<SinkOpen> opens() const;
    // What core committed: final path, bytes, SHA-256.
    std::vector<core::SinkRecord> committed() const { return files_.records(); }
    const std::filesystem::path& directory() const { return files_.directory(); }

private:
    friend class RecordingSink;
    void record_close(size_t index, int32_t status);

    core::FileSinkFactory files_;
    mutable std::mutex mutex_;
    std::vector<SinkOpen> opens_;
};

struct ProviderCall {
    int32_t status = HYPERSDK_OK;
    std::string text;   // the JSON the plugin appended
    std::string error;  // the job error message ("" when none)
    std::vector<core::JobWarning> warnings;
    bool ok() const { return status == HYPERSDK_OK; }
};

class ProviderHarness {
public:
    // Discovers the plugins of `plugin_dir` (core's PluginRegistry) and picks
    // the provider whose provider_name is `provider_name`. Throws
    // std::runtime_error saying what was loaded and refused when it is not there.
    ProviderHarness(const std::filesystem::path& plugin_dir, const std::string& provider_name);
    ~ProviderHarness();
    ProviderHarness(const ProviderHarness&) = delete;
    ProviderHarness& operator=(const ProviderHarness&) = delete;

    const core::LoadedPlugin& plugin() const { return *plugin_; }
    const hypersdk_plugin_descriptor& descriptor() const { return plugin_->descriptor(); }
    // The host's checked copy of the interface table.
    const hypersdk_provider& provider() const { return *plugin_->provider(); }
    const core::PluginRegistry& registry() const { return registry_; }

    // Raw calls through the C table, as the host makes them.
    ProviderCall open(const std::string& config_json, hypersdk_provider_session** session);
    void close(hypersdk_provider_session* session);
    ProviderCall list_vms(hypersdk_provider_session* session);
    ProviderCall describe_vm(hypersdk_provider_session* session, const std::string& vm_ref);
    // on_progress sees every progress report and may cancel the job.
    ProviderCall export_vm(
        hypersdk_provider_session* session, const std::string& vm_ref, const std::string& options_json,
        core::SinkFactory* sinks,
        const std::function<void(core::Job&, uint64_t done, uint64_t total)>& on_progress = {});

    // A whole export as hyperexport runs it (ExportRunner: sinks, manifest).
    // request.provider is set to this provider.
    core::ExportOutcome run_export(
        core::ExportRequest request,
        const std::function<void(core::Job&, uint64_t, uint64_t)>& on_progress = {});
    core::ExportRunner& runner() { return runner_; }

private:
    core::PluginRegistry registry_;
    const core::LoadedPlugin* plugin_ = nullptr;
    std::string provider_name_;
    core::ExportRunner runner_;
};

}  // namespace hypersdk::test
