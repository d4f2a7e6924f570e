// The one way hypersdk parses JSON it did not write (manifests, converter
// reports and results, profiles, provider answers): bounded in size and in
// nesting depth, without recursion, with UTF-8 checked. RapidJSON's default
// Parse() recurses once per nesting level, so a document nested 200,000 deep
// overflows the stack; and copying or serializing a parsed value recurses too,
// which is why the depth limit applies to everything parsed here.
#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace hypersdk::manifest {

struct JsonLimits {
    // Larger documents are refused before parsing. No document we read is
    // anywhere near this; the bound only stops a hostile one exhausting memory.
    size_t max_bytes = 64u << 20;
    // Objects and arrays nested deeper than this are refused while parsing.
    unsigned max_depth = 128;
};

// The limits for a fragment that will be written `levels` deep inside a
// document readers parse with `outer`, so that the whole document stays
// within outer.max_depth (a converter's metadata 128 deep, embedded in its
// ConversionResult, would otherwise make the host refuse the whole result).
constexpr JsonLimits embedded_limits(unsigned levels, const JsonLimits& outer = {}) {
    return JsonLimits{outer.max_bytes, outer.max_depth > levels ? outer.max_depth - levels : 0};
}

// Parses `text` into `document`. Returns "" on success, otherwise why it was
// refused, e.g. "not valid JSON: Missing a comma or ']' after an array
// element. (at byte 57)", "nested deeper than 128 levels", "too large:
// 70000000 bytes (limit 67108864)". On failure `document` is null.
std::string parse_json_into(rapidjson::Document& document, std::string_view text,
                            const JsonLimits& limits = {});

class JsonInputError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Throws JsonInputError("<what> is <reason>"), e.g. "hyper2kvm report
// /out/report.json is nested deeper than 128 levels".
rapidjson::Document parse_json_limited(std::string_view text, std::string_view what,
                                       const JsonLimits& limits = {});

}  // namespace hypersdk::manifest
