// Helpers shared by the manifest tests: temporary directories, running a
// command with its output captured, and the JSON Schema check with Python.
#pragma once

#include <sys/wait.h>
#include <unistd.h>
#include <hypersdk/core/manifest.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace manifest_test {

namespace fs = std::filesystem;

class TempDir {
public:
    TempDir() {
        std::random_device seed;
        const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
        path_ = fs::temp_directory_path() /
                ("hypersdk-manifest-test-" + std::to_string(stamp) + "-" + std::to_string(seed()));
        fs::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const fs::path& path() const { return path_; }
    fs::path operator/(const std::string& name) const { return path_ / name; }

private:
    fs::path path_;
};

inline std::string read_file(const fs::path& path) {
    std::ifstream file(path, std::ios::binary);
    std::ostringstream contents;
    contents << file.rdbuf();
    return contents.str();
}

inline void write_file(const fs::path& path, const std::string& contents) {
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    if (!file) throw std::runtime_error("cannot write " + path.string());
}

// Single-quotes a word for /bin/sh.
inline std::string shell_quote(const std::string& word) {
    std::string quoted = "'";
    for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

struct CommandResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};

// Runs a /bin/sh command line with stdout and stderr captured separately.
inline CommandResult run_command(const std::string& command_line) {
    static int counter = 0;
    const fs::path base = fs::temp_directory_path() / ("hypersdk-manifest-cmd-" + std::to_string(::getpid()) +
                                                       "-" + std::to_string(++counter));
    const std::string out_path = base.string() + ".out", err_path = base.string() + ".err";
    const std::string full =
        command_line + " >" + shell_quote(out_path) + " 2>" + shell_quote(err_path) + " </dev/null";
    const int status = std::system(full.c_str());
    CommandResult result;
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    result.out = read_file(out_path);
    result.err = read_file(err_path);
    fs::remove(out_path);
    fs::remove(err_path);
    return result;
}

inline fs::path schema_path() {
    return fs::path(HYPERSDK_TEST_DATA_DIR) / "artifact-manifest-v1.0.schema.json";
}

// Validates files against hyper2kvm's schema with python3-jsonschema
// (Draft 7). Debian's jsonschema has no "date-time" checker without
// rfc3339-validator, so the script adds an RFC 3339 one when it is missing.
inline CommandResult check_with_json_schema(const std::vector<fs::path>& manifests) {
    static const std::string kScript = R"PY(
import datetime, json, re, sys
from jsonschema import Draft7Validator, FormatChecker
schema = json.load(open(sys.argv[1]))
Draft7Validator.check_schema(schema)
checker = FormatChecker()
if "date-time" not in checker.checkers:
    shape = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
    @checker.checks("date-time", raises=ValueError)
    def is_date_time(value):
        if not isinstance(value, str):
            return True
        if not shape.match(value):
            return False
        datetime.datetime.fromisoformat(re.sub(r"[Zz]$", "+00:00", value).replace("t", "T"))
        return True
errors = 0
validator = Draft7Validator(schema, format_checker=checker)
for path in sys.argv[2:]:
    for error in validator.iter_errors(json.load(open(path))):
        print(path, "/".join(str(p) for p in error.absolute_path), error.message)
        errors += 1
print("checked", len(sys.argv) - 2, "document(s),", errors, "error(s)")
sys.exit(1 if errors else 0)
)PY";
    std::string command =
        "/usr/bin/python3 -c " + shell_quote(kScript) + " " + shell_quote(schema_path().string());
    for (const auto& manifest : manifests) command += " " + shell_quote(manifest.string());
    return run_command(command);
}

// A manifest with every section filled in; its disks are small files created
// in `directory`.
inline hypersdk::core::Manifest full_manifest(const fs::path& directory) {
    using namespace hypersdk::core;
    write_file(directory / "boot.vmdk", std::string(1024, 'b'));
    write_file(directory / "data.raw", std::string(2048, 'd'));
    Manifest manifest;
    manifest.source = ManifestSource{"vsphere", "vm-42", "web01", "DC0", "2026-01-02T03:04:05Z", "govc", {}};
    manifest.vm.emplace();
    manifest.vm->cpu = 2;
    manifest.vm->mem_gb = 4;
    manifest.vm->firmware = normalize_firmware("efi");
    manifest.vm->secureboot = false;
    manifest.vm->os_hint = "linux";
    manifest.vm->os_version = "ubuntu-22.04";
    ManifestDisk boot;
    boot.id = "disk-0";
    boot.source_format = "vmdk";
    boot.bytes = 1024;
    boot.local_path = (directory / "boot.vmdk").string();
    boot.checksum = "sha256:" + std::string(64, 'a');
    boot.boot_order_hint = 0;
    boot.label = "Hard disk 1";
    boot.disk_type = "boot";
    ManifestDisk data;
    data.id = "disk-1";
    data.source_format = "raw";
    data.bytes = 2048;
    data.local_path = (directory / "data.raw").string();
    data.boot_order_hint = 1;
    data.disk_type = "data";
    manifest.disks = {boot, data};
    manifest.nics.push_back(ManifestNic{"nic-0", "00:50:56:aa:bb:cc", "VM Network", {}});
    manifest.notes = {"exported by a test"};
    manifest.warnings.push_back(ManifestWarning{"export", "CBT was off", "2026-01-02T03:04:06.5+01:00", {}});
    manifest.metadata.emplace();
    manifest.metadata->hypersdk_version = "0.1.0";
    manifest.metadata->job_id = "job-1";
    manifest.metadata->created_at = "2026-01-02T03:04:07Z";
    manifest.metadata->tags = std::map<std::string, std::string>{{"env", "test"}, {"team", "infra"}};
    manifest.pipeline.emplace();
    manifest.pipeline->inspect = InspectStage{true, false, {}};
    manifest.pipeline->fix = FixStage{false, true, false, true, true, "stabilize-all", false, {}};
    manifest.pipeline->convert = ConvertStage{true, true, 6, {}};
    manifest.pipeline->validate = ValidateStage{true, true, {}};
    manifest.configuration.emplace();
    manifest.configuration->users = R"({"root":{"password":"x"}})";
    manifest.configuration->hostname = R"({"name":"web01"})";
    manifest.output = ManifestOutput{(directory / "out").string(), "qcow2", "web01", {}};
    manifest.options.emplace();
    manifest.options->dry_run = false;
    manifest.options->verbose = 0;
    manifest.options->report = ManifestReportOptions{true, "report.json", {}};
    return manifest;
}

}  // namespace manifest_test
