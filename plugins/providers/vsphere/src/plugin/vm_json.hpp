// The vm-summary and vm-description JSON of docs/provider-json.md, written
// from the client's inventory and config types.
#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>
#include <vector>

#include "inventory.hpp"
#include "vm_config.hpp"

namespace hypersdk::vsphere::plugin {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// A JSON array of vm-summary objects.
std::string summaries_json(const std::vector<VmEntry>& vms);

// The members of a vm-description (the caller opens and closes the object,
// so the export result can add its own keys).
void write_description_members(JsonWriter& w, const VmInfo& vm);

std::string description_json(const VmInfo& vm);

// The VM name reduced to [A-Za-z0-9._-] for file names ("vm" if nothing is left).
std::string file_stem(const std::string& vm_name);

}  // namespace hypersdk::vsphere::plugin
