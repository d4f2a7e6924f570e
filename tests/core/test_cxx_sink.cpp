// The C++ wrapper's Sink::write_zeros (sdk/include/hypersdk/cxx/plugin.hpp)
// as a 1.1 plugin uses it: through the host's sink_write_zeros slot when the
// table has it, and as plain zeros through sink_write on a host table cut to
// the 1.0 size.
#include <hypersdk/core/host_table.hpp>
#include <hypersdk/core/job.hpp>
#include <hypersdk/cxx/plugin.hpp>

#include <gtest/gtest.h>

#include <cstddef>
#include <string>

using hypersdk::core::HostTable;
using hypersdk::core::Job;
using hypersdk::core::Sink;
using hypersdk::core::SinkFactory;

namespace {

// A sink that remembers how its bytes arrived.
struct Recorded {
    uint64_t written = 0;  // bytes through write()
    bool only_zeros_written = true;
    uint64_t zeros_as_holes = 0;  // bytes through write_zeros()
    bool committed = false;
};

class RecordingSink final : public Sink {
public:
    explicit RecordingSink(Recorded& recorded) : recorded_(recorded) {}
    uint64_t offset() const override { return recorded_.written + recorded_.zeros_as_holes; }
    int32_t write(const void* data, size_t length) override {
        const auto* bytes = static_cast<const unsigned char*>(data);
        for (size_t i = 0; i < length; ++i) recorded_.only_zeros_written &= bytes[i] == 0;
        recorded_.written += length;
        return HYPERSDK_OK;
    }
    int32_t write_zeros(uint64_t length) override {
        recorded_.zeros_as_holes += length;
        return HYPERSDK_OK;
    }
    int32_t rewind() override { return HYPERSDK_OK; }
    int32_t close(int32_t status) override {
        recorded_.committed = status == HYPERSDK_OK;
        return HYPERSDK_OK;
    }

private:
    Recorded& recorded_;
};

class RecordingFactory final : public SinkFactory {
public:
    int32_t open(Job&, std::string_view, std::unique_ptr<Sink>& out) override {
        out = std::make_unique<RecordingSink>(recorded);
        return HYPERSDK_OK;
    }
    Recorded recorded;
};

// Writes 3 data bytes and a million zeros through the wrapper with `host`.
Recorded run_plugin_code(const hypersdk_host* host) {
    RecordingFactory factory;
    Job job;
    job.set_sink_factory(&factory);
    hypersdk::cxx::set_host(host);
    {
        const hypersdk::cxx::Job plugin_job(job.handle());
        hypersdk::cxx::Sink sink(plugin_job,
                                 R"({"kind":"disk","id":"d","file_name":"d.raw","format":"raw"})");
        const char zeros[3] = {};
        sink.write(zeros, sizeof zeros);
        sink.write_zeros(1000003);
        EXPECT_EQ(sink.offset(), 1000006u);
        sink.commit();
    }
    hypersdk::cxx::set_host(nullptr);
    return factory.recorded;
}

TEST(CxxSinkWriteZeros, UsesTheHostSlotOnA11Host) {
    const HostTable table("org.example.test", "/x.so");
    const Recorded recorded = run_plugin_code(table.get());
    EXPECT_EQ(recorded.written, 3u);
    EXPECT_EQ(recorded.zeros_as_holes, 1000003u);
    EXPECT_TRUE(recorded.committed);
}

TEST(CxxSinkWriteZeros, FallsBackToWritingZerosOnA10Host) {
    const HostTable table("org.example.test", "/x.so");
    // The table an ABI 1.0 host hands out: it ends before sink_write_zeros.
    hypersdk_host old_host = *table.get();
    old_host.struct_size = static_cast<uint32_t>(offsetof(hypersdk_host, sink_write_zeros));
    ASSERT_FALSE(HYPERSDK_HOST_HAS(&old_host, sink_write_zeros));
    const Recorded recorded = run_plugin_code(&old_host);
    EXPECT_EQ(recorded.zeros_as_holes, 0u);
    EXPECT_EQ(recorded.written, 1000006u);
    EXPECT_TRUE(recorded.only_zeros_written);
    EXPECT_TRUE(recorded.committed);
}

}  // namespace
