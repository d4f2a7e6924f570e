// FileSinkFactory: the files a provider writes through sink_open/write/
// rewind/close, on a real directory.
#include <hypersdk/core/file_sink.hpp>
#include <hypersdk/core/sha256.hpp>

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <ostream>
#include <string>

#include "images.hpp"
#include "temp_dir.hpp"

namespace hypersdk::core {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
}

const char* const kDisk =
    R"({"kind":"disk","id":"disk-0","file_name":"vm-disk1.vmdk","format":"vmdk","expected_bytes":11})";

// What an interrupted earlier run leaves: `bytes` in the .part and the resume
// record beside it.
void interrupted_run(const fs::path& dir, const std::string& artifact_json, const std::string& bytes) {
    FileSinkFactory factory(dir, true);
    Job job;
    std::unique_ptr<Sink> sink;
    ASSERT_EQ(factory.open(job, artifact_json, sink), HYPERSDK_OK);
    ASSERT_EQ(sink->write(bytes.data(), bytes.size()), HYPERSDK_OK);
    ASSERT_EQ(sink->close(HYPERSDK_ERR_CANCELLED), HYPERSDK_OK);
}

TEST(FileSink, WritesPartThenCommitsWithStreamingHash) {
    TempDir dir;
    FileSinkFactory factory(dir.path(), true);
    Job job;
    std::unique_ptr<Sink> sink;
    ASSERT_EQ(factory.open(job, kDisk, sink), HYPERSDK_OK);
    EXPECT_EQ(sink->offset(), 0u);
    ASSERT_EQ(sink->write("hello ", 6), HYPERSDK_OK);
    ASSERT_EQ(sink->write("world", 5), HYPERSDK_OK);
    EXPECT_EQ(sink->offset(), 11u);
    EXPECT_TRUE(fs::exists(dir / "vm-disk1.vmdk.part"));
    EXPECT_FALSE(fs::exists(dir / "vm-disk1.vmdk"));
    EXPECT_TRUE(factory.records().empty());
    ASSERT_EQ(sink->close(HYPERSDK_OK), HYPERSDK_OK);

    EXPECT_FALSE(fs::exists(dir / "vm-disk1.vmdk.part"));
    ASSERT_EQ(read_file(dir / "vm-disk1.vmdk"), "hello world");
    // Private: a VM disk holds private data.
    EXPECT_EQ(fs::status(dir / "vm-disk1.vmdk").permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write);
    const auto records = factory.records();
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].kind, "disk");
    EXPECT_EQ(records[0].id, "disk-0");
    EXPECT_EQ(records[0].file_name, "vm-disk1.vmdk");
    EXPECT_EQ(records[0].format, "vmdk");
    EXPECT_EQ(records[0].path, dir / "vm-disk1.vmdk");
    EXPECT_EQ(records[0].bytes, 11u);
    EXPECT_EQ(records[0].sha256, test::sha256_of_file(dir / "vm-disk1.vmdk"));
    EXPECT_EQ(records[0].sha256, Sha256::of("hello world"));
}

TEST(FileSink, ResumesFromExistingPartAndHashesWholeFile) {
    TempDir dir;
    interrupted_run(dir.path(), kDisk, "hello ");
    FileSinkFactory factory(dir.path(), true);
    Job job;
    std::unique_ptr<Sink> sink;
    ASSERT_EQ(factory.open(job, kDisk, sink), HYPERSDK_OK);
    EXPECT_EQ(sink->offset(), 6u);
    ASSERT_EQ(sink->write("world", 5), HYPERSDK_OK);
    ASSERT_EQ(sink->close(HYPERSDK_OK), HYPERSDK_OK);
    EXPECT_EQ(read_file(dir / "vm-disk1.vmdk"), "hello world");
    EXPECT_EQ(factory.records().at(0).sha256, test::sha256_of_file(dir / "vm-disk1.vmdk"));
}

TEST(FileSink, WithoutResumeTruncatesAnOldPart) {
    TempDir dir;
    write_file(dir / "vm-disk1.vmdk.part", "stale bytes from a crash");
    FileSinkFactory factory(dir.path(), false);
    Job job;
    std::unique_ptr<Sink> sink;
    ASSERT_EQ(factory.open(job, kDisk, sink), HYPERSDK_OK);
    EXPECT_EQ(sink->offset(), 0u);
    ASSERT_EQ(sink->write("new", 3), HYPERSDK_OK);
    ASSERT_EQ(sink->close(HYPERSDK_OK), HYPERSDK_OK);
    EXPECT_EQ(read_file(dir / "vm-disk1.vmdk"), "new");
    EXPECT_EQ(factory.records().at(0).sha256, Sha256::of("new"));
}

TEST(FileSink, RewindStartsOverAndResetsTheHash) {
    TempDir dir;
    interrupted_run(dir.path(), kDisk, "partial");
    FileSinkFactory factory(dir.path(), true);
    Job job;
    std::unique_ptr<Sink> sink;
    ASSERT_EQ(factory.open(job, kDisk, sink), HYPERSDK_OK);
    ASSERT_EQ(sink->offset(), 7u);
    // A server that ignored Range sends the whole body: start again.
    ASSERT_EQ(sink->rewind(), HYPERSDK_OK);
    EXPECT_EQ(sink->offset(), 0u);
    ASSERT_EQ(sink->write("whole body", 10), HYPERSDK_OK);
    ASSERT_EQ(sink->close(HYPERSDK_OK), HYPERSDK_OK);
    EXPECT_EQ(read_file(dir / "vm-disk1.vmdk"), "whole body");
    EXPECT_EQ(factory.records().at(0).sha256, test::sha256_of_file(dir / "vm-disk1.vmdk"));
    EXPECT_EQ(factory.records().at(0).bytes, 10u);
}

TEST(FileSink, FailedCloseKeepsPartAndRecordsNothing) {
    TempDir dir;
    FileSinkFactory factory(dir.path(), true);
    Job job;
    std::unique_ptr<Sink> sink;
    ASSERT_EQ(factory.open(job, kDisk, sink), HYPERSDK_OK);
    ASSERT_EQ(sink->write("half", 4), HYPERSDK_OK);
    EXPECT_EQ(sink->close(HYPERSDK_ERR_CANCELLED), HYPERSDK_OK);
    sink.reset();
    EXPECT_EQ(read_file(dir / "vm-disk1.vmdk.part"), "half");
    EXPECT_FALSE(fs::exists(dir / "vm-disk1.vmdk"));
    EXPECT_TRUE(factory.records().empty());
    // The same name can be opened again (a retry) and resumes.
    ASSERT_EQ(factory.open(job, kDisk, sink), HYPERSDK_OK);
    EXPECT_EQ(sink->offset(), 4u);
}

TEST(FileSink, DestroyedWithoutCloseKeepsPart) {
    TempDir dir;
    FileSinkFactory factory(dir.path(), true);
    Job job;
    {
        std::unique_ptr<Sink> sink;
        ASSERT_EQ(factory.open(job, kDisk, sink), HYPERSDK_OK);
        ASSERT_EQ(sink->write("abc", 3), HYPERSDK_OK);
    }
    EXPECT_EQ(read_file(dir / "vm-disk1.vmdk.part"), "abc");
    EXPECT_FALSE(fs::exists(dir / "vm-disk1.vmdk"));
}

TEST(FileSink, LargeWritesHashLikeTheFileOnDisk) {
    TempDir dir;
    FileSinkFactory factory(dir.path(), true);
    Job job;
    std::unique_ptr<Sink> sink;
    ASSERT_EQ(factory.open(job, kDisk, sink), HYPERSDK_OK);
    std::string chunk(1 << 20, '\0');
    for (size_t i = 0; i < chunk.size(); ++i) chunk[i] = static_cast<char>((i * 131) % 251);
    for (int i = 0; i < 5; ++i)
        ASSERT_EQ(sink->write(chunk.data(), chunk.size() - static_cast<size_t>(i)), 0);
    ASSERT_EQ(sink->close(HYPERSDK_OK), HYPERSDK_OK);
    EXPECT_EQ(factory.records().at(0).sha256, test::sha256_of_file(dir / "vm-disk1.vmdk"));
}

TEST(FileSink, ObserverSeesOpenProgressAndClose) {
    TempDir dir;
    interrupted_run(dir.path(), kDisk, "ab");
    std::vector<std::string> events;
    FileSinkFactory::Observer observer;
    observer.opened = [&](size_t index, const SinkArtifact& artifact, uint64_t resumed) {
        events.push_back("open " + std::to_string(index) + " " + artifact.id + " " + std::to_string(resumed) +
                         " " + std::to_string(artifact.expected_bytes.value_or(0)));
    };
    observer.progress = [&](size_t index, uint64_t bytes) {
        events.push_back("progress " + std::to_string(index) + " " + std::to_string(bytes));
    };
    observer.closed = [&](size_t index, bool ok) {
        events.push_back("close " + std::to_string(index) + (ok ? " ok" : " failed"));
    };
    FileSinkFactory factory(dir.path(), true, observer);
    Job job;
    std::unique_ptr<Sink> sink;
    ASSERT_EQ(factory.open(job, kDisk, sink), HYPERSDK_OK);
    ASSERT_EQ(sink->write("cd", 2), HYPERSDK_OK);
    ASSERT_EQ(sink->close(HYPERSDK_OK), HYPERSDK_OK);
    EXPECT_EQ(events, (std::vector<std::string>{"open 0 disk-0 2 11", "progress 0 4", "close 0 ok"}));
}

TEST(FileSink, DescriptorNeedsNoIdOrFormat) {
    TempDir dir;
    FileSinkFactory factory(dir.path(), true);
    Job job;
    std::unique_ptr<Sink> sink;
    ASSERT_EQ(factory.open(job, R"({"kind":"descriptor","file_name":"vm.ovf"})", sink), HYPERSDK_OK);
    ASSERT_EQ(sink->write("<Envelope/>", 11), HYPERSDK_OK);
    ASSERT_EQ(sink->close(HYPERSDK_OK), HYPERSDK_OK);
    EXPECT_EQ(factory.records().at(0).kind, "descriptor");
    EXPECT_EQ(read_file(dir / "vm.ovf"), "<Envelope/>");
}

TEST(FileSink, SameNameTwiceIsRefused) {
    TempDir dir;
    FileSinkFactory factory(dir.path(), true);
    Job job;
    std::unique_ptr<Sink> first, second;
    ASSERT_EQ(factory.open(job, kDisk, first), HYPERSDK_OK);
    EXPECT_EQ(factory.open(job, kDisk, second), HYPERSDK_ERR_INVALID_ARGUMENT);
    EXPECT_NE(job.error()->message.find("already open"), std::string::npos);
    ASSERT_EQ(first->close(HYPERSDK_OK), HYPERSDK_OK);
    EXPECT_EQ(factory.open(job, kDisk, second), HYPERSDK_ERR_INVALID_ARGUMENT);
    EXPECT_NE(job.error()->message.find("already written"), std::string::npos);
}

struct BadArtifact {
    const char* name;
    std::string json;
    const char* field;  // the message must name it
};

void PrintTo(const BadArtifact& artifact, std::ostream* out) {
    *out << artifact.name;
}

class FileSinkRefuses : public testing::TestWithParam<BadArtifact> {};

TEST_P(FileSinkRefuses, WithAnErrorNamingTheField) {
    TempDir dir;
    FileSinkFactory factory(dir.path(), true);
    Job job;
    std::unique_ptr<Sink> sink;
    EXPECT_EQ(factory.open(job, GetParam().json, sink), HYPERSDK_ERR_INVALID_ARGUMENT);
    EXPECT_FALSE(sink);
    ASSERT_TRUE(job.error().has_value());
    EXPECT_EQ(job.error()->status, HYPERSDK_ERR_INVALID_ARGUMENT);
    EXPECT_NE(job.error()->message.find(GetParam().field), std::string::npos) << job.error()->message;
    EXPECT_TRUE(fs::is_empty(dir.path()));
}

const std::string kLongName(256, 'a');

INSTANTIATE_TEST_SUITE_P(
    BadArtifacts, FileSinkRefuses,
    testing::Values(
        BadArtifact{"NotJson", "{", "artifact_json"}, BadArtifact{"NotObject", "[1]", "artifact_json"},
        BadArtifact{"UnknownKind", R"({"kind":"iso","file_name":"a"})", "\"kind\""},
        BadArtifact{"MissingKind", R"({"file_name":"a"})", "\"kind\""},
        BadArtifact{"DiskWithoutId", R"({"kind":"disk","file_name":"a.vmdk","format":"vmdk"})", "\"id\""},
        BadArtifact{"DiskBadId", R"({"kind":"disk","id":"disk 0","file_name":"a.vmdk","format":"vmdk"})",
                    "\"id\""},
        BadArtifact{"DiskBadFormat", R"({"kind":"disk","id":"d","file_name":"a.iso","format":"iso"})",
                    "\"format\""},
        BadArtifact{"MissingName", R"({"kind":"descriptor"})", "\"file_name\""},
        BadArtifact{"EmptyName", R"({"kind":"descriptor","file_name":""})", "\"file_name\""},
        BadArtifact{"Slash", R"({"kind":"descriptor","file_name":"../x.ovf"})", "\"file_name\""},
        BadArtifact{"AbsolutePath", R"({"kind":"descriptor","file_name":"/etc/passwd"})", "\"file_name\""},
        BadArtifact{"Dot", R"({"kind":"descriptor","file_name":"."})", "\"file_name\""},
        BadArtifact{"DotDot", R"({"kind":"descriptor","file_name":".."})", "\"file_name\""},
        BadArtifact{"Nul", R"({"kind":"descriptor","file_name":"a\u0000b"})", "\"file_name\""},
        BadArtifact{"TooLong", R"({"kind":"descriptor","file_name":")" + kLongName + R"("})",
                    "\"file_name\""},
        BadArtifact{"Manifest", R"({"kind":"descriptor","file_name":"artifact-manifest.json"})",
                    "\"file_name\""},
        BadArtifact{"NameNotString", R"({"kind":"descriptor","file_name":7})", "\"file_name\""},
        BadArtifact{"NegativeExpected",
                    R"({"kind":"disk","id":"d","file_name":"a","format":"raw","expected_bytes":-1})",
                    "\"expected_bytes\""}),
    [](const testing::TestParamInfo<BadArtifact>& info) { return std::string(info.param.name); });

TEST(FileSinkName, MaximumLengthIsAccepted) {
    EXPECT_EQ(check_sink_file_name(std::string(243, 'a')), "");
    EXPECT_NE(check_sink_file_name(std::string(244, 'a')), "");
}

}  // namespace
}  // namespace hypersdk::core
