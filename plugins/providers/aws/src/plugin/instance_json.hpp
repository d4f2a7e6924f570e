// The provider documents of docs/provider-json.md for EC2 instances:
// vm-summary (hyperexport vms), vm-description and export-result.
#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>
#include <vector>

#include "inventory.hpp"

namespace hypersdk::aws::plugin {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

struct InstanceSummary {
    Instance instance;
    std::vector<uint64_t> volume_sizes_gib;
    int vcpus = 0;
    uint64_t memory_mib = 0;
};

std::string summaries_json(const std::vector<InstanceSummary>& instances);

// Disks are "disk-0" (the root volume), "disk-1", ... in InstanceDetails order.
std::string disk_id(size_t index);
void write_description_members(JsonWriter& w, const InstanceDetails& d, const std::string& region,
                               const std::string& disk_format);
std::string description_json(const InstanceDetails& d, const std::string& region);

struct WrittenFile {
    std::string id, file_name, format;
    uint64_t bytes = 0;
};

struct ExportResult {
    std::vector<WrittenFile> files;
    bool powered_off_by_export = false;
    bool crash_consistent = false;
    std::string export_method;
    std::vector<std::string> notes;
};

std::string result_json(const InstanceDetails& d, const std::string& region, const std::string& disk_format,
                        const ExportResult& r);

// A file-name stem from the instance's Name tag (or id): [A-Za-z0-9._-] only.
std::string file_stem(const Instance& instance);

}  // namespace hypersdk::aws::plugin
