// Hostile manifests through the real hyperexport. A manifest may come from
// another machine: its paths must not lead outside the output directory, and
// a "disk" that is a device or a FIFO must not make `manifest verify` hash
// forever or block.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "images.hpp"
#include "process.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using namespace hypersdk::test;
using namespace std::chrono_literals;

namespace {

// Far more than any of these commands needs; a hang shows as timed_out.
constexpr auto kCommandLimit = 30s;

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void write_text(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    ASSERT_TRUE(out.good()) << path;
}

// A JSON string literal; control characters become \u00XX escapes.
std::string json_string(const std::string& text) {
    std::string out = "\"";
    for (const char c : text) {
        if (static_cast<unsigned char>(c) < 0x20) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned char>(c));
            out += escaped;
            continue;
        }
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

class HostileManifestCli : public ::testing::Test {
protected:
    void SetUp() override {
        disk_ = dir_ / "disk-0.raw";
        write_patterned_raw(disk_, 1 << 20);
        fs::create_directories(dir_ / "home");
    }

    // Hermetic: only the build tree's plugins.
    ProcessResult hyperexport(std::vector<std::string> args) {
        args.insert(args.begin(), {HYPEREXPORT_BINARY, "--no-default-plugin-dirs", "--plugin-dir",
                                   HYPERSDK_TEST_PLUGIN_DIR});
        ProcessOptions options;
        options.env["PATH"] = "/usr/bin:/bin";
        options.env["HOME"] = (dir_ / "home").string();
        options.unset_env.push_back("HYPERSDK_PLUGIN_PATH");
        options.timeout = kCommandLimit;
        return run_process(args, options);
    }

    // A manifest for one disk; `rest` is appended inside the top-level object.
    fs::path write_manifest(const std::string& local_path, uint64_t bytes, const std::string& rest = "") {
        const fs::path manifest = dir_ / "artifact-manifest.json";
        write_text(manifest,
                   R"({"manifest_version": "1.0", "disks": [{"id": "disk-0", "source_format": "raw", )"
                   R"("bytes": )" +
                       std::to_string(bytes) + R"(, "local_path": )" + json_string(local_path) +
                       R"(, "checksum": "sha256:)" + std::string(64, '0') + R"("}])" + rest + "}");
        return manifest;
    }

    TempDir dir_;
    fs::path disk_;
};

TEST_F(HostileManifestCli, VerifyRefusesACharacterDeviceInsteadOfHashingForever) {
    const fs::path manifest = write_manifest("/dev/zero", 0);
    const auto result = hyperexport({"manifest", "verify", manifest.string()});
    ASSERT_FALSE(result.timed_out) << "verify hashed /dev/zero until killed";
    EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
    EXPECT_TRUE(contains(result.out, "disk-0: ERROR (")) << result.out;
    EXPECT_TRUE(contains(result.out, "not a regular file")) << result.out;
}

TEST_F(HostileManifestCli, VerifyRefusesAFifoInsteadOfBlocking) {
    const fs::path fifo = dir_ / "disk.fifo";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    const fs::path manifest = write_manifest(fifo.string(), 0);
    const auto result = hyperexport({"manifest", "verify", manifest.string()});
    ASSERT_FALSE(result.timed_out) << "verify blocked opening a FIFO until killed";
    EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
    EXPECT_TRUE(contains(result.out, "not a regular file")) << result.out;
}

TEST_F(HostileManifestCli, ConvertRefusesAReportPathOutsideTheOutputDirectory) {
    const fs::path victim = dir_ / "victim.conf";
    write_text(victim, "precious\n");
    const fs::path manifest =
        write_manifest(disk_.string(), fs::file_size(disk_),
                       R"(, "pipeline": {"convert": {"enabled": true}}, "output": {"directory": )" +
                           json_string((dir_ / "out").string()) +
                           R"(, "format": "qcow2"}, "options": {"report": {"enabled": true, "path": )" +
                           json_string(victim.string()) + "}}");
    const auto result = hyperexport({"convert", "--manifest", manifest.string(), "--converter", "qemu-img"});
    ASSERT_FALSE(result.timed_out);
    EXPECT_EQ(read_text(victim), "precious\n") << "the report replaced a file outside the output directory";
    EXPECT_NE(result.exit_code, 0) << result.out << result.err;
    EXPECT_TRUE(contains(result.err, "options.report.path: must lie inside the output directory"))
        << result.err;
    EXPECT_FALSE(fs::exists(dir_ / "out" / "disk-0.qcow2")) << "nothing may run for a refused manifest";
}

TEST_F(HostileManifestCli, ConvertRefusesAnOutputDirectoryWithDotDotSegments) {
    // <dir>/sub/../../<name> is a sibling of the test directory: outside it.
    const std::string escape_name = dir_.path().filename().string() + "-escaped";
    const fs::path escaped = dir_.path().parent_path() / escape_name;
    const std::string output = (dir_ / "sub").string() + "/../../" + escape_name;
    const fs::path manifest =
        write_manifest(disk_.string(), fs::file_size(disk_),
                       R"(, "pipeline": {"convert": {"enabled": true}}, "output": {"directory": )" +
                           json_string(output) + R"(, "format": "qcow2"})");
    const auto result = hyperexport({"convert", "--manifest", manifest.string(), "--converter", "qemu-img"});
    const bool wrote_outside = fs::exists(escaped);
    std::error_code ignored;
    fs::remove_all(escaped, ignored);
    ASSERT_FALSE(result.timed_out);
    EXPECT_FALSE(wrote_outside) << "convert created " << escaped;
    EXPECT_NE(result.exit_code, 0) << result.out << result.err;
    EXPECT_TRUE(contains(result.err, "output.directory: must not contain '..' segments")) << result.err;
}

TEST_F(HostileManifestCli, ShowRefusesControlCharactersInPathsAndEscapesThem) {
    const fs::path manifest = write_manifest(disk_.string() + "\x1b[2J", 1,
                                             R"(, "output": {"directory": "/tmp/out\u001b]0;owned\u0007"})");
    const auto result = hyperexport({"manifest", "show", "--no-file-check", manifest.string()});
    ASSERT_FALSE(result.timed_out);
    EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
    EXPECT_TRUE(contains(result.err, "disks[0].local_path: must not contain control characters"))
        << result.err;
    EXPECT_TRUE(contains(result.err, "output.directory: must not contain control characters")) << result.err;
    EXPECT_TRUE(contains(result.err, R"(\x1b[2J")")) << result.err;
    EXPECT_FALSE(contains(result.err, "\x1b")) << "a raw ESC reached the terminal: " << result.err;
    EXPECT_FALSE(contains(result.out, "\x1b")) << "a raw ESC reached the terminal: " << result.out;
}

// Free text (a VM name, notes, warnings) may hold anything; `show` prints it
// escaped, one line per value, so it can neither drive the terminal nor
// forge a line of hyperexport's own.
TEST_F(HostileManifestCli, ShowEscapesFreeTextAndKeepsEachValueOnOneLine) {
    const fs::path manifest =
        write_manifest(disk_.string(), 1,
                       R"(, "source": {"provider": "vsphere", "vm_name": "web\u001b[2J\u009b31m"},)"
                       R"( "notes": ["copied\nValidation: OK"],)"
                       R"( "warnings": [{"stage": "export", "message": "bell\u0007 and \u202eevil"}])");
    const auto result = hyperexport({"manifest", "show", "--no-file-check", manifest.string()});
    ASSERT_FALSE(result.timed_out);
    EXPECT_FALSE(contains(result.out, "\x1b")) << "a raw ESC reached the terminal: " << result.out;
    EXPECT_FALSE(contains(result.out, "\a")) << result.out;
    EXPECT_FALSE(contains(result.out, "\u009b")) << result.out;
    EXPECT_TRUE(contains(result.out, R"(vm web\x1b[2J\u009b31m)")) << result.out;
    EXPECT_TRUE(contains(result.out, R"(Note:     copied\x0aValidation: OK)")) << result.out;
    EXPECT_TRUE(contains(result.out, R"(bell\x07 and \u202eevil)")) << result.out;
    size_t verdicts = 0;
    for (size_t at = result.out.find("\nValidation: "); at != std::string::npos;
         at = result.out.find("\nValidation: ", at + 1))
        ++verdicts;
    EXPECT_EQ(verdicts, 1u) << "a note forged a line: " << result.out;
}

}  // namespace
