// The bridge to the host's sinks: holes reach a 1.1 host through
// sink_write_zeros and a 1.0 host (a table without that slot) as zero bytes;
// an uncommitted sink is closed with a failure status (the host keeps the
// .part); SinkAdapter uses a wrapped sink's own write_zeros when it has one.
#include <gtest/gtest.h>
#include <hypersdk/http/host_sink.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace {

struct HostState {
    std::string bytes;
    std::vector<uint64_t> zero_calls;
    std::vector<size_t> write_sizes;
    std::vector<int32_t> closes;
    int rewinds = 0;
};
HostState* state = nullptr;
hypersdk_sink* const kSink = reinterpret_cast<hypersdk_sink*>(0x5157);

int32_t fake_open(hypersdk_job*, const char*, hypersdk_sink** out) {
    *out = kSink;
    return HYPERSDK_OK;
}
uint64_t fake_offset(hypersdk_sink*) {
    return state->bytes.size();
}
int32_t fake_write(hypersdk_sink*, const void* data, size_t n) {
    state->bytes.append(static_cast<const char*>(data), n);
    state->write_sizes.push_back(n);
    return HYPERSDK_OK;
}
int32_t fake_rewind(hypersdk_sink*) {
    state->bytes.clear();
    ++state->rewinds;
    return HYPERSDK_OK;
}
int32_t fake_close(hypersdk_sink*, int32_t status) {
    state->closes.push_back(status);
    return HYPERSDK_OK;
}
int32_t fake_write_zeros(hypersdk_sink*, uint64_t n) {
    state->bytes.append(n, '\0');
    state->zero_calls.push_back(n);
    return HYPERSDK_OK;
}

hypersdk_host host_table(bool with_zeros_slot) {
    hypersdk_host h{};
    // A 1.0 host's table ends before the 1.1 slot.
    h.struct_size = with_zeros_slot ? sizeof(hypersdk_host) : offsetof(hypersdk_host, sink_write_zeros);
    h.sink_open = fake_open;
    h.sink_offset = fake_offset;
    h.sink_write = fake_write;
    h.sink_rewind = fake_rewind;
    h.sink_close = fake_close;
    h.sink_write_zeros = fake_write_zeros;  // present in memory, but beyond a 1.0 struct_size
    return h;
}

class HostSinkTest : public ::testing::Test {
protected:
    void SetUp() override { state = &state_; }
    void TearDown() override { state = nullptr; }
    HostState state_;
};

}  // namespace

TEST_F(HostSinkTest, HolesUseTheSlotOnA11Host) {
    const hypersdk_host host = host_table(true);
    hypersdk::http::HostSink sink(hypersdk::cxx::Job(nullptr), R"({"kind":"disk"})", &host);
    EXPECT_TRUE(sink.sparse());
    sink.write("ab", 2);
    sink.write_zeros(5u << 20);
    sink.write("c", 1);
    EXPECT_EQ(sink.offset(), 3u + (5u << 20));
    EXPECT_EQ(state_.zero_calls, std::vector<uint64_t>{5u << 20});
    EXPECT_EQ(state_.write_sizes, (std::vector<size_t>{2, 1}));
    sink.commit();
    EXPECT_EQ(state_.closes, std::vector<int32_t>{HYPERSDK_OK});
}

TEST_F(HostSinkTest, HolesAreWrittenAsZerosOnA10Host) {
    const hypersdk_host host = host_table(false);
    hypersdk::http::HostSink sink(hypersdk::cxx::Job(nullptr), R"({"kind":"disk"})", &host);
    EXPECT_FALSE(sink.sparse());
    sink.write_zeros((5u << 20) + 3);
    EXPECT_TRUE(state_.zero_calls.empty());
    EXPECT_EQ(state_.bytes, std::string((5u << 20) + 3, '\0'));
    EXPECT_EQ(state_.write_sizes.size(), 6u);  // 1 MiB blocks: no 5 MiB buffer
    for (size_t n : state_.write_sizes) EXPECT_LE(n, 1u << 20);
}

TEST_F(HostSinkTest, AnUncommittedSinkIsClosedAsFailed) {
    const hypersdk_host host = host_table(true);
    {
        hypersdk::http::HostSink sink(hypersdk::cxx::Job(nullptr), R"({"kind":"disk"})", &host);
        sink.write("x", 1);
        sink.rewind();
    }
    EXPECT_EQ(state_.rewinds, 1);
    ASSERT_EQ(state_.closes.size(), 1u);
    EXPECT_NE(state_.closes[0], HYPERSDK_OK);
}

namespace {

struct PlainSink {  // no write_zeros: the adapter writes zero bytes
    std::string bytes;
    void write(const void* d, size_t n) { bytes.append(static_cast<const char*>(d), n); }
    void rewind() { bytes.clear(); }
    uint64_t offset() const { return bytes.size(); }
};
struct SparseSink : PlainSink {  // has one: the adapter uses it
    uint64_t holes = 0;
    void write_zeros(uint64_t n) {
        holes += n;
        bytes.append(n, '\0');
    }
};

}  // namespace

TEST(SinkAdapter, UsesTheWrappedSinksWriteZerosWhenItHasOne) {
    PlainSink plain;
    hypersdk::http::SinkAdapter<PlainSink> a(plain);
    a.write("ab", 2);
    a.write_zeros(3);
    EXPECT_EQ(plain.bytes, std::string("ab\0\0\0", 5));
    SparseSink sparse;
    hypersdk::http::SinkAdapter<SparseSink> b(sparse);
    b.write_zeros(7);
    EXPECT_EQ(sparse.holes, 7u);
    EXPECT_EQ(b.offset(), 7u);
}
