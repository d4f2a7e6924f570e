#include "hypersdk/core/plugin_loader.hpp"

#include <dlfcn.h>

// Boost.DLL's ELF reader leans on these without including them.
#include <string>
#include <vector>

#include <spdlog/fmt/fmt.h>
#include <boost/dll/library_info.hpp>
#include <boost/dll/shared_library.hpp>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <optional>
#include <set>
#include <string_view>

namespace hypersdk::core {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kRebuildHint = "rebuild it against SDK 1.x";

// Copy min(declared, sizeof(T)) bytes of a size-prefixed struct into a zeroed
// host copy: a shorter struct reads its missing tail as NULL/0, a longer one
// has its unknown tail ignored. The caller has checked `declared` for sanity.
template <typename T>
T copy_prefix(const void* source, uint32_t declared) {
    T copy{};
    std::memcpy(&copy, source, std::min<size_t>(declared, sizeof(T)));
    return copy;
}

uint32_t read_struct_size(const void* table) {
    uint32_t size = 0;
    std::memcpy(&size, table, sizeof size);
    return size;
}

// The ABI majors of the entry symbols the shared object exports, other than
// ours. The ELF symbol table is read first; when the file has none (stripped),
// probe the dynamic symbols of plausible majors instead.
std::set<unsigned> other_entry_majors(const LoadedPlugin& plugin, const boost::dll::shared_library& library) {
    std::set<unsigned> majors;
    const std::string_view prefix = HYPERSDK_PLUGIN_ENTRY_PREFIX;
    try {
        boost::dll::library_info info(plugin.path());
        for (const std::string& symbol : info.symbols()) {
            if (symbol.size() <= prefix.size() || symbol.compare(0, prefix.size(), prefix) != 0) continue;
            const std::string digits = symbol.substr(prefix.size());
            if (digits.size() > 4 || !std::all_of(digits.begin(), digits.end(), ::isdigit)) continue;
            majors.insert(static_cast<unsigned>(std::stoul(digits)));
        }
    } catch (...) {
        // Not an ELF file we can read: fall through to probing.
    }
    if (majors.empty()) {
        for (unsigned major = 0; major <= 64; ++major) {
            if (library.has(std::string(prefix) + std::to_string(major))) majors.insert(major);
        }
    }
    majors.erase(HYPERSDK_ABI_MAJOR);
    return majors;
}

std::string text_or_empty(const char* text) {
    return text != nullptr ? text : "";
}

std::optional<ProviderCapabilities> provider_capabilities(const hypersdk_provider_capabilities& raw,
                                                          std::string& error) {
    ProviderCapabilities caps;
    caps.provider_name = text_or_empty(raw.provider_name);
    caps.export_formats = copy_string_list(raw.export_formats);
    caps.auth_methods = copy_string_list(raw.auth_methods);
    caps.exports_powered_on = raw.exports_powered_on;
    caps.supports_incremental = raw.supports_incremental;
    auto options = read_option_table(raw.options, error);
    if (!options) return std::nullopt;
    caps.options = std::move(*options);
    return caps;
}

std::optional<ConverterCapabilities> converter_capabilities(const hypersdk_converter_capabilities& raw,
                                                            std::string& error) {
    ConverterCapabilities caps;
    caps.source_formats = copy_string_list(raw.supported_source_formats);
    caps.target_formats = copy_string_list(raw.supported_target_formats);
    caps.driver_injection = raw.supports_driver_injection;
    caps.os_detection = raw.supports_os_detection;
    caps.validation = raw.supports_validation;
    caps.providers = copy_string_list(raw.supported_providers);
    caps.priority = raw.priority;
    caps.tool_name = text_or_empty(raw.tool_name);
    caps.install_hint = text_or_empty(raw.install_hint);
    auto options = read_option_table(raw.options, error);
    if (!options) return std::nullopt;
    caps.options = std::move(*options);
    return caps;
}

std::string missing_function(std::string_view kind, std::string_view slot) {
    return fmt::format("the {} interface field '{}' is NULL: the plugin is incomplete, {}", kind, slot,
                       kRebuildHint);
}

}  // namespace

struct LoadedPlugin::Library {
    boost::dll::shared_library handle;
};

bool is_valid_plugin_id(std::string_view id) {
    if (id.empty()) return false;
    auto lower_alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    if (!lower_alnum(id.front())) return false;
    return std::all_of(id.begin(), id.end(), [&](char c) { return lower_alnum(c) || c == '.' || c == '-'; });
}

std::vector<std::string> copy_string_list(const char* const* list, size_t limit) {
    std::vector<std::string> out;
    for (size_t i = 0; list != nullptr && i < limit && list[i] != nullptr; ++i) out.emplace_back(list[i]);
    return out;
}

LoadedPlugin::~LoadedPlugin() {
    if (initialized_ && descriptor_.deinit != nullptr) {
        try {
            descriptor_.deinit();
        } catch (...) {
            // A C++ plugin broke the no-exceptions rule; unloading goes on.
        }
    }
}

std::unique_lock<std::mutex> LoadedPlugin::lock_for_call() const {
    if (!serialized()) return {};
    return std::unique_lock<std::mutex>(call_mutex_);
}

std::unique_ptr<LoadedPlugin> PluginLoader::load(const fs::path& path, const PreInitCheck& check,
                                                 std::string& error) {
    std::unique_ptr<LoadedPlugin> plugin(new LoadedPlugin());
    plugin->library_ = std::make_unique<LoadedPlugin::Library>();
    std::error_code ec;
    plugin->path_ = fs::absolute(path, ec).lexically_normal();
    if (ec) plugin->path_ = path;

    error = open_library(*plugin);
    if (error.empty()) error = read_descriptor(*plugin);
    if (error.empty() && check) error = check(*plugin);
    if (error.empty()) error = initialize(*plugin);
    if (error.empty()) error = resolve_interfaces(*plugin);
    // On error the destructor calls deinit only if init succeeded, then unloads.
    if (!error.empty()) return nullptr;
    return plugin;
}

std::string PluginLoader::open_library(LoadedPlugin& plugin) {
    boost::dll::fs::error_code ec;
    ::dlerror();  // clear any stale message so the one below is ours
    boost::dll::shared_library& library = plugin.library_->handle;
    library.load(plugin.path_, boost::dll::load_mode::rtld_local | boost::dll::load_mode::rtld_now, ec);
    if (ec || !library.is_loaded()) {
        const char* reason = ::dlerror();
        return fmt::format(
            "cannot be loaded ({}): check that it is a shared object for this system and that its "
            "libraries are installed",
            reason != nullptr ? reason : ec.message());
    }
    return {};
}

std::string PluginLoader::read_descriptor(LoadedPlugin& plugin) {
    boost::dll::shared_library& library = plugin.library_->handle;
    if (!library.has(HYPERSDK_PLUGIN_ENTRY_SYMBOL)) {
        const std::set<unsigned> majors = other_entry_majors(plugin, library);
        if (!majors.empty()) {
            return fmt::format("built for hypersdk ABI major {}, this host speaks major {}: {}",
                               *majors.begin(), HYPERSDK_ABI_MAJOR, kRebuildHint);
        }
        return "not a hypersdk plugin (no " HYPERSDK_PLUGIN_ENTRY_SYMBOL
               " symbol): remove it from the plugin directory";
    }

    const auto entry = library.get<const hypersdk_plugin_descriptor*()>(HYPERSDK_PLUGIN_ENTRY_SYMBOL);
    const hypersdk_plugin_descriptor* raw = nullptr;
    try {
        raw = entry();
    } catch (...) {
        return "hypersdk_plugin_entry_v1 threw an exception: the plugin is broken, report it to its author";
    }
    if (raw == nullptr) {
        return "hypersdk_plugin_entry_v1 returned NULL: the plugin is broken, report it to its author";
    }

    const uint32_t size = read_struct_size(raw);
    if (size < HYPERSDK_PLUGIN_DESCRIPTOR_MIN_SIZE || size > HYPERSDK_PLUGIN_DESCRIPTOR_MAX_SIZE) {
        return fmt::format(
            "descriptor struct_size {} is outside {}..{}: the plugin is corrupt or was not built "
            "with the hypersdk headers; {}",
            size, HYPERSDK_PLUGIN_DESCRIPTOR_MIN_SIZE, HYPERSDK_PLUGIN_DESCRIPTOR_MAX_SIZE, kRebuildHint);
    }
    hypersdk_plugin_descriptor& d = plugin.descriptor_;
    d = copy_prefix<hypersdk_plugin_descriptor>(raw, size);

    if (d.abi_major != HYPERSDK_ABI_MAJOR) {
        return fmt::format("built for hypersdk ABI major {}, this host speaks major {}: {}", d.abi_major,
                           HYPERSDK_ABI_MAJOR, kRebuildHint);
    }
    for (const auto& [field, value] : {std::pair{"id", d.id}, {"name", d.name}, {"version", d.version}}) {
        if (value == nullptr) {
            return fmt::format(
                "descriptor field '{}' is NULL: id, name, version and get_interface are required; {}", field,
                kRebuildHint);
        }
    }
    if (d.get_interface == nullptr) {
        return fmt::format(
            "descriptor field 'get_interface' is NULL: id, name, version and get_interface are "
            "required; {}",
            kRebuildHint);
    }
    plugin.id_ = d.id;
    if (!is_valid_plugin_id(plugin.id_)) {
        return fmt::format(
            "plugin id '{}' is invalid: use lowercase reverse-DNS matching [a-z0-9][a-z0-9.-]*", plugin.id_);
    }
    constexpr uint32_t known_kinds = HYPERSDK_PLUGIN_KIND_PROVIDER | HYPERSDK_PLUGIN_KIND_CONVERTER;
    if (d.kinds == 0) {
        return "declares no kind (kinds == 0): set HYPERSDK_PLUGIN_KIND_PROVIDER and/or "
               "HYPERSDK_PLUGIN_KIND_CONVERTER";
    }
    if ((d.kinds & known_kinds) == 0) {
        return fmt::format("declares only kinds this host does not know (0x{:x}): upgrade hyperexport",
                           d.kinds);
    }
    return {};
}

std::string PluginLoader::initialize(LoadedPlugin& plugin) {
    plugin.host_table_ = std::make_unique<HostTable>(plugin.id_, plugin.path_.string());
    if (plugin.descriptor_.init != nullptr) {
        int32_t status = HYPERSDK_ERR_INTERNAL;
        try {
            status = plugin.descriptor_.init(plugin.host_table_->get());
        } catch (...) {
            status = HYPERSDK_ERR_INTERNAL;
        }
        if (status != HYPERSDK_OK) {
            return fmt::format(
                "init failed with status {}: see the plugin's messages above and fix its "
                "installation or configuration",
                status);
        }
    }
    plugin.initialized_ = true;
    return {};
}

std::string PluginLoader::resolve_interfaces(LoadedPlugin& plugin) {
    auto get_interface = [&plugin](const char* interface_id) -> const void* {
        try {
            return plugin.descriptor_.get_interface(interface_id);
        } catch (...) {
            return nullptr;
        }
    };
    auto missing_interface = [](std::string_view kind, std::string_view interface_id) {
        return fmt::format(
            "declares the {} kind but get_interface(\"{}\") returned NULL: the plugin is broken, "
            "report it to its author",
            kind, interface_id);
    };
    auto too_small = [](std::string_view what, uint32_t size, uint32_t minimum) {
        return fmt::format("{} struct_size {} is below the {} bytes of its mandatory fields: {}", what, size,
                           minimum, kRebuildHint);
    };

    if (plugin.descriptor_.kinds & HYPERSDK_PLUGIN_KIND_PROVIDER) {
        const void* table = get_interface(HYPERSDK_PROVIDER_INTERFACE_ID);
        if (table == nullptr) return missing_interface("provider", HYPERSDK_PROVIDER_INTERFACE_ID);
        const uint32_t size = read_struct_size(table);
        if (size < kProviderMinSize) return too_small("provider interface", size, kProviderMinSize);
        hypersdk_provider& p = plugin.provider_;
        p = copy_prefix<hypersdk_provider>(table, size);
        if (p.capabilities == nullptr) return missing_function("provider", "capabilities");
        if (p.open == nullptr) return missing_function("provider", "open");
        if (p.close == nullptr) return missing_function("provider", "close");
        if (p.list_vms == nullptr) return missing_function("provider", "list_vms");
        if (p.describe_vm == nullptr) return missing_function("provider", "describe_vm");
        if (p.export_vm == nullptr) return missing_function("provider", "export_vm");
        const uint32_t caps_size = read_struct_size(p.capabilities);
        if (caps_size < kProviderCapabilitiesMinSize)
            return too_small("provider capabilities", caps_size, kProviderCapabilitiesMinSize);
        plugin.provider_capabilities_ =
            copy_prefix<hypersdk_provider_capabilities>(p.capabilities, caps_size);
        if (plugin.provider_capabilities_.provider_name == nullptr)
            return "provider capabilities have no provider_name: " + std::string(kRebuildHint);
        p.capabilities = &plugin.provider_capabilities_;
        std::string error;
        auto caps = provider_capabilities(plugin.provider_capabilities_, error);
        if (!caps) return "provider " + error + ": fix the plugin's option table";
        plugin.provider_backend_ = std::make_unique<ProviderBackend>(plugin.id_, p, std::move(*caps),
                                                                     plugin.serialized(), plugin.call_mutex_);
        plugin.has_provider_ = true;
    }

    if (plugin.descriptor_.kinds & HYPERSDK_PLUGIN_KIND_CONVERTER) {
        const void* table = get_interface(HYPERSDK_CONVERTER_INTERFACE_ID);
        if (table == nullptr) return missing_interface("converter", HYPERSDK_CONVERTER_INTERFACE_ID);
        const uint32_t size = read_struct_size(table);
        if (size < kConverterMinSize) return too_small("converter interface", size, kConverterMinSize);
        hypersdk_converter& c = plugin.converter_;
        c = copy_prefix<hypersdk_converter>(table, size);
        if (c.capabilities == nullptr) return missing_function("converter", "capabilities");
        if (c.validate == nullptr) return missing_function("converter", "validate");
        if (c.version == nullptr) return missing_function("converter", "version");
        if (c.convert == nullptr) return missing_function("converter", "convert");
        const uint32_t caps_size = read_struct_size(c.capabilities);
        if (caps_size < kConverterCapabilitiesMinSize)
            return too_small("converter capabilities", caps_size, kConverterCapabilitiesMinSize);
        plugin.converter_capabilities_ =
            copy_prefix<hypersdk_converter_capabilities>(c.capabilities, caps_size);
        c.capabilities = &plugin.converter_capabilities_;
        std::string error;
        auto caps = converter_capabilities(plugin.converter_capabilities_, error);
        if (!caps) return "converter " + error + ": fix the plugin's option table";
        plugin.converter_backend_ =
            std::make_unique<ConverterBackend>(plugin.id_, plugin.descriptor_.name, c, std::move(*caps),
                                               plugin.serialized(), plugin.call_mutex_);
        plugin.has_converter_ = true;
    }
    return {};
}

}  // namespace hypersdk::core
