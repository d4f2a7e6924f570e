// Streaming SHA-256 and the file hasher: published vectors, streaming equals
// one-shot equals `openssl dgst -sha256`, progress, cancellation, and
// several files hashed in parallel.
#include <sys/stat.h>
#include <hypersdk/core/file_hasher.hpp>
#include <hypersdk/core/sha256.hpp>
#include <hypersdk/manifest/regular_file.hpp>

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "manifest_test_support.hpp"

namespace {

using namespace hypersdk::core;
using manifest_test::TempDir;
namespace fs = std::filesystem;

constexpr const char* kEmptySha256 =
    "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::string pseudo_random_bytes(size_t size, uint32_t seed) {
    std::mt19937 random(seed);
    std::string data(size, '\0');
    for (char& c : data) c = static_cast<char>(random() & 0xff);
    return data;
}

std::string openssl_sha256(const fs::path& path) {
    const auto result =
        manifest_test::run_command("openssl dgst -sha256 -r " + manifest_test::shell_quote(path.string()));
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return "sha256:" + result.out.substr(0, 64);
}

TEST(Sha256, PublishedVectors) {
    EXPECT_EQ(Sha256::of(""), kEmptySha256);
    EXPECT_EQ(Sha256::of("abc"), "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(Sha256::of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
              "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    EXPECT_EQ(Sha256::of(std::string(1000000, 'a')),
              "sha256:cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, StreamingEqualsOneShotForEveryChunking) {
    const std::string data = pseudo_random_bytes(100000, 1);
    const std::string expected = Sha256::of(data);
    for (size_t chunk : {1u, 3u, 63u, 64u, 65u, 4096u, 99999u}) {
        Sha256 hasher;
        for (size_t offset = 0; offset < data.size(); offset += chunk)
            hasher.update(std::string_view(data).substr(offset, chunk));
        EXPECT_EQ(hasher.bytes_hashed(), data.size());
        EXPECT_EQ(hasher.finish(), expected) << "chunk " << chunk;
    }
}

TEST(Sha256, FinishResetsForReuseAndMoveKeepsState) {
    Sha256 hasher;
    hasher.update("ab");
    Sha256 moved = std::move(hasher);
    moved.update("c");
    EXPECT_EQ(moved.finish(), Sha256::of("abc"));
    EXPECT_EQ(moved.bytes_hashed(), 0u);
    EXPECT_EQ(moved.finish(), kEmptySha256);
    EXPECT_THROW(hasher.update("x"), std::logic_error);  // NOLINT(bugprone-use-after-move): tested on purpose
}

TEST(FileHasher, MatchesOneShotAndOpensslOnAMultiMebibyteFile) {
    TempDir dir;
    const std::string data = pseudo_random_bytes((9u << 20) + 123, 2);
    manifest_test::write_file(dir / "disk.raw", data);
    const std::string expected = Sha256::of(data);
    EXPECT_EQ(openssl_sha256(dir / "disk.raw"), expected);
    EXPECT_EQ(hash_file(dir / "disk.raw").checksum, expected);
    EXPECT_EQ(hash_file(dir / "disk.raw").bytes, data.size());
    FileHashOptions small_buffers;
    small_buffers.buffer_bytes = 4097;  // not a multiple of anything
    EXPECT_EQ(hash_file(dir / "disk.raw", small_buffers).checksum, expected);
}

TEST(FileHasher, EmptyFile) {
    TempDir dir;
    manifest_test::write_file(dir / "empty", "");
    const FileHash hash = hash_file(dir / "empty");
    EXPECT_EQ(hash.checksum, kEmptySha256);
    EXPECT_EQ(hash.bytes, 0u);
}

TEST(FileHasher, ReportsMonotonicProgressEndingAtTheSize) {
    TempDir dir;
    const size_t size = (3u << 20) + 5;
    manifest_test::write_file(dir / "f", pseudo_random_bytes(size, 3));
    std::vector<std::pair<uint64_t, uint64_t>> reports;
    FileHashOptions options;
    options.buffer_bytes = 1u << 20;
    options.progress = [&](uint64_t done, uint64_t total) { reports.emplace_back(done, total); };
    hash_file(dir / "f", options);
    ASSERT_EQ(reports.size(), 4u);
    for (size_t i = 1; i < reports.size(); ++i) EXPECT_GT(reports[i].first, reports[i - 1].first);
    EXPECT_EQ(reports.back(), std::make_pair(uint64_t{size}, uint64_t{size}));
}

TEST(FileHasher, CancelStopsBetweenReads) {
    TempDir dir;
    manifest_test::write_file(dir / "f", pseudo_random_bytes(4u << 20, 4));
    std::atomic<bool> cancel{false};
    int buffers = 0;
    FileHashOptions options;
    options.buffer_bytes = 1u << 20;
    options.cancel = &cancel;
    options.progress = [&](uint64_t, uint64_t) {
        ++buffers;
        cancel = true;
    };
    EXPECT_THROW(hash_file(dir / "f", options), HashCancelled);
    EXPECT_EQ(buffers, 1);
}

TEST(FileHasher, ErrorsNameTheFile) {
    TempDir dir;
    try {
        hash_file(dir / "absent.vmdk");
        FAIL() << "hashed a file that does not exist";
    } catch (const std::system_error& error) {
        EXPECT_NE(std::string(error.what()).find("absent.vmdk"), std::string::npos) << error.what();
        EXPECT_EQ(error.code().value(), ENOENT);
    }
}

// Only a regular file has an end: a manifest naming /dev/zero hashed forever,
// and opening a FIFO blocked until a writer came.
TEST(FileHasher, RefusesEverythingButRegularFiles) {
    TempDir dir;
    const fs::path fifo = dir / "disk.fifo";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    for (const auto& [path, kind] : std::vector<std::pair<fs::path, std::string>>{
             {"/dev/zero", "a character device"}, {fifo, "a FIFO"}, {dir.path(), "a directory"}}) {
        try {
            hash_file(path);
            ADD_FAILURE() << "hashed " << path;
        } catch (const hypersdk::manifest::UnreadableFileError& error) {
            EXPECT_EQ(std::string(error.what()),
                      "cannot read " + path.string() + ": it is " + kind + ", not a regular file");
        }
    }
    const auto outcomes = hash_files({"/dev/zero", fifo});
    ASSERT_EQ(outcomes.size(), 2u);
    EXPECT_FALSE(outcomes[0].ok());
    EXPECT_NE(outcomes[1].error.find("it is a FIFO, not a regular file"), std::string::npos)
        << outcomes[1].error;
    // A link to a regular file is one.
    manifest_test::write_file(dir / "disk.raw", "abc");
    fs::create_symlink(dir / "disk.raw", dir / "link.raw");
    EXPECT_EQ(hash_file(dir / "link.raw").bytes, 3u);
}

TEST(FileHasher, HashesSeveralFilesInParallel) {
    TempDir dir;
    std::vector<fs::path> paths;
    std::vector<std::string> expected;
    for (uint32_t i = 0; i < 5; ++i) {
        const std::string data = pseudo_random_bytes((1u << 20) * (i + 1) + i, 10 + i);
        paths.push_back(dir / ("disk-" + std::to_string(i)));
        manifest_test::write_file(paths.back(), data);
        expected.push_back(Sha256::of(data));
    }
    paths.insert(paths.begin() + 2, dir / "missing");

    std::mutex mutex;
    std::map<size_t, uint64_t> last_done;
    std::set<std::thread::id> threads;
    ParallelHashOptions options;
    options.max_parallel = 3;
    options.buffer_bytes = 256u << 10;
    options.progress = [&](size_t index, uint64_t done, uint64_t) {
        std::lock_guard lock(mutex);
        EXPECT_GE(done, last_done[index]);
        last_done[index] = done;
        threads.insert(std::this_thread::get_id());
    };
    const auto outcomes = hash_files(paths, options);
    ASSERT_EQ(outcomes.size(), 6u);
    EXPECT_FALSE(outcomes[2].ok());
    EXPECT_NE(outcomes[2].error.find("missing"), std::string::npos) << outcomes[2].error;
    EXPECT_FALSE(outcomes[2].cancelled);
    for (size_t i = 0, k = 0; i < outcomes.size(); ++i) {
        EXPECT_EQ(outcomes[i].path, paths[i]);
        if (i == 2) continue;
        ASSERT_TRUE(outcomes[i].ok()) << outcomes[i].error;
        EXPECT_EQ(outcomes[i].hash->checksum, expected[k]) << i;
        EXPECT_EQ(last_done[i], fs::file_size(paths[i]));
        ++k;
    }
    EXPECT_LE(threads.size(), 3u);
    EXPECT_GE(threads.size(), 1u);
}

TEST(FileHasher, ParallelCancelMarksEveryUnfinishedFile) {
    TempDir dir;
    std::vector<fs::path> paths;
    for (int i = 0; i < 4; ++i) {
        paths.push_back(dir / ("f" + std::to_string(i)));
        manifest_test::write_file(paths.back(), std::string(2u << 20, 'x'));
    }
    std::atomic<bool> cancel{true};  // cancelled before anything starts
    ParallelHashOptions options;
    options.cancel = &cancel;
    for (const auto& outcome : hash_files(paths, options)) {
        EXPECT_FALSE(outcome.ok());
        EXPECT_TRUE(outcome.cancelled);
    }
    EXPECT_TRUE(hash_files({}, options).empty());
}

}  // namespace
