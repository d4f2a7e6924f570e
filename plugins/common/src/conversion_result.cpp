#include "hypersdk/plugin_common/conversion_result.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <hypersdk/manifest/json_limits.hpp>

namespace hypersdk::plugin_common {

std::string conversion_result_to_json(const ConversionResult& result) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    w.StartObject();
    w.Key("success");
    w.Bool(result.success);
    w.Key("converted_files");
    w.StartArray();
    for (const auto& file : result.converted_files) w.String(file);
    w.EndArray();
    w.Key("report_path");
    w.String(result.report_path);
    w.Key("duration_seconds");
    w.Double(result.duration_seconds);
    w.Key("error");
    w.String(result.error);
    w.Key("warnings");
    w.StartArray();
    for (const auto& warning : result.warnings) w.String(warning);
    w.EndArray();
    w.Key("metadata");
    // Re-parse (bounded) so a malformed or hostile fragment can never make the
    // whole result invalid or overflow the stack when it is written.
    rapidjson::Document metadata;
    // The metadata object sits one level inside the result.
    if (!manifest::parse_json_into(metadata, result.metadata_json, manifest::embedded_limits(1)).empty() ||
        !metadata.IsObject())
        metadata.SetObject();
    metadata.Accept(w);
    // Added after 1.1's keys; older hosts ignore it (docs/converter-json.md).
    if (!result.artifacts.empty()) {
        w.Key("artifacts");
        w.StartArray();
        for (const auto& artifact : result.artifacts) {
            w.StartObject();
            w.Key("kind");
            w.String(artifact.kind);
            w.Key("path");
            w.String(artifact.path);
            w.EndObject();
        }
        w.EndArray();
    }
    w.EndObject();
    return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace hypersdk::plugin_common
