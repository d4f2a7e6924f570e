#include "hypersdk/core/image_check.hpp"

#include <fcntl.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hypersdk/files/directory.hpp>
#include <hypersdk/manifest/json_limits.hpp>
#include <hypersdk/process/binary_lookup.hpp>
#include <hypersdk/process/subprocess.hpp>

#include <cerrno>
#include <chrono>
#include <filesystem>

#include "hypersdk/core/terminal_text.hpp"

namespace hypersdk::core {
namespace {

namespace fs = std::filesystem;

// A check reads metadata only; minutes would mean something is wrong.
constexpr std::chrono::minutes kCheckTimeout{30};
constexpr size_t kMaxReportBytes = 16u << 20;
constexpr size_t kMaxToolOutputBytes = 1u << 20;

std::string last_line(const process::ProcessResult& result) {
    for (auto it = result.tail.rbegin(); it != result.tail.rend(); ++it)
        if (!it->empty()) return escape_for_terminal(*it);
    return result.describe();
}

// qemu-img check --output=json: {"corruptions": N, "leaks": N, "check-errors": N, ...}
std::string describe_check_json(const std::string& json, bool& passed) {
    rapidjson::Document document;
    if (!manifest::parse_json_into(document, json, {kMaxToolOutputBytes, 8}).empty() ||
        !document.IsObject()) {
        passed = false;
        return "qemu-img check printed no result";
    }
    const auto count = [&](const char* key) -> uint64_t {
        const auto it = document.FindMember(key);
        return it != document.MemberEnd() && it->value.IsUint64() ? it->value.GetUint64() : 0;
    };
    const uint64_t corruptions = count("corruptions");
    const uint64_t errors = count("check-errors");
    const uint64_t leaks = count("leaks");
    passed = corruptions == 0 && errors == 0;
    if (!passed)
        return std::to_string(corruptions) + " corruption(s), " + std::to_string(errors) + " check error(s)";
    // Leaked clusters waste space but lose no data.
    return leaks == 0 ? "no errors"
                      : "no errors; " + std::to_string(leaks) + " leaked cluster(s) (space only)";
}

ImageCheck check_one(const std::string& qemu_img, const std::string& format, const std::string& file,
                     const std::vector<std::string>& environment_unset, Job& job) {
    ImageCheck check{file, false, {}};
    const bool raw = format == "raw";
    process::ProcessSpec spec;
    spec.argv = raw ? std::vector<std::string>{qemu_img, "info", "-f", "raw", "--output=json", file}
                    : std::vector<std::string>{qemu_img, "check", "-f", format, "--output=json", file};
    spec.environment_unset = environment_unset;
    spec.timeout = kCheckTimeout;
    std::string stdout_text;
    const auto result = process::run_process(
        spec,
        [&](process::OutputStream stream, std::string_view line) {
            if (stream == process::OutputStream::out && stdout_text.size() < kMaxToolOutputBytes)
                stdout_text.append(line).append("\n");
        },
        [&job] { return job.is_cancelled(); });
    if (result.outcome != process::ProcessOutcome::exited) {
        check.detail = "qemu-img " + result.describe() + (result.error.empty() ? "" : ": " + result.error);
        return check;
    }
    if (raw) {
        check.passed = result.exit_code == 0;
        check.detail = check.passed ? "raw image opens (raw has no metadata to check)" : last_line(result);
        return check;
    }
    // 0 clean, 2 corrupted, 3 leaks only; 1 and 63 mean the check did not run.
    if (result.exit_code == 0 || result.exit_code == 2 || result.exit_code == 3) {
        check.detail = describe_check_json(stdout_text, check.passed);
    } else {
        check.detail = last_line(result);
    }
    return check;
}

}  // namespace

std::string find_image_checker() {
    return process::find_executable("qemu-img", "").path;
}

std::vector<ImageCheck> check_images(const std::string& qemu_img, const std::string& format,
                                     const std::vector<std::string>& files,
                                     const std::vector<std::string>& environment_unset, Job& job) {
    std::vector<ImageCheck> checks;
    for (const auto& file : files) {
        if (job.is_cancelled()) {
            checks.push_back({file, false, "not checked (cancelled)"});
            continue;
        }
        checks.push_back(check_one(qemu_img, format, file, environment_unset, job));
    }
    return checks;
}

std::string record_image_checks(const std::string& report_path, const std::vector<ImageCheck>& checks) {
    const fs::path path(report_path);
    try {
        const files::Directory directory(path.parent_path());
        const std::string name = path.filename().string();
        const files::UniqueFd fd = directory.open_regular(name, O_RDONLY);
        if (!fd) return "the converter's report " + escape_for_terminal(report_path) + " does not exist";
        struct stat status {};
        if (::fstat(fd.get(), &status) != 0) return "cannot stat " + escape_for_terminal(report_path);
        const auto text = files::read_all(fd.get(), kMaxReportBytes, path);
        if (!text) return escape_for_terminal(report_path) + " is larger than 16 MiB";
        rapidjson::Document report;
        if (const auto why = manifest::parse_json_into(report, *text, manifest::embedded_limits(0));
            !why.empty() || !report.IsObject())
            return "the converter's report " + escape_for_terminal(report_path) + " is not a JSON object";
        auto& alloc = report.GetAllocator();
        rapidjson::Value images(rapidjson::kArrayType);
        for (const auto& check : checks) {
            rapidjson::Value item(rapidjson::kObjectType);
            item.AddMember("file", rapidjson::Value(check.file.c_str(), alloc), alloc);
            item.AddMember("passed", check.passed, alloc);
            item.AddMember("detail", rapidjson::Value(check.detail.c_str(), alloc), alloc);
            images.PushBack(item, alloc);
        }
        rapidjson::Value validation(rapidjson::kObjectType);
        validation.AddMember("tool", "qemu-img check", alloc);
        validation.AddMember("images", images, alloc);
        report.RemoveMember("host_validation");
        report.AddMember("host_validation", validation, alloc);
        rapidjson::StringBuffer out;
        rapidjson::Writer<rapidjson::StringBuffer> writer(out);
        report.Accept(writer);
        directory.write_atomically(name, std::string(out.GetString(), out.GetSize()) + "\n",
                                   status.st_mode & 07777);
    } catch (const std::exception& error) {
        return escape_for_terminal(error.what());
    }
    return "";
}

}  // namespace hypersdk::core
