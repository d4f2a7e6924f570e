#include "test_images.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

#include "hypersdk/plugin_common/subprocess.hpp"

namespace hypersdk::test {
namespace fs = std::filesystem;

namespace {

void write_at(int fd, uint64_t offset, const std::vector<char>& data) {
    if (::pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset)) !=
        static_cast<ssize_t>(data.size()))
        throw std::runtime_error(std::string("pwrite: ") + std::strerror(errno));
}

std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

}  // namespace

void write_patterned_raw(const std::string& path, uint64_t size, uint32_t seed) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) throw std::runtime_error("open " + path);
    if (::ftruncate(fd, static_cast<off_t>(size)) != 0) throw std::runtime_error("ftruncate " + path);
    const uint64_t block = 64 * 1024;
    const uint64_t offsets[] = {0, 1024 * 1024 + 4096, size / 2, size - block};
    std::mt19937 rng(seed);
    for (const uint64_t offset : offsets) {
        std::vector<char> data(block);
        for (auto& c : data) c = static_cast<char>(rng());
        write_at(fd, offset, data);
    }
    ::close(fd);
}

void write_random_raw(const std::string& path, uint64_t size, uint32_t seed) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    std::mt19937_64 rng(seed);
    std::vector<uint64_t> chunk(64 * 1024 / 8);
    for (uint64_t written = 0; written < size; written += chunk.size() * 8) {
        for (auto& v : chunk) v = rng();
        out.write(reinterpret_cast<const char*>(chunk.data()),
                  static_cast<std::streamsize>(chunk.size() * 8));
    }
    if (!out) throw std::runtime_error("write " + path);
}

std::vector<std::string> all_source_kinds() {
    return {"vmdk-sparse", "vmdk-stream", "vhd-dynamic", "vhd-fixed", "vhdx", "raw", "qcow2", "vdi"};
}

SourceImage make_source_image(const std::string& dir, const std::string& raw, const std::string& kind) {
    struct Kind {
        const char* manifest;
        const char* qemu;
        const char* options;
        const char* ext;
    };
    Kind k{};
    if (kind == "vmdk-sparse")
        k = {"vmdk", "vmdk", "subformat=monolithicSparse", "vmdk"};
    else if (kind == "vmdk-stream")
        k = {"vmdk", "vmdk", "subformat=streamOptimized", "vmdk"};
    else if (kind == "vhd-dynamic")
        k = {"vhd", "vpc", "subformat=dynamic,force_size=on", "vhd"};
    else if (kind == "vhd-fixed")
        k = {"vhd", "vpc", "subformat=fixed,force_size=on", "vhd"};
    else if (kind == "vhdx")
        k = {"vhdx", "vhdx", "", "vhdx"};
    else if (kind == "raw")
        k = {"raw", "raw", "", "img"};
    else if (kind == "qcow2")
        k = {"qcow2", "qcow2", "", "qcow2"};
    else if (kind == "vdi")
        k = {"vdi", "vdi", "", "vdi"};
    else
        throw std::runtime_error("unknown image kind " + kind);
    SourceImage image{kind, k.manifest, k.qemu, dir + "/" + kind + "." + k.ext};
    std::vector<std::string> argv = {"qemu-img", "convert", "-f", "raw", "-O", k.qemu};
    if (*k.options != '\0') argv.insert(argv.end(), {"-o", k.options});
    argv.insert(argv.end(), {raw, image.path});
    std::string output;
    if (run_command(argv, &output) != 0) throw std::runtime_error("making " + kind + " failed: " + output);
    return image;
}

int run_command(const std::vector<std::string>& argv, std::string* output) {
    plugin_common::ProcessSpec spec;
    spec.argv = argv;
    if (argv[0].find('/') == std::string::npos) {
        for (const char* dir : {"/usr/bin/", "/usr/local/bin/", "/bin/"}) {
            if (::access((dir + argv[0]).c_str(), X_OK) == 0) {
                spec.argv[0] = dir + argv[0];
                break;
            }
        }
    }
    spec.timeout = std::chrono::seconds(120);
    std::string text;
    const auto result = plugin_common::run_process(
        spec, [&](plugin_common::OutputStream, std::string_view line) { text.append(line).append("\n"); });
    if (output != nullptr) *output = text + result.error;
    return result.outcome == plugin_common::ProcessOutcome::exited ? result.exit_code : -1;
}

std::string compare_images(const std::string& a, const std::string& a_format, const std::string& b,
                           const std::string& b_format) {
    std::string output;
    const int rc = run_command({"qemu-img", "compare", "-f", a_format, "-F", b_format, a, b}, &output);
    return rc == 0 ? std::string() : "qemu-img compare exit " + std::to_string(rc) + ": " + output;
}

void write_manifest(const std::string& path, const ManifestSpec& spec) {
    std::ostringstream j;
    j << "{\n  \"manifest_version\": \"1.0\",\n";
    j << "  \"source\": {\"provider\": " << json_string(spec.provider)
      << ", \"vm_id\": \"vm-42\", \"vm_name\": " << json_string(spec.vm_name) << "},\n";
    j << "  \"disks\": [\n";
    for (size_t i = 0; i < spec.disks.size(); ++i) {
        const auto& d = spec.disks[i];
        std::error_code ec;
        const auto bytes = fs::file_size(d.path, ec);
        j << "    {\"id\": " << json_string(d.id) << ", \"source_format\": " << json_string(d.format)
          << ", \"bytes\": " << (ec ? 0 : bytes) << ", \"local_path\": " << json_string(d.path);
        if (d.boot_order_hint) j << ", \"boot_order_hint\": " << *d.boot_order_hint;
        j << "}" << (i + 1 < spec.disks.size() ? "," : "") << "\n";
    }
    j << "  ],\n";
    j << "  \"pipeline\": {\n";
    j << "    \"inspect\": {\"enabled\": " << (spec.inspect ? "true" : "false") << "},\n";
    j << "    \"fix\": {\"enabled\": " << (spec.fix ? "true" : "false") << "},\n";
    j << "    \"convert\": {\"enabled\": " << (spec.convert ? "true" : "false")
      << ", \"compress\": " << (spec.compress ? "true" : "false") << "},\n";
    j << "    \"validate\": {\"enabled\": " << (spec.validate ? "true" : "false") << "}\n";
    j << "  },\n";
    j << "  \"output\": {";
    bool first = true;
    if (!spec.output_directory.empty()) {
        j << "\"directory\": " << json_string(spec.output_directory);
        first = false;
    }
    if (!spec.output_format.empty())
        j << (first ? "" : ", ") << "\"format\": " << json_string(spec.output_format);
    j << "},\n";
    j << "  \"options\": {\"dry_run\": false, \"verbose\": 0, \"report\": {\"enabled\": true";
    if (!spec.report_path.empty()) j << ", \"path\": " << json_string(spec.report_path);
    j << "}}\n}\n";
    std::ofstream out(path, std::ios::trunc);
    out << j.str();
    if (!out) throw std::runtime_error("cannot write " + path);
}

std::vector<pid_t> live_processes_in_group(pid_t pgid) {
    std::vector<pid_t> pids;
    DIR* proc = ::opendir("/proc");
    if (proc == nullptr) return pids;
    while (const dirent* entry = ::readdir(proc)) {
        const pid_t pid = static_cast<pid_t>(std::atoi(entry->d_name));
        if (pid <= 0) continue;
        std::ifstream stat("/proc/" + std::string(entry->d_name) + "/stat");
        std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
        // Fields after "(comm)": state ppid pgrp ...
        const auto close = text.rfind(')');
        if (close == std::string::npos) continue;
        std::istringstream rest(text.substr(close + 1));
        char state = 0;
        long ppid = 0, pgrp = 0;
        rest >> state >> ppid >> pgrp;
        if (pgrp == pgid && state != 'Z' && state != 'X') pids.push_back(pid);
    }
    ::closedir(proc);
    return pids;
}

bool process_alive(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    if (!stat) return false;
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const auto close = text.rfind(')');
    return close != std::string::npos && close + 2 < text.size() && text[close + 2] != 'Z' &&
           text[close + 2] != 'X';
}

std::vector<std::string> files_with_suffix(const std::string& dir, const std::string& suffix) {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& entry : fs::recursive_directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.size() >= suffix.size() &&
            name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
            out.push_back(entry.path().string());
    }
    return out;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace hypersdk::test
