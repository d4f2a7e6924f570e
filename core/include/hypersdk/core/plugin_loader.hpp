// Loading one plugin shared object: dlopen, descriptor checks, init,
// interface look-up. Every refusal is a one-line message saying what is wrong
// and what to do; nothing here throws or crashes on a bad plugin.
#pragma once

#include <hypersdk/hypersdk.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "hypersdk/core/converter_backend.hpp"
#include "hypersdk/core/host_table.hpp"
#include "hypersdk/core/provider_backend.hpp"

namespace hypersdk::core {

// The smallest tables and capability structs this host accepts: the size of
// the fields of ABI 1.0, all of which are mandatory. Fields a later minor
// appends are optional and read as NULL/0 when a plugin's struct is shorter.
inline constexpr uint32_t kProviderMinSize =
    offsetof(hypersdk_provider, export_vm) + sizeof(hypersdk_provider::export_vm);
inline constexpr uint32_t kProviderCapabilitiesMinSize =
    offsetof(hypersdk_provider_capabilities, supports_incremental) +
    sizeof(hypersdk_provider_capabilities::supports_incremental);
inline constexpr uint32_t kConverterMinSize =
    offsetof(hypersdk_converter, convert) + sizeof(hypersdk_converter::convert);
inline constexpr uint32_t kConverterCapabilitiesMinSize =
    offsetof(hypersdk_converter_capabilities, install_hint) +
    sizeof(hypersdk_converter_capabilities::install_hint);

// One plugin that passed every check and whose init succeeded. The shared
// object stays loaded and its HostTable alive as long as this object lives;
// the destructor calls the plugin's deinit. Everything it hands out is a
// host-owned copy, zero-filled past what the plugin declared (nbdkit's rule),
// so an older plugin's missing tail reads as NULL. Strings and string lists
// inside those copies point into the plugin and share its lifetime.
class LoadedPlugin {
public:
    LoadedPlugin(const LoadedPlugin&) = delete;
    LoadedPlugin& operator=(const LoadedPlugin&) = delete;
    ~LoadedPlugin();

    // The descriptor copy. id, name, version and get_interface are non-NULL.
    const hypersdk_plugin_descriptor& descriptor() const { return descriptor_; }
    const std::string& id() const { return id_; }
    const std::filesystem::path& path() const { return path_; }
    uint16_t abi_major() const { return descriptor_.abi_major; }
    uint16_t abi_minor() const { return descriptor_.abi_minor; }
    uint32_t kinds() const { return descriptor_.kinds; }
    bool serialized() const { return descriptor_.thread_model != HYPERSDK_THREAD_MODEL_PARALLEL; }

    // The interfaces as the host uses them: value-type capabilities and the
    // only way core calls into the plugin. NULL when not of that kind.
    const ProviderBackend* provider_backend() const { return provider_backend_.get(); }
    const ConverterBackend* converter_backend() const { return converter_backend_.get(); }

    // The raw interface tables (host copies), for the ABI tests; core calls
    // plugins through the backends above. NULL when not of that kind. Their
    // capabilities pointer points at the host copy below.
    const hypersdk_provider* provider() const { return has_provider_ ? &provider_ : nullptr; }
    const hypersdk_converter* converter() const { return has_converter_ ? &converter_ : nullptr; }
    const hypersdk_provider_capabilities* provider_capabilities() const {
        return has_provider_ ? &provider_capabilities_ : nullptr;
    }
    const hypersdk_converter_capabilities* converter_capabilities() const {
        return has_converter_ ? &converter_capabilities_ : nullptr;
    }

    // The services table this plugin received at init.
    const hypersdk_host* host() const { return host_table_->get(); }

    // The backends take this around every call; tests calling the raw tables
    // take it themselves. It holds the plugin's mutex for a SERIALIZE plugin (any unknown thread model counts
    // as SERIALIZE) and is an empty lock for a PARALLEL one.
    std::unique_lock<std::mutex> lock_for_call() const;

private:
    friend class PluginLoader;
    LoadedPlugin() = default;

    // The Boost.DLL handle, kept out of this header so users of core need
    // neither Boost.DLL nor its filesystem configuration. Declared first so it
    // is destroyed last: everything below points into it.
    struct Library;
    std::unique_ptr<Library> library_;
    std::unique_ptr<HostTable> host_table_;
    std::filesystem::path path_;
    std::string id_;
    hypersdk_plugin_descriptor descriptor_{};
    bool initialized_ = false;
    bool has_provider_ = false;
    bool has_converter_ = false;
    hypersdk_provider provider_{};
    hypersdk_provider_capabilities provider_capabilities_{};
    hypersdk_converter converter_{};
    hypersdk_converter_capabilities converter_capabilities_{};
    mutable std::mutex call_mutex_;
    std::unique_ptr<ProviderBackend> provider_backend_;
    std::unique_ptr<ConverterBackend> converter_backend_;
};

// Loads one file. The registry uses it; tests may too.
class PluginLoader {
public:
    // Called after the descriptor was accepted and before init: returns an
    // error message to refuse the plugin (e.g. a duplicate id), or "".
    using PreInitCheck = std::function<std::string(const LoadedPlugin&)>;

    // Returns the initialised plugin, or nullptr with `error` set to a
    // one-line reason (without the path; callers prefix it).
    static std::unique_ptr<LoadedPlugin> load(const std::filesystem::path& path, const PreInitCheck& check,
                                              std::string& error);

private:
    static std::string open_library(LoadedPlugin& plugin);
    static std::string read_descriptor(LoadedPlugin& plugin);
    static std::string initialize(LoadedPlugin& plugin);
    static std::string resolve_interfaces(LoadedPlugin& plugin);
};

// True for ids of the form [a-z0-9][a-z0-9.-]*.
bool is_valid_plugin_id(std::string_view id);

// A NULL-terminated string list from a capability struct, read at most
// `limit` entries deep so a list missing its NULL cannot run away.
std::vector<std::string> copy_string_list(const char* const* list, size_t limit = 1024);

}  // namespace hypersdk::core
