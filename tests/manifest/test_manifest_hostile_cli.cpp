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

}  // namespace
