// hyperexport vms: list the VMs a provider can see (name, power state, cpu,
// memory, provisioned disk size, inventory path), as a table or as JSON.
#include <hypersdk/core/export_runner.hpp>

#include <rapidjson/document.h>
#include <spdlog/spdlog.h>
#include <boost/program_options.hpp>

#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "cli_support.hpp"
#include "command.hpp"
#include "plugin_flags.hpp"
#include "plugin_options_cli.hpp"
#include "progress_bar.hpp"
#include "signal_scope.hpp"
#include "terminal_text.hpp"

namespace hypersdk::host {
namespace {

namespace po = boost::program_options;

std::string number_or_dash(const std::optional<int64_t>& value) {
    return value ? std::to_string(*value) : "-";
}

void print_table(const std::vector<core::VmSummary>& vms) {
    std::vector<std::vector<std::string>> rows{{"NAME", "POWER", "CPU", "MEMORY", "DISK", "PATH"}};
    for (const auto& vm : vms) {
        std::string power(core::power_state_label(vm.power_state));
        if (!vm.platform_state.empty()) power += " (" + vm.platform_state + ")";
        rows.push_back({terminal_safe(vm.name, false), terminal_safe(power, false), number_or_dash(vm.cpu),
                        vm.memory_mb ? format_bytes(static_cast<uint64_t>(*vm.memory_mb) << 20) : "-",
                        vm.disk_bytes ? format_bytes(*vm.disk_bytes) : "-", terminal_safe(vm.path, false)});
    }
    std::vector<size_t> widths(rows[0].size(), 0);
    for (const auto& row : rows)
        for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
    for (const auto& row : rows) {
        std::string line;
        for (size_t i = 0; i < row.size(); ++i) {
            line += row[i];
            if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
        }
        std::cout << line << "\n";
    }
    std::cout << std::flush;
}

void print_json(const std::vector<core::VmSummary>& vms) {
    rapidjson::Document document(rapidjson::kArrayType);
    auto& alloc = document.GetAllocator();
    const auto str = [&](const std::string& text) { return rapidjson::Value(text.c_str(), alloc); };
    for (const auto& vm : vms) {
        rapidjson::Value object(rapidjson::kObjectType);
        object.AddMember("id", str(vm.id), alloc);
        object.AddMember("name", str(vm.name), alloc);
        object.AddMember("power_state", str(std::string(core::power_state_name(vm.power_state))), alloc);
        if (!vm.platform_state.empty()) object.AddMember("platform_state", str(vm.platform_state), alloc);
        if (!vm.path.empty()) object.AddMember("path", str(vm.path), alloc);
        if (vm.cpu) object.AddMember("cpu", *vm.cpu, alloc);
        if (vm.memory_mb) object.AddMember("memory_mb", *vm.memory_mb, alloc);
        if (vm.disk_bytes) object.AddMember("disk_bytes", *vm.disk_bytes, alloc);
        document.PushBack(object, alloc);
    }
    std::cout << to_pretty_json(document);
}

po::options_description vms_host_options(std::string& provider, bool& json) {
    po::options_description options(
        "Usage: hyperexport vms --provider P [--json] [provider options]\n\n"
        "List the VMs the provider can see: name, power state, CPUs, memory,\n"
        "provisioned disk size and inventory path. The provider's options (endpoint,\n"
        "credentials, ...) are listed by 'hyperexport vms --provider P --help'.\n\nOptions",
        100);
    // clang-format off
    options.add_options()
        ("help,h", "show this help (with --provider P: also the provider's options)")
        ("provider", po::value(&provider)->value_name("P"), "the provider plugin's name, e.g. vsphere")
        ("json", po::bool_switch(&json), "print the VM list as a JSON array");
    // clang-format on
    return options;
}

std::vector<std::string> vms_flag_names() {
    std::string provider;
    bool json = false;
    return long_option_names(vms_host_options(provider, json));
}

}  // namespace

int run_vms(const GlobalOptions& global, const std::vector<std::string>& args) {
    std::string provider;
    bool json = false;
    po::options_description options = vms_host_options(provider, json);
    core::PluginRegistry registry;
    discover_plugins(global, registry);
    const std::string provider_name = prescan_flag(args, "provider").value_or("");
    const auto group = provider_name.empty() ? std::nullopt : provider_flag_group(registry, provider_name);
    po::options_description hidden;
    if (group) {
        auto described = describe_plugin_flags(*group, "Options of the " + provider_name + " provider");
        options.add(described.visible);
        hidden.add(described.hidden);
    }
    po::options_description all;
    all.add(options).add(hidden);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(args).options(all).run(), vm);
        po::notify(vm);
    } catch (const po::unknown_option& error) {
        return usage_error(describe_option_error(error) +
                               (group ? "" : " (a provider's options are offered once --provider names it)"),
                           "vms");
    } catch (const po::error& error) {
        return usage_error(describe_option_error(error), "vms");
    }
    if (vm.count("help")) {
        std::cout << options << "\n";
        return kExitOk;
    }
    if (provider.empty()) return usage_error("--provider is required (e.g. --provider vsphere)", "vms");
    const core::ExportRunner runner(registry);
    if (!group) {
        std::string error;
        runner.find_provider(provider, error);
        return failure(error);
    }
    core::OptionResolution resolution;
    try {
        resolution = resolve_group(*group, vm, nullptr, provider, true);
    } catch (const std::invalid_argument& error) {
        return usage_error(error.what(), "vms");
    }
    if (!resolution.errors.empty()) return usage_error(resolution.errors.front(), "vms");
    if (!resolution.missing.empty()) return usage_error(resolution.missing.front(), "vms");

    core::Job job("list VMs");
    const CancelOnSignal cancel_on_signal(job);
    std::string error;
    const auto listing = runner.list_vms(provider, "{" + resolution.json_members() + "}", job, error);
    if (!listing) return failure(terminal_safe(error));
    for (const auto& warning : job.warnings())
        spdlog::warn("{}: {}", warning.stage, terminal_safe(warning.message));
    if (json)
        print_json(*listing);
    else
        print_table(*listing);
    return kExitOk;
}

namespace {
const bool registered = register_command({"vms", "list the VMs a provider can see", run_vms, vms_flag_names});
}  // namespace

}  // namespace hypersdk::host
