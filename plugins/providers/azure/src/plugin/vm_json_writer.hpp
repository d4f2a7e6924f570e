// The vm-description members (docs/provider-json.md) of a VmView, shared by
// describe_vm and the export result.
#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>

namespace hypersdk::azure::plugin {

struct VmView;
using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

inline void key(JsonWriter& w, const char* k, const std::string& v) {
    w.Key(k);
    w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
}

void write_description_members(JsonWriter& w, const VmView& view);

}  // namespace hypersdk::azure::plugin
