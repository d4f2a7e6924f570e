#include "path_rules.hpp"

#include <filesystem>

#include "utf8.hpp"

namespace hypersdk::manifest::path_rules {

namespace fs = std::filesystem;

bool has_control_character(std::string_view text) {
    for (size_t at = 0; at < text.size();) {
        const utf8::CodePoint code_point = utf8::decode(text, at);
        if (code_point.length == 0) {
            const auto byte = static_cast<unsigned char>(text[at]);
            if (byte >= 0x80 && byte <= 0x9f) return true;  // a raw 8-bit C1 control
            ++at;
            continue;
        }
        const uint32_t value = code_point.value;
        if (value < 0x20 || value == 0x7f || (value >= 0x80 && value <= 0x9f)) return true;
        at += code_point.length;
    }
    return false;
}

bool has_dot_dot_segment(std::string_view path) {
    size_t start = 0;
    while (start <= path.size()) {
        size_t end = path.find('/', start);
        if (end == std::string_view::npos) end = path.size();
        if (path.substr(start, end - start) == "..") return true;
        start = end + 1;
    }
    return false;
}

namespace {

// A lexically normal relative path naming something below its base: not
// empty, not ".", no trailing "/" (a directory), not starting with "..".
bool names_a_file_below(const fs::path& relative) {
    return !relative.empty() && relative != "." && relative.has_filename() && *relative.begin() != "..";
}

}  // namespace

bool report_lies_inside_output(std::string_view report, const std::optional<std::string>& output_directory) {
    const fs::path path = fs::path(report).lexically_normal();
    if (path.is_relative()) return names_a_file_below(path);
    // An absolute report path can only be checked against an absolute output
    // directory: a relative one (or none) depends on where the manifest is.
    if (!output_directory || output_directory->empty() || !fs::path(*output_directory).is_absolute())
        return false;
    return names_a_file_below(path.lexically_relative(fs::path(*output_directory).lexically_normal()));
}

}  // namespace hypersdk::manifest::path_rules
