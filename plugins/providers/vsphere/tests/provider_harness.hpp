// Loads the built vSphere plugin the way the host does (dlopen, entry symbol,
// HostTable, init, get_interface) and runs provider calls with a real core
// Job whose SinkFactory writes "<dir>/<file>.part" and renames on commit.
#pragma once

#include <hypersdk/plugin.h>
#include <hypersdk/provider.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "hypersdk/core/host_table.hpp"
#include "hypersdk/core/job.hpp"

namespace hypersdk::vsphere::test {

struct SinkRecord {
    std::string artifact_json;
    std::string file_name;
    int32_t close_status = 1;  // 1: still open
};

// Writes sinks into one directory, recording every open and close.
class FileSinkFactory : public core::SinkFactory {
public:
    explicit FileSinkFactory(std::filesystem::path dir) : dir_(std::move(dir)) {}
    int32_t open(core::Job& job, std::string_view artifact_json, std::unique_ptr<core::Sink>& out) override;
    std::vector<SinkRecord> records() const;
    void record_close(size_t index, int32_t status);

private:
    std::filesystem::path dir_;
    mutable std::mutex mutex_;
    std::vector<SinkRecord> records_;
};

struct ProviderCall {
    int32_t status = 0;
    std::string text;   // the JSON appended to the output buffer
    std::string error;  // the job error message
    std::vector<core::JobWarning> warnings;
};

class LoadedProvider {
public:
    explicit LoadedProvider(const std::string& so_path);  // throws std::runtime_error
    ~LoadedProvider();
    LoadedProvider(const LoadedProvider&) = delete;
    LoadedProvider& operator=(const LoadedProvider&) = delete;

    const hypersdk_plugin_descriptor& descriptor() const { return *descriptor_; }
    const hypersdk_provider& provider() const { return *provider_; }

    // open; on success *session is set (close it with close()).
    ProviderCall open(const std::string& config_json, hypersdk_provider_session** session);
    void close(hypersdk_provider_session* session) { provider_->close(session); }
    ProviderCall list_vms(hypersdk_provider_session* session);
    ProviderCall describe_vm(hypersdk_provider_session* session, const std::string& vm_ref);
    // on_progress may cancel the job (it sees every report).
    ProviderCall export_vm(hypersdk_provider_session* session, const std::string& vm_ref,
                           const std::string& options_json, core::SinkFactory* sinks,
                           const std::function<void(core::Job&, uint64_t, uint64_t)>& on_progress = {});

private:
    void* handle_ = nullptr;
    const hypersdk_plugin_descriptor* descriptor_ = nullptr;
    const hypersdk_provider* provider_ = nullptr;
    std::unique_ptr<core::HostTable> host_;
    bool initialized_ = false;
};

}  // namespace hypersdk::vsphere::test
