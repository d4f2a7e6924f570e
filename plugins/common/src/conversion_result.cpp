#include "hypersdk/plugin_common/conversion_result.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

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
    // Re-parse so a malformed fragment can never make the whole result invalid.
    rapidjson::Document metadata;
    metadata.Parse(result.metadata_json);
    if (metadata.HasParseError() || !metadata.IsObject()) metadata.SetObject();
    metadata.Accept(w);
    w.EndObject();
    return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace hypersdk::plugin_common
