#include "hypersdk/manifest/serializer.hpp"

#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <stdexcept>

#include "hypersdk/manifest/reader.hpp"
#include "utf8.hpp"

namespace hypersdk::manifest {

namespace {

using JsonWriter = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

class ManifestSerializer {
public:
    ManifestSerializer() : writer_(buffer_) { writer_.SetIndent(' ', 2); }

    std::string serialize(const Manifest& manifest);

private:
    void key(std::string_view name) {
        if (!utf8::is_valid(name) || !writer_.Key(name.data(), static_cast<rapidjson::SizeType>(name.size())))
            throw std::runtime_error("manifest key is not valid UTF-8: " + quote_for_message(name));
    }

    void string(std::string_view value) {
        if (!utf8::is_valid(value) ||
            !writer_.String(value.data(), static_cast<rapidjson::SizeType>(value.size())))
            throw std::runtime_error("manifest value is not valid UTF-8: " + quote_for_message(value));
    }

    void field(std::string_view name, std::string_view value) {
        key(name);
        string(value);
    }
    void field(std::string_view name, const std::optional<std::string>& value) {
        if (value) field(name, std::string_view(*value));
    }
    void field(std::string_view name, const std::optional<int64_t>& value) {
        if (!value) return;
        key(name);
        writer_.Int64(*value);
    }
    void field(std::string_view name, const std::optional<bool>& value) {
        if (!value) return;
        key(name);
        writer_.Bool(*value);
    }

    // Raw JSON kept from a read (unknown keys, free-form objects).
    void raw_field(std::string_view name, const std::string& json_text) {
        rapidjson::Document value;
        if (const std::string reason = parse_json_into(value, json_text, kManifestJsonLimits);
            !reason.empty())
            throw std::runtime_error("manifest member " + quote_for_message(name) +
                                     " does not hold usable JSON (" + reason +
                                     "): " + quote_for_message(json_text));
        key(name);
        value.Accept(writer_);
    }
    void raw_field(std::string_view name, const std::optional<std::string>& json_text) {
        if (json_text) raw_field(name, *json_text);
    }

    void unknown_fields(const UnknownJsonFields& fields) {
        for (const auto& [name, json_text] : fields) raw_field(name, json_text);
    }

    void disk(const ManifestDisk& disk);
    void pipeline(const ManifestPipeline& pipeline);

    rapidjson::StringBuffer buffer_;
    JsonWriter writer_;
};

void ManifestSerializer::disk(const ManifestDisk& disk) {
    writer_.StartObject();
    field("id", std::string_view(disk.id));
    field("source_format", std::string_view(disk.source_format));
    key("bytes");
    writer_.Int64(disk.bytes);
    field("local_path", std::string_view(disk.local_path));
    field("checksum", disk.checksum);
    field("boot_order_hint", disk.boot_order_hint);
    field("label", disk.label);
    field("disk_type", disk.disk_type);
    unknown_fields(disk.unknown_fields);
    writer_.EndObject();
}

void ManifestSerializer::pipeline(const ManifestPipeline& pipeline) {
    key("pipeline");
    writer_.StartObject();
    if (pipeline.inspect) {
        key("inspect");
        writer_.StartObject();
        field("enabled", std::optional(pipeline.inspect->enabled));
        field("collect_guest_info", pipeline.inspect->collect_guest_info);
        unknown_fields(pipeline.inspect->unknown_fields);
        writer_.EndObject();
    }
    if (pipeline.fix) {
        const FixStage& fix = *pipeline.fix;
        key("fix");
        writer_.StartObject();
        field("enabled", std::optional(fix.enabled));
        field("backup", fix.backup);
        field("print_fstab", fix.print_fstab);
        field("update_grub", fix.update_grub);
        field("regen_initramfs", fix.regen_initramfs);
        field("fstab_mode", fix.fstab_mode);
        field("remove_vmware_tools", fix.remove_vmware_tools);
        unknown_fields(fix.unknown_fields);
        writer_.EndObject();
    }
    if (pipeline.convert) {
        key("convert");
        writer_.StartObject();
        field("enabled", std::optional(pipeline.convert->enabled));
        field("compress", pipeline.convert->compress);
        field("compress_level", pipeline.convert->compress_level);
        unknown_fields(pipeline.convert->unknown_fields);
        writer_.EndObject();
    }
    if (pipeline.validate) {
        key("validate");
        writer_.StartObject();
        field("enabled", std::optional(pipeline.validate->enabled));
        field("check_image_integrity", pipeline.validate->check_image_integrity);
        unknown_fields(pipeline.validate->unknown_fields);
        writer_.EndObject();
    }
    writer_.EndObject();
}

std::string ManifestSerializer::serialize(const Manifest& manifest) {
    writer_.StartObject();
    field("manifest_version", std::string_view(manifest.manifest_version));

    if (manifest.source) {
        const ManifestSource& source = *manifest.source;
        key("source");
        writer_.StartObject();
        field("provider", source.provider);
        field("vm_id", source.vm_id);
        field("vm_name", source.vm_name);
        field("datacenter", source.datacenter);
        field("export_timestamp", source.export_timestamp);
        field("export_method", source.export_method);
        unknown_fields(source.unknown_fields);
        writer_.EndObject();
    }
    if (manifest.vm) {
        const ManifestVm& vm = *manifest.vm;
        key("vm");
        writer_.StartObject();
        field("cpu", vm.cpu);
        field("mem_gb", vm.mem_gb);
        field("firmware", vm.firmware);
        field("secureboot", vm.secureboot);
        field("os_hint", vm.os_hint);
        field("os_version", vm.os_version);
        unknown_fields(vm.unknown_fields);
        writer_.EndObject();
    }

    key("disks");
    writer_.StartArray();
    for (const ManifestDisk& each : manifest.disks) disk(each);
    writer_.EndArray();

    if (!manifest.nics.empty()) {
        key("nics");
        writer_.StartArray();
        for (const ManifestNic& nic : manifest.nics) {
            writer_.StartObject();
            field("id", nic.id);
            field("mac", nic.mac);
            field("network", nic.network);
            unknown_fields(nic.unknown_fields);
            writer_.EndObject();
        }
        writer_.EndArray();
    }
    if (!manifest.notes.empty()) {
        key("notes");
        writer_.StartArray();
        for (const std::string& note : manifest.notes) string(note);
        writer_.EndArray();
    }
    if (!manifest.warnings.empty()) {
        key("warnings");
        writer_.StartArray();
        for (const ManifestWarning& warning : manifest.warnings) {
            writer_.StartObject();
            field("stage", std::string_view(warning.stage));
            field("message", std::string_view(warning.message));
            field("timestamp", warning.timestamp);
            unknown_fields(warning.unknown_fields);
            writer_.EndObject();
        }
        writer_.EndArray();
    }
    if (manifest.metadata) {
        const ManifestMetadata& metadata = *manifest.metadata;
        key("metadata");
        writer_.StartObject();
        field("hypersdk_version", metadata.hypersdk_version);
        field("job_id", metadata.job_id);
        field("created_at", metadata.created_at);
        if (metadata.tags) {
            key("tags");
            writer_.StartObject();
            for (const auto& [name, value] : *metadata.tags) field(name, std::string_view(value));
            writer_.EndObject();
        }
        unknown_fields(metadata.unknown_fields);
        writer_.EndObject();
    }
    if (manifest.pipeline) pipeline(*manifest.pipeline);
    if (manifest.configuration) {
        const ManifestConfiguration& configuration = *manifest.configuration;
        key("configuration");
        writer_.StartObject();
        raw_field("users", configuration.users);
        raw_field("services", configuration.services);
        raw_field("hostname", configuration.hostname);
        raw_field("network", configuration.network);
        unknown_fields(configuration.unknown_fields);
        writer_.EndObject();
    }
    if (manifest.output) {
        key("output");
        writer_.StartObject();
        field("directory", manifest.output->directory);
        field("format", manifest.output->format);
        field("filename", manifest.output->filename);
        unknown_fields(manifest.output->unknown_fields);
        writer_.EndObject();
    }
    if (manifest.options) {
        const ManifestOptions& options = *manifest.options;
        key("options");
        writer_.StartObject();
        field("dry_run", options.dry_run);
        field("verbose", options.verbose);
        if (options.report) {
            key("report");
            writer_.StartObject();
            field("enabled", options.report->enabled);
            field("path", options.report->path);
            unknown_fields(options.report->unknown_fields);
            writer_.EndObject();
        }
        unknown_fields(options.unknown_fields);
        writer_.EndObject();
    }
    unknown_fields(manifest.unknown_fields);
    writer_.EndObject();

    std::string json(buffer_.GetString(), buffer_.GetSize());
    json += '\n';
    return json;
}

}  // namespace

std::string manifest_to_json(const Manifest& manifest) {
    return ManifestSerializer().serialize(manifest);
}

}  // namespace hypersdk::manifest
