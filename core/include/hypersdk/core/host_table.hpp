// Builds the hypersdk_host table handed to one plugin at init. Every slot is
// a noexcept C function that forwards to Job, TextBuffer and Sink, so no
// exception ever unwinds into plugin code.
#pragma once

#include <hypersdk/host.h>

#include <string>

namespace hypersdk::core {

class HostTable {
public:
    HostTable(std::string plugin_id, std::string plugin_path);
    HostTable(const HostTable&) = delete;
    HostTable& operator=(const HostTable&) = delete;

    const hypersdk_host* get() const { return &table_; }
    const std::string& plugin_id() const { return plugin_id_; }

private:
    std::string plugin_id_;
    std::string plugin_path_;
    hypersdk_host table_{};
};

// The host name and version every table reports.
const char* host_program_name();
const char* host_program_version();

}  // namespace hypersdk::core
