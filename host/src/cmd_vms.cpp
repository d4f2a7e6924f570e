// hyperexport vms: list the VMs a provider can see (name, power state, cpu,
// memory, provisioned disk size, inventory path), as a table or as JSON.
#include <hypersdk/core/export_runner.hpp>

#include <rapidjson/document.h>
#include <boost/program_options.hpp>

#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "cli_support.hpp"
#include "command.hpp"
#include "conversion_step.hpp"
#include "progress_bar.hpp"
#include "provider_config.hpp"

namespace hypersdk::host {
namespace {

namespace po = boost::program_options;

std::string text(const rapidjson::Value& object, const char* key) {
    const auto it = object.FindMember(key);
    if (it == object.MemberEnd()) return "-";
    if (it->value.IsString()) return it->value.GetString();
    if (it->value.IsInt64()) return std::to_string(it->value.GetInt64());
    return "-";
}

uint64_t number(const rapidjson::Value& object, const char* key) {
    const auto it = object.FindMember(key);
    return it != object.MemberEnd() && it->value.IsUint64() ? it->value.GetUint64() : 0;
}

void print_table(const rapidjson::Value& vms) {
    std::vector<std::vector<std::string>> rows{{"NAME", "POWER", "CPU", "MEMORY", "DISK", "PATH"}};
    for (const auto& vm : vms.GetArray()) {
        if (!vm.IsObject()) continue;
        rows.push_back({text(vm, "name"), text(vm, "power_state"), text(vm, "cpu"),
                        format_bytes(number(vm, "memory_mb") << 20), format_bytes(number(vm, "disk_bytes")),
                        text(vm, "path")});
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

}  // namespace

int run_vms(const GlobalOptions& global, const std::vector<std::string>& args) {
    std::string provider;
    bool json = false;
    ConnectionFlags connection;
    po::options_description options(
        "Usage: hyperexport vms --provider P [--json] [connection options]\n\n"
        "List the VMs the provider can see: name, power state, CPUs, memory,\n"
        "provisioned disk size and inventory path.\n\nOptions",
        100);
    // clang-format off
    options.add_options()
        ("help,h", "show this help")
        ("provider", po::value(&provider)->value_name("P"), "the provider plugin's name, e.g. vsphere")
        ("json", po::bool_switch(&json), "print the provider's VM list as a JSON array");
    // clang-format on
    options.add(connection_options(connection));
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(args).options(options).run(), vm);
        po::notify(vm);
    } catch (const po::error& error) {
        return usage_error(describe_option_error(error), "vms");
    }
    if (vm.count("help")) {
        std::cout << options << "\n";
        return kExitOk;
    }
    if (provider.empty()) return usage_error("--provider is required (e.g. --provider vsphere)", "vms");
    std::string config;
    try {
        config = build_provider_config(provider, connection);
    } catch (const std::exception& error) {
        return usage_error(error.what(), "vms");
    }

    core::PluginRegistry registry;
    discover_plugins(global, registry);
    const core::ExportRunner runner(registry);
    core::Job job("list VMs");
    const CancelOnSignal cancel_on_signal(job);
    std::string error;
    const auto listing = runner.list_vms(provider, config, job, error);
    if (!listing) return failure(error);
    rapidjson::Document document;
    document.Parse(listing->c_str());
    if (document.HasParseError() || !document.IsArray())
        return failure("the " + provider + " provider returned no JSON array of VMs");
    if (json)
        std::cout << to_pretty_json(document);
    else
        print_table(document);
    return kExitOk;
}

namespace {
const bool registered = register_command({"vms", "list the VMs a provider can see", run_vms});
}  // namespace

}  // namespace hypersdk::host
