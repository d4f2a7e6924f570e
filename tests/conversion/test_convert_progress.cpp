// `hyperexport convert` shows the job's progress: with stdout/stderr not a
// terminal (pipes here), plain "convert: NN% ..." lines on stderr, never
// terminal escapes; nothing under --quiet or --json. The real binary, the real
// qemu-img plugin and qemu-img, a 256 MiB image of random data. qemu-img's own
// rate limit (-r, passed with --converter-arg) makes the run last ~4 s, longer
// than the ~2 s between plain progress batches, whatever the machine's speed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "images.hpp"
#include "process.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using namespace hypersdk::test;

namespace {

constexpr uint64_t kDiskBytes = 256ull * 1024 * 1024;

// Random (incompressible, hole-free) data, so qemu-img really copies every
// byte and its rate limit applies to all of them.
void write_random_raw(const fs::path& path, uint64_t bytes) {
    std::ofstream out(path, std::ios::binary);
    std::mt19937_64 random(42);
    std::vector<uint64_t> block(1 << 17);  // 1 MiB
    for (uint64_t written = 0; written < bytes; written += block.size() * sizeof(uint64_t)) {
        for (auto& word : block) word = random();
        out.write(reinterpret_cast<const char*>(block.data()),
                  static_cast<std::streamsize>(block.size() * sizeof(uint64_t)));
    }
}

std::vector<std::string> lines_starting_with(const std::string& text, const std::string& prefix) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (line.rfind(prefix, 0) == 0) lines.push_back(line);
    return lines;
}

class ConvertProgress : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new TempDir;
        write_random_raw(source(), kDiskBytes);
    }
    static void TearDownTestSuite() {
        delete dir_;
        dir_ = nullptr;
    }
    static fs::path source() { return *dir_ / "disk-0.raw"; }

    // A manifest naming the raw disk; convert only, so the run is the copy.
    fs::path write_manifest(const std::string& output_name) {
        const fs::path manifest = *dir_ / (output_name + ".json");
        std::ofstream(manifest)
            << "{\n  \"manifest_version\": \"1.0\",\n"
            << "  \"source\": {\"provider\": \"vsphere\", \"vm_name\": \"progress-vm\"},\n"
            << "  \"disks\": [{\"id\": \"disk-0\", \"source_format\": \"raw\", \"bytes\": " << kDiskBytes
            << ", \"local_path\": \"" << source().string() << "\", \"boot_order_hint\": 0}],\n"
            << "  \"pipeline\": {\"convert\": {\"enabled\": true}},\n"
            << "  \"output\": {\"directory\": \"" << (*dir_ / output_name).string()
            << "\", \"format\": \"qcow2\"}\n}\n";
        return manifest;
    }

    // `global` goes before the command (--quiet), `extra` after it (--json).
    ProcessResult convert(const fs::path& manifest, const std::vector<std::string>& global = {},
                          const std::vector<std::string>& extra = {}) {
        std::vector<std::string> args{HYPEREXPORT_BINARY, "--no-default-plugin-dirs", "--plugin-dir",
                                      HYPERSDK_TEST_PLUGIN_DIR};
        args.insert(args.end(), global.begin(), global.end());
        args.insert(args.end(), {"convert", "--manifest", manifest.string(), "--converter", "qemu-img",
                                 "--stream-conversion=false", "--converter-arg=-r", "--converter-arg=64M"});
        args.insert(args.end(), extra.begin(), extra.end());
        ProcessOptions options;
        options.env["PATH"] = "/usr/bin:/bin";
        options.env["HOME"] = (*dir_ / "home").string();
        options.unset_env.push_back("HYPERSDK_PLUGIN_PATH");
        options.timeout = std::chrono::seconds(120);
        auto result = run_process(args, options);
        EXPECT_FALSE(result.timed_out) << "conversion did not finish in 120 s";
        return result;
    }

    static TempDir* dir_;
};

TempDir* ConvertProgress::dir_ = nullptr;

TEST_F(ConvertProgress, PlainProgressLinesOnStderrWhenNotATerminal) {
    const auto result = convert(write_manifest("plain"));
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_TRUE(images_identical(source(), "raw", *dir_ / "plain" / "disk-0.qcow2", "qcow2"));

    const auto lines = lines_starting_with(result.err, "convert: ");
    ASSERT_GE(lines.size(), 2u) << "expected progress while running and a final line:\n" << result.err;
    // While running: percent, bytes of the total, rate and ETA.
    const std::string& running = lines.front();
    EXPECT_NE(running.find("% "), std::string::npos) << running;
    EXPECT_NE(running.find(" / 256.00 MiB"), std::string::npos) << running;
    EXPECT_NE(running.find("ETA "), std::string::npos) << running;
    EXPECT_EQ(running.find("100%"), std::string::npos) << running;
    // The last line is the outcome.
    const std::string& last = lines.back();
    EXPECT_EQ(last.rfind("convert: 100%  256.00 MiB / 256.00 MiB", 0), 0u) << last;
    EXPECT_NE(last.find("  done"), std::string::npos) << last;
    // Not a terminal: no bars redrawn in place, no escape sequences anywhere.
    EXPECT_EQ(result.err.find('\x1b'), std::string::npos) << result.err;
    EXPECT_EQ(result.err.find('\r'), std::string::npos);
    EXPECT_EQ(result.out.find('\x1b'), std::string::npos) << result.out;
    // stdout keeps its own content: the start line and the summary.
    EXPECT_EQ(result.out.find("convert: "), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("SUCCESS"), std::string::npos) << result.out;
}

TEST_F(ConvertProgress, NothingUnderQuiet) {
    const auto result = convert(write_manifest("quiet"), {"--quiet"});
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_EQ(result.err, "");
    EXPECT_EQ(result.out, "");
}

TEST_F(ConvertProgress, NothingUnderJsonAndStdoutStaysOneDocument) {
    const auto result = convert(write_manifest("json"), {}, {"--json"});
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_TRUE(lines_starting_with(result.err, "convert: ").empty()) << result.err;
    ASSERT_FALSE(result.out.empty());
    EXPECT_EQ(result.out.front(), '{') << result.out;
    EXPECT_NE(result.out.find("\"success\": true"), std::string::npos) << result.out;
}

}  // namespace
