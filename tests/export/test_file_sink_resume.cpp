// FileSinkFactory's trust in what is already on disk: a ".part" is resumed
// only when its resume record says it came from the same source, planted
// symlinks and hard links are never written through, a sink with exact_bytes
// never commits another byte count, and file names a terminal or a log would
// misread are refused.
#include <hypersdk/core/file_sink.hpp>
#include <hypersdk/core/resume_record.hpp>
#include <hypersdk/core/sha256.hpp>

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "temp_dir.hpp"

namespace hypersdk::core {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

FileSinkOptions identity(std::string provider = "org.example.provider", std::string vm = "vm-1") {
    FileSinkOptions options;
    options.provider = std::move(provider);
    options.vm = std::move(vm);
    return options;
}

std::string disk(const std::string& extra = "") {
    return R"({"kind":"disk","id":"disk-0","file_name":"d.vmdk","format":"vmdk","source_key":"snap-1")" +
           extra + "}";
}

// An earlier run of `options` that wrote `bytes` and was interrupted.
void interrupted(const fs::path& dir, const FileSinkOptions& options, const std::string& artifact,
                 const std::string& bytes) {
    FileSinkFactory factory(dir, options);
    Job job;
    std::unique_ptr<Sink> sink;
    ASSERT_EQ(factory.open(job, artifact, sink), HYPERSDK_OK);
    ASSERT_EQ(sink->write(bytes.data(), bytes.size()), HYPERSDK_OK);
    ASSERT_EQ(sink->close(HYPERSDK_ERR_CANCELLED), HYPERSDK_OK);
}

// Opens `artifact` with `options`, returns the offset it resumed at and the warnings.
struct Reopened {
    uint64_t offset = 0;
    std::string warnings;
};
Reopened reopen_and_finish(const fs::path& dir, const FileSinkOptions& options, const std::string& artifact,
                           const std::string& rest) {
    FileSinkFactory factory(dir, options);
    Job job;
    std::unique_ptr<Sink> sink;
    EXPECT_EQ(factory.open(job, artifact, sink), HYPERSDK_OK) << (job.error() ? job.error()->message : "");
    if (!sink) return {};
    Reopened result{sink->offset(), ""};
    EXPECT_EQ(sink->write(rest.data(), rest.size()), HYPERSDK_OK);
    EXPECT_EQ(sink->close(HYPERSDK_OK), HYPERSDK_OK) << (job.error() ? job.error()->message : "");
    for (const auto& warning : job.warnings())
        result.warnings += warning.stage + ": " + warning.message + "\n";
    return result;
}

TEST(FileSinkResume, TheRecordIsWrittenBeforeTheFirstByteAndRemovedAtCommit) {
    TempDir dir;
    FileSinkFactory factory(dir.path(), identity());
    Job job;
    std::unique_ptr<Sink> sink;
    ASSERT_EQ(factory.open(job, disk(), sink), HYPERSDK_OK);
    ASSERT_TRUE(fs::exists(dir / "d.vmdk.resume.json"));
    std::string problem;
    const auto record = parse_resume_record(read_file(dir / "d.vmdk.resume.json"));
    ASSERT_TRUE(record.has_value());
    EXPECT_EQ(record->provider, "org.example.provider");
    EXPECT_EQ(record->vm, "vm-1");
    EXPECT_EQ(record->id, "disk-0");
    EXPECT_EQ(record->source_key, "snap-1");
    EXPECT_EQ(fs::status(dir / "d.vmdk.resume.json").permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write);
    ASSERT_EQ(sink->write("abc", 3), HYPERSDK_OK);
    ASSERT_EQ(sink->close(HYPERSDK_OK), HYPERSDK_OK);
    EXPECT_FALSE(fs::exists(dir / "d.vmdk.resume.json"));
    EXPECT_EQ(read_file(dir / "d.vmdk"), "abc");
}

TEST(FileSinkResume, TheSameSourceResumes) {
    TempDir dir;
    interrupted(dir.path(), identity(), disk(), "hello ");
    const auto reopened = reopen_and_finish(dir.path(), identity(), disk(), "world");
    EXPECT_EQ(reopened.offset, 6u);
    EXPECT_EQ(reopened.warnings, "");
    EXPECT_EQ(read_file(dir / "d.vmdk"), "hello world");
}

TEST(FileSinkResume, AForeignPartWithoutARecordIsStartedOverAndSaysSo) {
    TempDir dir;
    std::ofstream(dir / "d.vmdk.part") << "29 bytes that are not a disk";
    const auto reopened = reopen_and_finish(dir.path(), identity(), disk(), "the disk");
    EXPECT_EQ(reopened.offset, 0u);
    EXPECT_NE(reopened.warnings.find("not resuming d.vmdk.part: there is no resume record"),
              std::string::npos)
        << reopened.warnings;
    EXPECT_EQ(read_file(dir / "d.vmdk"), "the disk");
}

TEST(FileSinkResume, EveryFieldOfTheRecordMustMatch) {
    struct Change {
        FileSinkOptions options;
        std::string artifact;
        std::string field;
    };
    const std::vector<Change> changes = {
        {identity("org.other.provider"), disk(), "provider"},
        {identity("org.example.provider", "vm-2"), disk(), "vm"},
        {identity(),
         R"({"kind":"disk","id":"disk-9","file_name":"d.vmdk","format":"vmdk","source_key":"snap-1"})", "id"},
        {identity(),
         R"({"kind":"disk","id":"disk-0","file_name":"d.vmdk","format":"raw","source_key":"snap-1"})",
         "format"},
        {identity(), disk(R"(,"expected_bytes":99)"), "expected_bytes"},
        {identity(), disk(R"(,"exact_bytes":3)"), "exact_bytes"},
        {identity(),
         R"({"kind":"disk","id":"disk-0","file_name":"d.vmdk","format":"vmdk","source_key":"snap-2"})",
         "source_key"},
        {identity(), R"({"kind":"disk","id":"disk-0","file_name":"d.vmdk","format":"vmdk"})", "source_key"},
    };
    for (const auto& change : changes) {
        TempDir dir;
        interrupted(dir.path(), identity(), disk(), "old bytes");
        const auto reopened = reopen_and_finish(dir.path(), change.options, change.artifact, "new");
        EXPECT_EQ(reopened.offset, 0u) << change.field;
        EXPECT_NE(reopened.warnings.find("it was written for another source (" + change.field + " differs)"),
                  std::string::npos)
            << reopened.warnings;
        EXPECT_EQ(read_file(dir / "d.vmdk"), "new") << change.field;
    }
}

TEST(FileSinkResume, SeveralDifferencesAreAllNamed) {
    TempDir dir;
    interrupted(dir.path(), identity(), disk(), "old bytes");
    const auto reopened = reopen_and_finish(
        dir.path(), identity("org.other.provider", "vm-2"),
        R"({"kind":"disk","id":"disk-0","file_name":"d.vmdk","format":"vmdk","source_key":"snap-2"})", "new");
    EXPECT_NE(reopened.warnings.find("(provider, vm and source_key differ)"), std::string::npos)
        << reopened.warnings;
}

TEST(FileSinkResume, ATornOrHostileRecordIsNoRecord) {
    for (const std::string& text :
         {std::string("{\"version\": 1, \"provider\": "), std::string("[]"), std::string(100000, '[')}) {
        TempDir dir;
        interrupted(dir.path(), identity(), disk(), "old bytes");
        std::ofstream(dir / "d.vmdk.resume.json", std::ios::trunc) << text;
        const auto reopened = reopen_and_finish(dir.path(), identity(), disk(), "new");
        EXPECT_EQ(reopened.offset, 0u);
        EXPECT_NE(reopened.warnings.find("not resuming d.vmdk.part"), std::string::npos) << reopened.warnings;
        EXPECT_EQ(read_file(dir / "d.vmdk"), "new");
    }
}

TEST(FileSinkResume, ResumeOffStartsOverWithoutAWarning) {
    TempDir dir;
    interrupted(dir.path(), identity(), disk(), "old bytes");
    FileSinkOptions options = identity();
    options.resume = false;
    const auto reopened = reopen_and_finish(dir.path(), options, disk(), "new");
    EXPECT_EQ(reopened.offset, 0u);
    EXPECT_EQ(reopened.warnings, "");
    EXPECT_EQ(read_file(dir / "d.vmdk"), "new");
}

TEST(FileSinkResume, APartLongerThanExactBytesIsStartedOver) {
    TempDir dir;
    interrupted(dir.path(), identity(), disk(R"(,"exact_bytes":4)"), "too long");
    const auto reopened = reopen_and_finish(dir.path(), identity(), disk(R"(,"exact_bytes":4)"), "four");
    EXPECT_EQ(reopened.offset, 0u);
    EXPECT_NE(reopened.warnings.find("more than the source's exact_bytes"), std::string::npos)
        << reopened.warnings;
    EXPECT_EQ(read_file(dir / "d.vmdk"), "four");
}

TEST(FileSinkResume, PlantedLinksAreNeverWrittenThrough) {
    for (const bool hard : {false, true}) {
        TempDir dir;
        fs::create_directories(dir / "out");
        std::ofstream(dir / "victim") << "victim";
        interrupted(dir / "out", identity(), disk(), "old");  // a matching record for the link below
        fs::remove(dir / "out" / "d.vmdk.part");
        if (hard)
            fs::create_hard_link(dir / "victim", dir / "out" / "d.vmdk.part");
        else
            fs::create_symlink(dir / "victim", dir / "out" / "d.vmdk.part");
        fs::create_symlink(dir / "victim", dir / "out" / "d.vmdk");
        const auto reopened = reopen_and_finish(dir / "out", identity(), disk(), "new");
        EXPECT_EQ(reopened.offset, 0u) << hard;
        EXPECT_NE(reopened.warnings.find("not resuming d.vmdk.part"), std::string::npos) << reopened.warnings;
        EXPECT_EQ(read_file(dir / "victim"), "victim") << hard;
        EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(dir / "out" / "d.vmdk")));
        EXPECT_EQ(read_file(dir / "out" / "d.vmdk"), "new");
    }
}

TEST(FileSinkResume, ASymlinkAtTheRecordNameIsNeverWrittenThrough) {
    TempDir dir;
    fs::create_directories(dir / "out");
    std::ofstream(dir / "victim") << "victim";
    fs::create_symlink(dir / "victim", dir / "out" / "d.vmdk.resume.json");
    reopen_and_finish(dir / "out", identity(), disk(), "new");
    EXPECT_EQ(read_file(dir / "victim"), "victim");
    EXPECT_EQ(read_file(dir / "out" / "d.vmdk"), "new");
}

TEST(FileSinkExactBytes, AnotherByteCountNeverCommitsAndThePartStays) {
    TempDir dir;
    FileSinkFactory factory(dir.path(), identity());
    Job job;
    std::unique_ptr<Sink> sink;
    ASSERT_EQ(factory.open(job, disk(R"(,"exact_bytes":11)"), sink), HYPERSDK_OK);
    ASSERT_EQ(sink->write("truncated", 9), HYPERSDK_OK);
    EXPECT_EQ(sink->close(HYPERSDK_OK), HYPERSDK_ERR_IO);
    ASSERT_TRUE(job.error().has_value());
    EXPECT_NE(job.error()->message.find("expected 11 bytes"), std::string::npos) << job.error()->message;
    EXPECT_NE(job.error()->message.find("received 9"), std::string::npos) << job.error()->message;
    EXPECT_EQ(factory.last_error(), job.error()->message);
    EXPECT_FALSE(fs::exists(dir / "d.vmdk"));
    EXPECT_EQ(read_file(dir / "d.vmdk.part"), "truncated");
    EXPECT_TRUE(factory.records().empty());

    // The next run resumes the kept bytes and commits once all 11 are there.
    const auto reopened = reopen_and_finish(dir.path(), identity(), disk(R"(,"exact_bytes":11)"), "ok");
    EXPECT_EQ(reopened.offset, 9u);
    EXPECT_EQ(read_file(dir / "d.vmdk"), "truncatedok");
}

TEST(FileSinkExactBytes, AreParsedAndChecked) {
    std::string error;
    const auto artifact = parse_sink_artifact(disk(R"(,"exact_bytes":5)"), error);
    ASSERT_TRUE(artifact.has_value()) << error;
    EXPECT_EQ(artifact->exact_bytes, 5u);
    EXPECT_EQ(artifact->source_key, "snap-1");
    EXPECT_FALSE(parse_sink_artifact(disk(R"(,"exact_bytes":-5)"), error));
    EXPECT_NE(error.find("\"exact_bytes\""), std::string::npos) << error;
    EXPECT_FALSE(parse_sink_artifact(
        R"({"kind":"disk","id":"d","file_name":"a","format":"raw","source_key":7})", error));
    EXPECT_NE(error.find("\"source_key\""), std::string::npos) << error;
}

TEST(FileSinkName, ControlCharactersAndInvalidUtf8AreRefused) {
    for (const std::string& name :
         {std::string("a\x1b[2Jb.vmdk"), std::string("a\nb.vmdk"), std::string("a\tb"), std::string("a\x7f"),
          std::string("a\xc2\x9b"
                      "2J"),
          std::string("a\xc2\x85"), std::string("a\xff.vmdk"), std::string("a\xc0\xaf"),
          std::string("\xed\xa0\x80")}) {
        EXPECT_NE(check_sink_file_name(name), "") << name;
        std::string error;
        EXPECT_FALSE(
            parse_sink_artifact(R"({"kind":"descriptor","file_name":")" + name + "\"}", error).has_value());
        // The message shows the name escaped, never a raw control character.
        for (const char c : error) EXPECT_FALSE(static_cast<unsigned char>(c) < 0x20 || c == 0x7f) << error;
        EXPECT_EQ(error.find("\xc2\x9b"), std::string::npos) << error;
    }
    EXPECT_EQ(check_sink_file_name("Ünïcödé-disk.vmdk"), "");
}

TEST(FileSinkName, NamesTheHostWritesItselfAreReserved) {
    for (const char* name : {"artifact-manifest.json", ".hyperexport-outputs.json", "disk.vmdk.part",
                             "x.part", "disk.vmdk.resume.json"})
        EXPECT_NE(check_sink_file_name(name), "") << name;
    EXPECT_EQ(check_sink_file_name("disk.partition"), "");
}

TEST(FileSinkName, TheLongestAcceptedNameCanBeWrittenAndCommitted) {
    TempDir dir;
    const std::string name(kMaxSinkFileNameBytes, 'a');
    FileSinkFactory factory(dir.path(), identity());
    Job job;
    std::unique_ptr<Sink> sink;
    ASSERT_EQ(factory.open(job, R"({"kind":"descriptor","file_name":")" + name + "\"}", sink), HYPERSDK_OK)
        << job.error()->message;
    ASSERT_EQ(sink->write("x", 1), HYPERSDK_OK);
    ASSERT_EQ(sink->close(HYPERSDK_OK), HYPERSDK_OK);
    EXPECT_EQ(read_file(dir / name), "x");
}

TEST(FileSinkModes, GroupReadableWhenAsked) {
    TempDir dir;
    FileSinkOptions options = identity();
    options.modes = files::FileModes::private_or_group(true);
    FileSinkFactory factory(dir.path(), options);
    Job job;
    std::unique_ptr<Sink> sink;
    ASSERT_EQ(factory.open(job, disk(), sink), HYPERSDK_OK);
    EXPECT_EQ(fs::status(dir / "d.vmdk.part").permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
    ASSERT_EQ(sink->close(HYPERSDK_OK), HYPERSDK_OK);
    EXPECT_EQ(fs::status(dir / "d.vmdk").permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
}

}  // namespace
}  // namespace hypersdk::core
