#include "hypersdk/core/provider_documents.hpp"

#include <rapidjson/document.h>
#include <hypersdk/manifest/json_limits.hpp>

namespace hypersdk::core {
namespace {

using Value = rapidjson::Value;

// Reads the members of one object, collecting issues with their paths.
class Reader {
public:
    Reader(const Value& object, std::string path, std::vector<std::string>& issues)
        : object_(object), path_(std::move(path)), issues_(issues) {}

    std::string string(const char* key, bool required = false) {
        const Value* value = member(key, required);
        if (value == nullptr) return {};
        if (!value->IsString()) return wrong(key, "a string"), std::string();
        return std::string(value->GetString(), value->GetStringLength());
    }
    std::optional<int64_t> integer(const char* key, int64_t min) {
        const Value* value = member(key, false);
        if (value == nullptr) return std::nullopt;
        if (!value->IsInt64() || value->GetInt64() < min)
            return wrong(key, "an integer >= " + std::to_string(min)), std::nullopt;
        return value->GetInt64();
    }
    std::optional<uint64_t> size(const char* key) {
        const Value* value = member(key, false);
        if (value == nullptr) return std::nullopt;
        if (!value->IsUint64()) return wrong(key, "an integer >= 0"), std::nullopt;
        return value->GetUint64();
    }
    std::optional<bool> boolean(const char* key) {
        const Value* value = member(key, false);
        if (value == nullptr) return std::nullopt;
        if (!value->IsBool()) return wrong(key, "true or false"), std::nullopt;
        return value->GetBool();
    }
    // The array's objects, each with its path; non-objects are issues.
    template <typename Fn>
    void objects(const char* key, bool required, Fn&& fn) {
        const Value* value = member(key, required);
        if (value == nullptr) return;
        if (!value->IsArray()) return wrong(key, "an array");
        size_t index = 0;
        for (const auto& item : value->GetArray()) {
            const std::string path = at(key) + "[" + std::to_string(index++) + "]";
            if (!item.IsObject()) {
                issues_.push_back(path + ": expected an object");
                continue;
            }
            Reader reader(item, path, issues_);
            fn(reader);
        }
    }
    std::vector<std::string> strings(const char* key) {
        std::vector<std::string> out;
        const Value* value = member(key, false);
        if (value == nullptr) return out;
        if (!value->IsArray()) return wrong(key, "an array of strings"), out;
        for (const auto& item : value->GetArray()) {
            if (item.IsString())
                out.emplace_back(item.GetString(), item.GetStringLength());
            else
                issues_.push_back(at(key) + ": expected an array of strings");
        }
        return out;
    }

private:
    std::string at(const char* key) const { return path_.empty() ? key : path_ + "." + key; }
    const Value* member(const char* key, bool required) {
        const auto it = object_.FindMember(key);
        if (it == object_.MemberEnd() || it->value.IsNull()) {
            if (required) issues_.push_back(at(key) + ": required");
            return nullptr;
        }
        return &it->value;
    }
    void wrong(const char* key, const std::string& expected) {
        issues_.push_back(at(key) + ": expected " + expected);
    }

    const Value& object_;
    std::string path_;
    std::vector<std::string>& issues_;
};

// The bounded, non-recursive reader every untrusted document goes through
// (size, nesting depth, UTF-8): a hostile plugin cannot overflow the stack.
bool parse(std::string_view json, rapidjson::Document& document, std::vector<std::string>& issues) {
    if (std::string problem = manifest::parse_json_into(document, json); !problem.empty()) {
        issues.push_back(std::move(problem));
        return false;
    }
    return true;
}

VmSummary summary_from(Reader& r) {
    VmSummary vm;
    vm.id = r.string("id", true);
    vm.name = r.string("name", true);
    vm.power_state = parse_power_state(r.string("power_state"));
    vm.platform_state = r.string("platform_state");
    vm.path = r.string("path");
    vm.cpu = r.integer("cpu", 0);
    vm.memory_mb = r.integer("memory_mb", 0);
    vm.disk_bytes = r.size("disk_bytes");
    return vm;
}

VmDescription description_from(Reader& r) {
    VmDescription vm;
    vm.id = r.string("id", true);
    vm.name = r.string("name", true);
    vm.power_state = parse_power_state(r.string("power_state"));
    vm.platform_state = r.string("platform_state");
    vm.datacenter = r.string("datacenter");
    vm.cpu = r.integer("cpu", 0);
    vm.memory_mb = r.integer("memory_mb", 0);
    vm.firmware = r.string("firmware");
    vm.secure_boot = r.boolean("secure_boot");
    vm.guest_os = r.string("guest_os");
    vm.guest_os_name = r.string("guest_os_name");
    r.objects("disks", false, [&](Reader& d) {
        DiskDescription disk;
        disk.id = d.string("id", true);
        disk.label = d.string("label");
        disk.capacity_bytes = d.size("capacity_bytes");
        disk.format = d.string("format");
        disk.boot_order_hint = d.integer("boot_order_hint", 0);
        disk.source = d.string("source");
        vm.disks.push_back(std::move(disk));
    });
    r.objects("nics", false, [&](Reader& n) {
        vm.nics.push_back({n.string("id"), n.string("mac"), n.string("network")});
    });
    return vm;
}

}  // namespace

PowerState parse_power_state(std::string_view text) {
    if (text == "poweredOn") return PowerState::on;
    if (text == "poweredOff") return PowerState::off;
    if (text == "suspended") return PowerState::suspended;
    return PowerState::unknown;
}

std::string_view power_state_name(PowerState state) {
    switch (state) {
        case PowerState::on:
            return "poweredOn";
        case PowerState::off:
            return "poweredOff";
        case PowerState::suspended:
            return "suspended";
        case PowerState::unknown:
            break;
    }
    return "unknown";
}

std::string_view power_state_label(PowerState state) {
    switch (state) {
        case PowerState::on:
            return "on";
        case PowerState::off:
            return "off";
        case PowerState::suspended:
            return "suspended";
        case PowerState::unknown:
            break;
    }
    return "unknown";
}

DocumentRead<std::vector<VmSummary>> read_vm_summaries(std::string_view json) {
    DocumentRead<std::vector<VmSummary>> read;
    rapidjson::Document document;
    if (!parse(json, document, read.issues)) return read;
    if (!document.IsArray()) {
        read.issues.push_back("expected a JSON array of VM summaries");
        return read;
    }
    std::vector<VmSummary> vms;
    size_t index = 0;
    for (const auto& item : document.GetArray()) {
        const std::string path = "[" + std::to_string(index++) + "]";
        if (!item.IsObject()) {
            read.issues.push_back(path + ": expected an object");
            continue;
        }
        Reader reader(item, path, read.issues);
        vms.push_back(summary_from(reader));
    }
    read.value = std::move(vms);
    return read;
}

DocumentRead<VmDescription> read_vm_description(std::string_view json) {
    DocumentRead<VmDescription> read;
    rapidjson::Document document;
    if (!parse(json, document, read.issues)) return read;
    if (!document.IsObject()) {
        read.issues.push_back("expected a JSON object describing the VM");
        return read;
    }
    Reader reader(document, "", read.issues);
    read.value = description_from(reader);
    return read;
}

DocumentRead<ExportResult> read_export_result(std::string_view json) {
    DocumentRead<ExportResult> read;
    rapidjson::Document document;
    if (!parse(json, document, read.issues)) return read;
    if (!document.IsObject()) {
        read.issues.push_back("expected a JSON object (the export-result)");
        return read;
    }
    Reader reader(document, "", read.issues);
    ExportResult result;
    result.vm = description_from(reader);
    reader.objects("files", false, [&](Reader& f) {
        result.files.push_back(
            {f.string("kind"), f.string("id"), f.string("file_name"), f.string("format"), f.size("bytes")});
    });
    result.powered_off_by_export = reader.boolean("powered_off_by_export").value_or(false);
    result.crash_consistent = reader.boolean("crash_consistent").value_or(false);
    result.notes = reader.strings("notes");
    result.export_method = reader.string("export_method");
    read.value = std::move(result);
    return read;
}

}  // namespace hypersdk::core
