#include "hypersdk/provider/sink_artifact.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace hypersdk::provider {

std::string artifact_json(const SinkArtifact& artifact) {
    rapidjson::StringBuffer out;
    rapidjson::Writer<rapidjson::StringBuffer> w(out);
    const auto string_member = [&w](const char* key, const std::string& value) {
        w.Key(key);
        w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
    };
    w.StartObject();
    string_member("kind", artifact.kind);
    if (!artifact.id.empty()) string_member("id", artifact.id);
    string_member("file_name", artifact.file_name);
    if (!artifact.format.empty()) string_member("format", artifact.format);
    if (artifact.expected_bytes) {
        w.Key("expected_bytes");
        w.Uint64(*artifact.expected_bytes);
    }
    if (artifact.exact_bytes) {
        w.Key("exact_bytes");
        w.Uint64(*artifact.exact_bytes);
    }
    if (!artifact.source_key.empty()) string_member("source_key", artifact.source_key);
    w.EndObject();
    return out.GetString();
}

std::string file_stem(const std::string& vm_name) {
    std::string out;
    for (char c : vm_name) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                        c == '.' || c == '_' || c == '-';
        out += ok ? c : '_';
    }
    // Leading dots would make hidden files or "." / "..".
    while (!out.empty() && out.front() == '.') out.erase(out.begin());
    return out.empty() ? "vm" : out;
}

}  // namespace hypersdk::provider
