#include "guest_conversion.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <climits>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace hypersdk::test {

namespace {

rapidjson::Document parse(const std::string& text) {
    rapidjson::Document document;
    document.Parse(text.c_str());
    return document;
}

const rapidjson::Value* member(const rapidjson::Value& object, const char* name) {
    if (!object.IsObject()) return nullptr;
    const auto it = object.FindMember(name);
    return it == object.MemberEnd() ? nullptr : &it->value;
}

}  // namespace

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

ProcessResult run_hyperexport(std::vector<std::string> args, ProcessOptions options) {
    args.insert(args.begin(),
                {HYPEREXPORT_BINARY, "--no-default-plugin-dirs", "--plugin-dir", HYPERSDK_TEST_PLUGIN_DIR});
    options.unset_env.push_back("HYPERSDK_PLUGIN_PATH");
    return run_process(args, options);
}

ProcessResult run_qemu_tool(const std::string& tool, const std::vector<std::string>& args) {
    std::vector<std::string> argv{tool};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessOptions options;
    options.timeout = std::chrono::seconds(600);
    auto result = run_process(argv, options);
    EXPECT_EQ(result.exit_code, 0) << tool << " failed: " << result.out << result.err;
    return result;
}

ConvertedBootDisk boot_disk_of_conversion(const std::string& json_stdout) {
    ConvertedBootDisk disk;
    const auto result = parse(json_stdout);
    if (result.HasParseError() || !result.IsObject()) {
        disk.error = "hyperexport --json printed no JSON object:\n" + json_stdout;
        return disk;
    }
    const rapidjson::Value* conversion = member(result, "conversion");
    const rapidjson::Value& outcome = conversion != nullptr ? *conversion : result;
    const rapidjson::Value* report_path = member(outcome, "report_path");
    if (report_path == nullptr || !report_path->IsString() || report_path->GetStringLength() == 0) {
        disk.error = "the conversion result names no report.json:\n" + json_stdout;
        return disk;
    }
    const std::string report_text = read_text(report_path->GetString());
    const auto report = parse(report_text);
    const rapidjson::Value* artifacts = report.HasParseError() ? nullptr : member(report, "artifacts");
    if (artifacts == nullptr || !artifacts->IsArray()) {
        disk.error = std::string("no artifacts[] in ") + report_path->GetString() + ":\n" + report_text;
        return disk;
    }
    int64_t lowest_hint = INT64_MAX;
    for (const auto& artifact : artifacts->GetArray()) {
        const auto* type = member(artifact, "type");
        const auto* path = member(artifact, "path");
        const auto* format = member(artifact, "format");
        const auto* hint = member(artifact, "boot_order_hint");
        if (type == nullptr || !type->IsString() || std::string(type->GetString()) != "converted_disk")
            continue;
        if (path == nullptr || !path->IsString() || format == nullptr || !format->IsString()) continue;
        const int64_t this_hint = hint != nullptr && hint->IsInt64() ? hint->GetInt64() : INT64_MAX - 1;
        if (this_hint >= lowest_hint) continue;
        lowest_hint = this_hint;
        disk.path = path->GetString();
        disk.format = format->GetString();
    }
    if (disk.path.empty())
        disk.error =
            std::string("no converted_disk artifact in ") + report_path->GetString() + ":\n" + report_text;
    return disk;
}

std::string json_member(const fs::path& file, const std::string& dotted_path) {
    const auto document = parse(read_text(file));
    if (document.HasParseError()) return "";
    const rapidjson::Value* value = &document;
    for (size_t start = 0; start <= dotted_path.size();) {
        const size_t end = std::min(dotted_path.find('.', start), dotted_path.size());
        value = member(*value, dotted_path.substr(start, end - start).c_str());
        if (value == nullptr) return "";
        start = end + 1;
    }
    if (value->IsString()) return value->GetString();
    if (value->IsBool()) return value->GetBool() ? "true" : "false";
    return "";
}

void make_overlay(const fs::path& base, const std::string& base_format, const fs::path& overlay) {
    run_qemu_tool("qemu-img", {"create", "-q", "-f", "qcow2", "-F", base_format, "-b",
                               fs::absolute(base).string(), overlay.string()});
}

}  // namespace hypersdk::test
