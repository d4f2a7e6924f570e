// The ConversionResult document every converter appends to its output
// buffer (converter.h; docs/converter-json.md). Exactly these keys:
// success, converted_files, report_path, duration_seconds, error, warnings,
// metadata, and artifacts only when there are some.
#pragma once

#include <string>
#include <vector>

namespace hypersdk::plugin_common {

// A file the conversion wrote besides the disk images and the report, e.g.
// {"libvirt_domain_xml", "/out/web.xml"}.
struct ResultArtifact {
    std::string kind;
    std::string path;  // absolute
};

struct ConversionResult {
    bool success = false;
    std::vector<std::string> converted_files;  // absolute, boot disk first
    std::string report_path;
    double duration_seconds = 0;
    std::string error;
    std::vector<std::string> warnings;
    std::string metadata_json = "{}";  // a JSON object's text
    std::vector<ResultArtifact> artifacts;
};

std::string conversion_result_to_json(const ConversionResult& result);

}  // namespace hypersdk::plugin_common
