#include "command.hpp"

#include "cli_support.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <stdexcept>

namespace hypersdk::host {
namespace {

// Function-local so registration from other files' static initialisers
// never runs before the map exists.
std::map<std::string, std::unique_ptr<Command>>& command_table() {
    static std::map<std::string, std::unique_ptr<Command>> table;
    return table;
}

}  // namespace

bool register_command(Command command) {
    auto& table = command_table();
    if (command.name.empty() || !command.run)
        throw std::logic_error("register_command: name and run are required");
    const std::string name = command.name;
    if (!table.emplace(name, std::make_unique<Command>(std::move(command))).second)
        throw std::logic_error("register_command: '" + name + "' is registered twice");
    return true;
}

std::vector<const Command*> registered_commands() {
    std::vector<const Command*> commands;
    for (const auto& [name, command] : command_table()) commands.push_back(command.get());
    return commands;  // std::map keeps them sorted by name
}

std::set<std::string> host_flag_names() {
    std::set<std::string> names = global_flag_names();
    for (const auto& [name, command] : command_table())
        if (command->flag_names)
            for (auto& flag : command->flag_names()) names.insert(std::move(flag));
    return names;
}

const Command* find_command(const std::string& name) {
    const auto& table = command_table();
    const auto it = table.find(name);
    return it == table.end() ? nullptr : it->second.get();
}

}  // namespace hypersdk::host
