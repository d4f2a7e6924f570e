// HashPipeline: SHA-256 on a worker thread equals the one-shot hash, across
// batch boundaries, after reset(), and when starting from a resumed state.
#include <hypersdk/core/export_hash_pipeline.hpp>

#include <gtest/gtest.h>

#include <string>

namespace hypersdk::core {
namespace {

std::string pattern(size_t bytes) {
    std::string data(bytes, '\0');
    for (size_t i = 0; i < bytes; ++i) data[i] = static_cast<char>((i * 7919) % 253);
    return data;
}

TEST(HashPipeline, EqualsOneShotHashAcrossBatchesAndBackPressure) {
    const std::string data = pattern(3 * HashPipeline::kMaxQueuedBytes + 12345);
    HashPipeline pipeline{Sha256()};
    for (size_t at = 0; at < data.size(); at += 16381)
        pipeline.update(data.data() + at, std::min<size_t>(16381, data.size() - at));
    EXPECT_EQ(pipeline.finish(), Sha256::of(data));
}

TEST(HashPipeline, ResetStartsOver) {
    HashPipeline pipeline{Sha256()};
    const std::string junk = pattern(HashPipeline::kBatchBytes * 3 + 5);
    pipeline.update(junk.data(), junk.size());
    pipeline.reset();
    pipeline.update("abc", 3);
    EXPECT_EQ(pipeline.finish(), Sha256::of("abc"));
}

TEST(HashPipeline, ContinuesFromAnInitialState) {
    Sha256 initial;
    initial.update("hello ");
    HashPipeline pipeline(std::move(initial));
    pipeline.update("world", 5);
    EXPECT_EQ(pipeline.finish(), Sha256::of("hello world"));
}

TEST(HashPipeline, EmptyInput) {
    HashPipeline pipeline{Sha256()};
    EXPECT_EQ(pipeline.finish(), Sha256::of(""));
}

}  // namespace
}  // namespace hypersdk::core
