// SinkWriter: the file and the SHA-256 equal the bytes given, across batch
// boundaries, unaligned resumes and tails, rewinds and early destruction; a
// write error is reported, not lost; O_DIRECT is used where the filesystem
// has it.
#include <fcntl.h>
#include <unistd.h>

#include <hypersdk/core/sha256.hpp>
#include <hypersdk/core/sink_writer.hpp>

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "temp_dir.hpp"

namespace hypersdk::core {
namespace {

using test::TempDir;

std::string pattern(size_t bytes, unsigned seed = 7919) {
    std::string data(bytes, '\0');
    for (size_t i = 0; i < bytes; ++i) data[i] = static_cast<char>((i * seed + i / 4099) % 253);
    return data;
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class File {
public:
    explicit File(const std::filesystem::path& path)
        : fd_(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644)) {}
    ~File() {
        if (fd_ >= 0) ::close(fd_);
    }
    int fd() const { return fd_; }

private:
    int fd_;
};

// Feeds `data` in odd-sized pieces, like a TLS stream does.
void feed(SinkWriter& writer, const std::string& data, size_t piece = 16381) {
    for (size_t at = 0; at < data.size(); at += piece)
        ASSERT_TRUE(writer.write(data.data() + at, std::min(piece, data.size() - at))) << writer.error();
}

TEST(SinkWriter, FileAndHashEqualTheBytesAcrossBatchesAndAnUnalignedTail) {
    for (const bool direct : {true, false}) {
        TempDir dir;
        const auto path = dir / "disk.part";
        const std::string data = pattern(3 * SinkWriter::kBatchBytes + 12345);
        File file(path);
        ASSERT_GE(file.fd(), 0);
        std::string sha256;
        {
            SinkWriter writer(file.fd(), path.string(), 0, Sha256(), direct);
            feed(writer, data);
            ASSERT_TRUE(writer.finish(sha256)) << writer.error();
        }
        EXPECT_EQ(sha256, Sha256::of(data)) << "direct " << direct;
        EXPECT_EQ(read_file(path), data) << "direct " << direct;
    }
}

TEST(SinkWriter, ResumesAfterAnUnalignedPrefix) {
    TempDir dir;
    const auto path = dir / "disk.part";
    const std::string all = pattern(2 * SinkWriter::kBatchBytes + 777);
    const size_t kept = 5000;  // not a multiple of the alignment
    { std::ofstream(path, std::ios::binary) << all.substr(0, kept); }
    File file(path);
    Sha256 initial;
    initial.update(all.data(), kept);
    std::string sha256;
    {
        SinkWriter writer(file.fd(), path.string(), kept, std::move(initial), true);
        feed(writer, all.substr(kept), 65536);
        ASSERT_TRUE(writer.finish(sha256)) << writer.error();
    }
    EXPECT_EQ(sha256, Sha256::of(all));
    EXPECT_EQ(read_file(path), all);
}

TEST(SinkWriter, RewindStartsFileAndHashOver) {
    TempDir dir;
    const auto path = dir / "disk.part";
    File file(path);
    std::string sha256;
    {
        SinkWriter writer(file.fd(), path.string(), 0, Sha256(), true);
        feed(writer, pattern(SinkWriter::kBatchBytes * 2 + 5));
        ASSERT_TRUE(writer.rewind()) << writer.error();
        feed(writer, "abc");
        ASSERT_TRUE(writer.finish(sha256)) << writer.error();
    }
    EXPECT_EQ(sha256, Sha256::of("abc"));
    EXPECT_EQ(read_file(path), "abc");
}

TEST(SinkWriter, EmptyInput) {
    TempDir dir;
    const auto path = dir / "empty.part";
    File file(path);
    std::string sha256;
    SinkWriter writer(file.fd(), path.string(), 0, Sha256(), true);
    ASSERT_TRUE(writer.finish(sha256));
    EXPECT_EQ(sha256, Sha256::of(""));
    EXPECT_EQ(read_file(path), "");
}

TEST(SinkWriter, DestroyedWithoutFinishStillWritesEveryAcceptedByte) {
    // A cancelled export keeps what it downloaded, for the resume.
    TempDir dir;
    const auto path = dir / "disk.part";
    const std::string data = pattern(SinkWriter::kBatchBytes + 100 * 1024 + 3);
    File file(path);
    {
        SinkWriter writer(file.fd(), path.string(), 0, Sha256(), true);
        feed(writer, data);
    }
    EXPECT_EQ(read_file(path), data);
}

TEST(SinkWriter, WriteErrorIsReportedWithTheFileName) {
    const int fd = ::open("/dev/full", O_WRONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0) << "/dev/full (always ENOSPC) is needed for this test";
    std::string error;
    {
        SinkWriter writer(fd, "/dev/full", 0, Sha256(), false);
        const std::string data = pattern(SinkWriter::kBatchBytes);
        bool failed = false;
        // The error surfaces once the writer thread has hit it: within a few
        // batches, since only kBuffers can be in flight.
        for (size_t i = 0; i < 4 * SinkWriter::kBuffers && !failed; ++i)
            failed = !writer.write(data.data(), data.size());
        std::string sha256;
        EXPECT_FALSE(writer.finish(sha256));
        error = writer.error();
    }
    ::close(fd);
    EXPECT_NE(error.find("/dev/full"), std::string::npos) << error;
    EXPECT_NE(error.find("No space left"), std::string::npos) << error;
}

TEST(SinkWriter, UsesDirectIoExactlyWhenTheFilesystemHasIt) {
    TempDir dir;
    const auto path = dir / "disk.part";
    File file(path);
    const int probe = ::open((dir / "probe").c_str(), O_RDWR | O_CREAT | O_DIRECT | O_CLOEXEC, 0644);
    const bool filesystem_has_direct = probe >= 0;
    if (probe >= 0) ::close(probe);
    {
        SinkWriter writer(file.fd(), path.string(), 0, Sha256(), true);
        EXPECT_EQ(writer.direct_io(), filesystem_has_direct);
    }
    {
        SinkWriter writer(file.fd(), path.string(), 0, Sha256(), false);
        EXPECT_FALSE(writer.direct_io());
    }
    // The fd is handed back without O_DIRECT.
    EXPECT_EQ(::fcntl(file.fd(), F_GETFL) & O_DIRECT, 0);
}

}  // namespace
}  // namespace hypersdk::core
