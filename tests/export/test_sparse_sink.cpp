// Sparse sinks (hypersdk_host.sink_write_zeros): zeros leave holes, are
// hashed, counted and survive a resume. The judge is `sha256sum` and the
// file's allocated size (st_blocks).
#include <hypersdk/core/file_sink.hpp>
#include <hypersdk/core/host_table.hpp>
#include <hypersdk/core/sha256.hpp>
#include <hypersdk/core/sink_writer.hpp>

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "process.hpp"
#include "temp_dir.hpp"

namespace hypersdk::core {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

constexpr uint64_t kMiB = 1024 * 1024;

std::string data_block(size_t bytes, unsigned seed) {
    std::string data(bytes, '\0');
    for (size_t i = 0; i < bytes; ++i)
        data[i] = static_cast<char>(((i + 1) * (seed * 2 + 1) + i / 4093) % 251 + 1);
    return data;
}

std::string sha256sum(const fs::path& path) {
    const auto result = test::run_process({"sha256sum", path.string()});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return "sha256:" + result.out.substr(0, 64);
}

uint64_t allocated_bytes(const fs::path& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0);
    return static_cast<uint64_t>(st.st_blocks) * 512;
}

const char* const kDisk = R"({"kind":"disk","id":"disk-0","file_name":"sparse.raw","format":"raw"})";

// 1 GiB of which 90 % are holes: in every 16 MiB, an unaligned run of data,
// then zeros with unaligned edges; the last run ends in a trailing hole.
TEST(SparseSink, OneGibMostlyHolesIsSmallOnDiskAndHashesLikeSha256sum) {
    constexpr uint64_t kTotal = 1024 * kMiB;
    constexpr uint64_t kSegment = 16 * kMiB;
    constexpr uint64_t kData = kSegment / 10 + 4097;  // 10 % data, never block aligned
    for (const bool direct : {true, false}) {
        TempDir dir;
        FileSinkOptions options;
        options.direct_io = direct;
        std::vector<uint64_t> progress;
        FileSinkFactory::Observer observer;
        observer.progress = [&](size_t, uint64_t bytes) { progress.push_back(bytes); };
        FileSinkFactory factory(dir.path(), options, observer);
        Job job;
        std::unique_ptr<Sink> sink;
        ASSERT_EQ(factory.open(job, kDisk, sink), HYPERSDK_OK);
        const std::string data = data_block(kData, 3);
        for (uint64_t at = 0; at < kTotal; at += kSegment) {
            ASSERT_EQ(sink->write(data.data(), data.size()), HYPERSDK_OK);
            ASSERT_EQ(sink->write_zeros(kSegment - kData), HYPERSDK_OK);
        }
        EXPECT_EQ(sink->offset(), kTotal);
        EXPECT_EQ(progress.back(), kTotal);  // zeros count as progress
        ASSERT_EQ(sink->close(HYPERSDK_OK), HYPERSDK_OK) << job.error()->message;

        const fs::path file = dir / "sparse.raw";
        EXPECT_EQ(fs::file_size(file), kTotal);
        EXPECT_LT(allocated_bytes(file), kTotal / 8) << "holes were written (direct " << direct << ")";
        const auto records = factory.records();
        ASSERT_EQ(records.size(), 1u);
        EXPECT_EQ(records[0].bytes, kTotal);
        EXPECT_EQ(records[0].sha256, sha256sum(file)) << "direct " << direct;
    }
}

TEST(SparseSink, AResumeAfterAHoleContinuesAfterIt) {
    TempDir dir;
    const std::string head = data_block(kMiB + 3, 5);
    const std::string tail = data_block(2 * kMiB + 1, 7);
    {
        FileSinkFactory factory(dir.path(), true);
        Job job;
        std::unique_ptr<Sink> sink;
        ASSERT_EQ(factory.open(job, kDisk, sink), HYPERSDK_OK);
        ASSERT_EQ(sink->write(head.data(), head.size()), HYPERSDK_OK);
        ASSERT_EQ(sink->write_zeros(5 * kMiB - 3), HYPERSDK_OK);
        ASSERT_EQ(sink->close(HYPERSDK_ERR_CANCELLED), HYPERSDK_OK);  // interrupted right after the hole
    }
    // The hole ends on a block boundary, so no edge bytes were written after
    // it: the .part still covers it, and a resume continues after it.
    EXPECT_EQ(fs::file_size(dir / "sparse.raw.part"), head.size() + 5 * kMiB - 3);
    FileSinkFactory factory(dir.path(), true);
    Job job;
    std::unique_ptr<Sink> sink;
    ASSERT_EQ(factory.open(job, kDisk, sink), HYPERSDK_OK);
    EXPECT_EQ(sink->offset(), head.size() + 5 * kMiB - 3);
    ASSERT_EQ(sink->write(tail.data(), tail.size()), HYPERSDK_OK);
    ASSERT_EQ(sink->write_zeros(3 * kMiB), HYPERSDK_OK);
    ASSERT_EQ(sink->close(HYPERSDK_OK), HYPERSDK_OK);

    const fs::path file = dir / "sparse.raw";
    EXPECT_EQ(fs::file_size(file), head.size() + 5 * kMiB - 3 + tail.size() + 3 * kMiB);
    Sha256 expected;
    expected.update(head.data(), head.size());
    const std::string zeros(8 * kMiB, '\0');
    expected.update(zeros.data(), 5 * kMiB - 3);
    expected.update(tail.data(), tail.size());
    expected.update(zeros.data(), 3 * kMiB);
    const std::string expected_hash = expected.finish();
    EXPECT_EQ(factory.records().at(0).sha256, expected_hash);
    EXPECT_EQ(sha256sum(file), expected_hash);
}

TEST(SparseSink, ZerosAloneAndTinyRunsHashAndSizeRight) {
    // After the one data byte: 4095 and 4095 + 8192 end on a block boundary
    // (a trailing hole), the others end in written edge bytes.
    for (const uint64_t length :
         {uint64_t{0}, uint64_t{1}, uint64_t{4095}, uint64_t{4096}, uint64_t{4097}, uint64_t{4095 + 8192},
          uint64_t{3 * SinkWriter::kBatchBytes + 5}, uint64_t{3 * SinkWriter::kBatchBytes - 1}}) {
        TempDir dir;
        FileSinkFactory factory(dir.path(), true);
        Job job;
        std::unique_ptr<Sink> sink;
        ASSERT_EQ(factory.open(job, kDisk, sink), HYPERSDK_OK);
        ASSERT_EQ(sink->write("x", 1), HYPERSDK_OK);
        ASSERT_EQ(sink->write_zeros(length), HYPERSDK_OK);
        ASSERT_EQ(sink->close(HYPERSDK_OK), HYPERSDK_OK);
        EXPECT_EQ(fs::file_size(dir / "sparse.raw"), length + 1) << length;
        EXPECT_EQ(factory.records().at(0).sha256, sha256sum(dir / "sparse.raw")) << length;
    }
}

TEST(SparseSink, RewindAfterAHoleStartsOver) {
    TempDir dir;
    FileSinkFactory factory(dir.path(), true);
    Job job;
    std::unique_ptr<Sink> sink;
    ASSERT_EQ(factory.open(job, kDisk, sink), HYPERSDK_OK);
    ASSERT_EQ(sink->write_zeros(8 * kMiB), HYPERSDK_OK);
    ASSERT_EQ(sink->rewind(), HYPERSDK_OK);
    ASSERT_EQ(sink->write("abc", 3), HYPERSDK_OK);
    ASSERT_EQ(sink->close(HYPERSDK_OK), HYPERSDK_OK);
    EXPECT_EQ(fs::file_size(dir / "sparse.raw"), 3u);
    EXPECT_EQ(factory.records().at(0).sha256, Sha256::of("abc"));
}

// The host slot reaches the sink: a plugin's sink_write_zeros leaves a hole.
TEST(SparseSink, TheHostSlotWritesZerosIntoTheSink) {
    TempDir dir;
    FileSinkFactory factory(dir.path(), true);
    Job job;
    job.set_sink_factory(&factory);
    const HostTable table("org.example.test", "/nowhere/test.so");
    const hypersdk_host* host = table.get();
    ASSERT_TRUE(HYPERSDK_HOST_HAS(host, sink_write_zeros));
    hypersdk_sink* sink = nullptr;
    ASSERT_EQ(host->sink_open(job.handle(), kDisk, &sink), HYPERSDK_OK);
    ASSERT_EQ(host->sink_write(sink, "a", 1), HYPERSDK_OK);
    ASSERT_EQ(host->sink_write_zeros(sink, 64 * kMiB - 1), HYPERSDK_OK);
    EXPECT_EQ(host->sink_offset(sink), 64 * kMiB);
    ASSERT_EQ(host->sink_close(sink, HYPERSDK_OK), HYPERSDK_OK);
    EXPECT_EQ(fs::file_size(dir / "sparse.raw"), 64 * kMiB);
    EXPECT_LT(allocated_bytes(dir / "sparse.raw"), 1 * kMiB);
    EXPECT_EQ(factory.records().at(0).sha256, sha256sum(dir / "sparse.raw"));
}

}  // namespace
}  // namespace hypersdk::core
