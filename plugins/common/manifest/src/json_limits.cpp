#include "hypersdk/manifest/json_limits.hpp"

#include <rapidjson/encodedstream.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

namespace hypersdk::manifest {
namespace {

// Iterative: the parser keeps its state on the heap, whatever the nesting.
constexpr unsigned kParseFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;

// Builds the document from the parser's events and stops the parse (the
// handler returns false) when a container would open past the depth limit,
// so no deeper value ever exists for later code to recurse into.
class DepthLimitedBuilder {
public:
    DepthLimitedBuilder(rapidjson::Document& document, unsigned max_depth)
        : document_(document), max_depth_(max_depth) {}

    bool too_deep() const { return too_deep_; }

    bool Null() { return document_.Null(); }
    bool Bool(bool value) { return document_.Bool(value); }
    bool Int(int value) { return document_.Int(value); }
    bool Uint(unsigned value) { return document_.Uint(value); }
    bool Int64(int64_t value) { return document_.Int64(value); }
    bool Uint64(uint64_t value) { return document_.Uint64(value); }
    bool Double(double value) { return document_.Double(value); }
    bool RawNumber(const char* text, rapidjson::SizeType length, bool copy) {
        return document_.RawNumber(text, length, copy);
    }
    bool String(const char* text, rapidjson::SizeType length, bool copy) {
        return document_.String(text, length, copy);
    }
    bool Key(const char* text, rapidjson::SizeType length, bool copy) {
        return document_.Key(text, length, copy);
    }
    bool StartObject() { return enter() && document_.StartObject(); }
    bool EndObject(rapidjson::SizeType members) {
        --depth_;
        return document_.EndObject(members);
    }
    bool StartArray() { return enter() && document_.StartArray(); }
    bool EndArray(rapidjson::SizeType elements) {
        --depth_;
        return document_.EndArray(elements);
    }

private:
    bool enter() {
        if (depth_ >= max_depth_) {
            too_deep_ = true;
            return false;
        }
        ++depth_;
        return true;
    }

    rapidjson::Document& document_;
    const unsigned max_depth_;
    unsigned depth_ = 0;
    bool too_deep_ = false;
};

}  // namespace

std::string parse_json_into(rapidjson::Document& document, std::string_view text, const JsonLimits& limits) {
    document.SetNull();
    if (text.size() > limits.max_bytes)
        return "too large: " + std::to_string(text.size()) + " bytes (limit " +
               std::to_string(limits.max_bytes) + ")";
    // JSON never holds a raw NUL; RapidJSON would take it for the end of the
    // text and silently ignore whatever follows.
    if (const size_t nul = text.find('\0'); nul != std::string_view::npos)
        return "not valid JSON: a NUL byte (at byte " + std::to_string(nul) + ")";

    rapidjson::ParseResult result;
    bool too_deep = false;
    auto generate = [&](rapidjson::Document& target) {
        DepthLimitedBuilder builder(target, limits.max_depth);
        rapidjson::MemoryStream bytes(text.data(), text.size());
        rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> input(bytes);
        rapidjson::Reader reader;
        result = reader.Parse<kParseFlags>(input, builder);
        too_deep = builder.too_deep();
        return !result.IsError();
    };
    document.Populate(generate);
    if (too_deep) {
        document.SetNull();
        return "nested deeper than " + std::to_string(limits.max_depth) + " levels";
    }
    if (result.IsError()) {
        document.SetNull();
        return std::string("not valid JSON: ") + rapidjson::GetParseError_En(result.Code()) + " (at byte " +
               std::to_string(result.Offset()) + ")";
    }
    return {};
}

rapidjson::Document parse_json_limited(std::string_view text, std::string_view what,
                                       const JsonLimits& limits) {
    rapidjson::Document document;
    if (std::string reason = parse_json_into(document, text, limits); !reason.empty())
        throw JsonInputError(std::string(what) + " is " + reason);
    return document;
}

}  // namespace hypersdk::manifest
