// The streaming .tar.gz reader: disk.raw comes out byte for byte with its
// zero blocks as holes whatever the chunking of the compressed input, and
// every malformed archive is refused with a message saying why.
#include <gtest/gtest.h>

#include <random>

#include "errors.hpp"
#include "http_test_support.hpp"
#include "targz_builder.hpp"
#include "targz_disk.hpp"

namespace hypersdk::gcp {
namespace {

using test::gzip;
using test::make_tar;
using test::TarMember;

// 1 MiB of data, 2 MiB of zeros, 5000 bytes of data (an unaligned end).
std::string sample_disk() {
    std::mt19937 random(7);
    std::string disk;
    for (int i = 0; i < (1 << 20); ++i) disk += static_cast<char>(random() & 0xff);
    disk.append(2u << 20, '\0');
    for (int i = 0; i < 5000; ++i) disk += static_cast<char>(random() & 0xff);
    return disk;
}

void feed_in_chunks(TarGzDiskReader& reader, const std::string& archive, size_t chunk) {
    for (size_t at = 0; at < archive.size(); at += chunk)
        reader.feed(archive.data() + at, std::min(chunk, archive.size() - at));
}

std::string archive_error(const std::string& archive) {
    hypersdk::test::MemorySink out;
    TarGzDiskReader reader(out, "gs://b/disk.tar.gz");
    try {
        feed_in_chunks(reader, archive, 4096);
        reader.finish();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::archive);
        return e.what();
    }
    return "";
}

TEST(TarGzDisk, UnpacksDiskRawWithHolesWhateverTheChunking) {
    const std::string disk = sample_disk();
    const std::string archive = gzip(make_tar({TarMember{.data = disk}}));
    for (size_t chunk : {size_t(1), size_t(511), size_t(4096), size_t(1) << 20, archive.size()}) {
        if (chunk == 1 && archive.size() > (2u << 20)) continue;
        hypersdk::test::MemorySink out;
        TarGzDiskReader reader(out, "gs://b/disk.tar.gz");
        feed_in_chunks(reader, archive, chunk == 1 ? 3 : chunk);
        reader.finish();
        EXPECT_EQ(out.bytes, disk) << "chunk " << chunk;
        EXPECT_EQ(reader.disk_size(), disk.size());
        // The 2 MiB run of zeros is 64 KiB-aligned: all of it is a hole.
        EXPECT_EQ(out.zero_bytes, 2u << 20) << "chunk " << chunk;
    }
}

TEST(TarGzDisk, PaxAndBase256SizesAndConcatenatedGzipMembers) {
    const std::string disk = sample_disk();
    {
        hypersdk::test::MemorySink out;
        TarGzDiskReader reader(out, "pax");
        feed_in_chunks(reader, gzip(make_tar({TarMember{.data = disk, .pax_size = true}})), 65536);
        reader.finish();
        EXPECT_EQ(out.bytes, disk);
    }
    {
        hypersdk::test::MemorySink out;
        TarGzDiskReader reader(out, "base256");
        feed_in_chunks(reader, gzip(make_tar({TarMember{.data = disk, .base256_size = true}})), 65536);
        reader.finish();
        EXPECT_EQ(out.bytes, disk);
    }
    {
        // pigz/pgzip-style: the tar split over two gzip members.
        const std::string tar = make_tar({TarMember{.data = disk}});
        const std::string archive = gzip(tar.substr(0, 700000)) + gzip(tar.substr(700000));
        hypersdk::test::MemorySink out;
        TarGzDiskReader reader(out, "two members");
        feed_in_chunks(reader, archive, 10000);
        reader.finish();
        EXPECT_EQ(out.bytes, disk);
    }
}

TEST(TarGzDisk, SkipsWhatAnEarlierAttemptAlreadyWrote) {
    const std::string disk = sample_disk();
    hypersdk::test::MemorySink out;
    out.bytes = disk.substr(0, 300001);
    TarGzDiskReader reader(out, "resume", out.bytes.size());
    feed_in_chunks(reader, gzip(make_tar({TarMember{.data = disk}})), 8192);
    reader.finish();
    EXPECT_EQ(out.bytes, disk);
}

TEST(TarGzDisk, RefusesTruncatedArchives) {
    const std::string archive = gzip(make_tar({TarMember{.data = sample_disk()}}));
    for (size_t cut : {size_t(10), archive.size() / 3, archive.size() - 9}) {
        const std::string message = archive_error(archive.substr(0, cut));
        EXPECT_NE(message.find("truncated"), std::string::npos) << cut << ": " << message;
    }
}

TEST(TarGzDisk, RefusesCorruptGzip) {
    std::string archive = gzip(make_tar({TarMember{.data = sample_disk()}}));
    archive[archive.size() / 2] ^= 0x55;
    archive[archive.size() / 2 + 1] ^= 0x55;
    const std::string message = archive_error(archive);
    EXPECT_NE(message.find("gs://b/disk.tar.gz"), std::string::npos) << message;
    EXPECT_FALSE(message.empty());
}

TEST(TarGzDisk, RefusesAnythingButOneRegularDiskRaw) {
    const std::string data(4096, 'x');
    struct Case {
        std::string archive, expect;
    };
    const std::vector<Case> cases = {
        {gzip(make_tar({TarMember{.name = "etc/passwd", .data = data}})), "only disk.raw"},
        {gzip(make_tar({TarMember{.name = "../disk.raw", .data = data}})), "only disk.raw"},
        {gzip(make_tar({TarMember{.type = '2', .data = ""}})), "type '2'"},
        {gzip(make_tar({TarMember{.type = 'S', .data = data}})), "sparse"},
        {gzip(make_tar({TarMember{.data = data}, TarMember{.name = "disk2.raw", .data = data}})),
         "more than one"},
        {gzip(make_tar({TarMember{.data = data, .corrupt_checksum = true}})), "checksum"},
        {gzip(std::string(2048, '\0')), "before disk.raw"},
        {gzip("not a tar archive at all, just text that goes on for a while" + std::string(600, 'y')),
         "checksum"},
    };
    for (const auto& c : cases) {
        const std::string message = archive_error(c.archive);
        EXPECT_NE(message.find(c.expect), std::string::npos) << c.expect << " vs " << message;
    }
}

TEST(TarGzDisk, SinkRewindStartsOver) {
    const std::string disk = sample_disk();
    const std::string archive = gzip(make_tar({TarMember{.data = disk}}));
    hypersdk::test::MemorySink out;
    TarGzDiskSink sink(out, "rewind");
    sink.write(archive.data(), archive.size() / 2);
    sink.rewind();
    EXPECT_EQ(sink.offset(), 0u);
    sink.write(archive.data(), archive.size());
    sink.reader().finish();
    EXPECT_EQ(out.bytes, disk);
}

// Hostile archives: bytes flipped, cut or inserted anywhere in the compressed
// stream, or in the tar's header and trailer (then compressed validly). The
// reader either refuses (Error(archive)) or yields exactly the original disk
// (gzip's CRC-32 guards the content; tar has no checksum over its data, so the
// tar's data area is left alone); it never crashes or hangs.
TEST(TarGzDisk, MutatedArchivesAreRefusedOrExact) {
    std::mt19937 random(13);
    std::string disk(256 * 1024, '\0');
    for (size_t i = 0; i < 64 * 1024; ++i) disk[i] = static_cast<char>(random() & 0xff);
    const std::string tar = make_tar({TarMember{.data = disk}});
    const std::string archive = gzip(tar);
    const size_t data_end = 512 + disk.size();
    int refused = 0;
    for (int round = 0; round < 400; ++round) {
        const bool in_tar = round % 2 == 1;
        std::string bytes = in_tar ? tar : archive;
        const auto where = [&]() -> size_t {
            if (!in_tar) return random() % bytes.size();
            return random() % 2 ? random() % 512 : data_end + random() % (bytes.size() - data_end);
        };
        switch (random() % 3) {
            case 0:
                for (int n = 1 + random() % 4; n > 0; --n)
                    bytes[where()] ^= static_cast<char>(1 + random() % 255);
                break;
            case 1:
                bytes.resize(where());
                break;
            default:
                bytes.insert(where(), std::string(1 + random() % 600, static_cast<char>(random() & 0xff)));
        }
        if (in_tar) bytes = gzip(bytes);
        hypersdk::test::MemorySink out;
        TarGzDiskReader reader(out, "fuzz");
        try {
            feed_in_chunks(reader, bytes, 1 + random() % 70000);
            reader.finish();
            EXPECT_TRUE(out.bytes == disk) << "round " << round << " accepted different bytes";
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::archive) << e.what();
            EXPECT_LE(out.bytes.size(), disk.size());
            ++refused;
        }
    }
    EXPECT_GT(refused, 200);
}

}  // namespace
}  // namespace hypersdk::gcp
