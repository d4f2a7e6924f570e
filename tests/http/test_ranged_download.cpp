// ranged_download against the fault server: parallel ranges delivered in
// order within a bounded window, holes as write_zeros, resume from the
// sink's offset, 200-to-Range restarting the sink, integrity checks that
// make a range be fetched again (bounded), and each fault either ending
// with the source's exact bytes or failing clearly with only a .part left.
#include <gtest/gtest.h>
#include <hypersdk/http/ranged_download.hpp>

#include <atomic>
#include <functional>
#include <thread>

#include "fault_server.hpp"
#include "http_test_support.hpp"
#include "temp_dir.hpp"

using namespace hypersdk::http;
using hypersdk::test::Fault;
using hypersdk::test::FaultServer;
using namespace std::chrono_literals;

namespace {

constexpr uint64_t kRange = 256u << 10;

// 4 MiB with data at [0,1M), [1.5M,2.25M), [3M+100, 4M) and zeros between.
struct SparseObject {
    std::string bytes;
    std::vector<Extent> extents;
};

SparseObject sparse_object() {
    SparseObject o;
    o.bytes.assign(4u << 20, '\0');
    const std::vector<Extent> data = {
        {0, 1u << 20, true}, {3u << 19, 3u << 18, true}, {(3u << 20) + 100, (1u << 20) - 100, true}};
    uint32_t seed = 1;
    for (const auto& d : data)
        o.bytes.replace(d.offset, d.length, hypersdk::test::patterned_bytes(d.length, seed++));
    o.extents = extents_from_data_ranges(data, o.bytes.size());
    return o;
}

// The integrity check a cloud gives: the answer's checksum of the range.
std::optional<std::string> checksum_check(const RangeData& r) {
    const auto want = find_header(r.headers, "x-test-sha256");
    if (!want) return "no x-test-sha256 header";
    const std::string got = hypersdk::test::sha256_hex(r.body);
    if (got != *want) return "x-test-sha256 is " + *want + ", the bytes hash to " + got;
    return std::nullopt;
}

class RangedDownload : public ::testing::Test {
protected:
    void SetUp() override { server_.put("/disk.raw", object_.bytes); }

    ClientOptions client_options() {
        ClientOptions o;
        o.tls.ca_file = server_.ca_file();
        o.clock = clock_;
        o.log = log_.fn();
        o.retry.max_attempts = 3;
        // Slow enough for a loaded machine or ThreadSanitizer; the stall tests shorten it.
        o.stall_timeout = 10s;
        o.stall_bytes_per_second = 1000;
        return o;
    }
    RangedDownloadOptions download_options() {
        RangedDownloadOptions o;
        o.workers = 4;
        o.range_size = kRange;
        o.check = checksum_check;
        return o;
    }
    RangeRequestFactory requests() { return range_request_factory(server_.url("/disk.raw")); }

    const SparseObject object_ = sparse_object();
    FaultServer server_;
    std::shared_ptr<hypersdk::test::FakeClock> clock_ = std::make_shared<hypersdk::test::FakeClock>();
    hypersdk::test::LogCapture log_;
    hypersdk::test::TempDir dir_;
};

}  // namespace

TEST_F(RangedDownload, FetchesOnlyDataRangesInParallelAndWritesHoles) {
    Client client(client_options());
    hypersdk::test::PartFileSink sink(dir_ / "disk.raw");
    const RangedDownloadResult r =
        ranged_download(client, requests(), object_.extents, sink, download_options());
    sink.commit();
    EXPECT_EQ(hypersdk::test::sha256_hex(hypersdk::test::read_file(dir_ / "disk.raw")),
              hypersdk::test::sha256_hex(object_.bytes));
    EXPECT_EQ(r.size, object_.bytes.size());
    EXPECT_EQ(r.zero_bytes, object_.bytes.size() - (1u << 20) - (3u << 18) - ((1u << 20) - 100));
    EXPECT_EQ(r.bytes_fetched, object_.bytes.size() - r.zero_bytes);
    EXPECT_EQ(sink.zero_bytes(), r.zero_bytes);
    EXPECT_FALSE(r.restarted);
    for (const auto& req : server_.requests()) {
        ASSERT_TRUE(req.range);
        const uint64_t start = std::stoull(req.range->substr(6));
        bool in_data = false;
        for (const auto& e : object_.extents)
            if (e.data && start >= e.offset && start < e.offset + e.length) in_data = true;
        EXPECT_TRUE(in_data) << "a hole was fetched: " << *req.range;
    }
    EXPECT_LE(server_.connections(), 4u);  // one kept-alive connection per worker at most
}

TEST_F(RangedDownload, DeliversInOrderWithinTheWindow) {
    // The sink holds its first write until the workers have filled the
    // window (4 ranges requested), then a little longer: a fifth request
    // would break the memory bound. Afterwards no request may start more
    // than the window past what the sink has.
    struct HeldSink : hypersdk::test::MemorySink {
        std::function<void()> before_first_write;
        std::atomic<uint64_t> written{0};
        void write(const char* data, size_t size) override {
            if (before_first_write) std::exchange(before_first_write, nullptr)();
            MemorySink::write(data, size);
            written = bytes.size();
        }
        void write_zeros(uint64_t size) override {
            MemorySink::write_zeros(size);
            written = bytes.size();
        }
    } sink;
    size_t requests_while_held = 0;
    sink.before_first_write = [&] {
        const auto deadline = std::chrono::steady_clock::now() + 20s;
        while (server_.requests().size() < 4 && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(10ms);
        std::this_thread::sleep_for(300ms);  // room for a request that should not come
        requests_while_held = server_.requests().size();
    };
    std::atomic<uint64_t> worst_lead{0};
    server_.on_request([&](const hypersdk::test::RecordedRequest& req) {
        const uint64_t start = std::stoull(req.range->substr(6));
        const uint64_t written = sink.written.load();
        if (start > written) worst_lead = std::max<uint64_t>(worst_lead.load(), start - written);
    });
    Client client(client_options());
    ranged_download(client, requests(), hypersdk::http::whole_object(object_.bytes.size()), sink,
                    download_options());
    EXPECT_TRUE(sink.bytes == object_.bytes);
    EXPECT_EQ(requests_while_held, 4u) << "the workers did not fill the window, or went past it";
    EXPECT_EQ(worst_lead.load(), 3 * kRange) << "a worker ran further ahead than the window allows";
}

TEST_F(RangedDownload, ResumesFromTheSinkOffset) {
    hypersdk::test::PartFileSink first(dir_ / "disk.raw");
    const uint64_t kept = (3u << 19) + 12345;  // inside the second data extent
    first.write(object_.bytes.data(), 1u << 20);
    first.write_zeros((3u << 19) - (1u << 20));
    first.write(object_.bytes.data() + (3u << 19), 12345);
    ASSERT_EQ(first.offset(), kept);
    hypersdk::test::PartFileSink sink(dir_ / "disk.raw");  // reopened: a resume
    ASSERT_EQ(sink.offset(), kept);
    Client client(client_options());
    const RangedDownloadResult r =
        ranged_download(client, requests(), object_.extents, sink, download_options());
    sink.commit();
    EXPECT_EQ(r.resumed_from, kept);
    EXPECT_TRUE(hypersdk::test::read_file(dir_ / "disk.raw") == object_.bytes);
    const auto requests = server_.requests();
    ASSERT_FALSE(requests.empty());
    // The range holding the resume point is fetched whole (a block checksum
    // covers all of it) and only its tail written; nothing before it is fetched.
    const std::string resumed_range =
        "bytes=" + std::to_string(3u << 19) + "-" + std::to_string((3u << 19) + kRange - 1);
    EXPECT_TRUE(std::any_of(requests.begin(), requests.end(),
                            [&](const auto& req) { return req.range == resumed_range; }));
    for (const auto& req : requests) EXPECT_GE(std::stoull(req.range->substr(6)), 3u << 19) << *req.range;
}

TEST_F(RangedDownload, ALargerPartialFileIsRefused) {
    hypersdk::test::MemorySink sink;
    sink.bytes.assign(object_.bytes.size() + 1, 'x');
    Client client(client_options());
    try {
        ranged_download(client, requests(), object_.extents, sink, download_options());
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("more than the 4194304 bytes of the source"), std::string::npos)
            << e.what();
    }
}

TEST_F(RangedDownload, AServerIgnoringRangeRestartsTheSinkAndKeepsHoles) {
    server_.add({.kind = Fault::Kind::ignore_range, .times = 1000});
    hypersdk::test::PartFileSink first(dir_ / "disk.raw");
    first.write("stale", 5);  // a partial file the restart must not append to
    hypersdk::test::PartFileSink sink(dir_ / "disk.raw");
    Client client(client_options());
    const RangedDownloadResult r =
        ranged_download(client, requests(), object_.extents, sink, download_options());
    sink.commit();
    EXPECT_TRUE(r.restarted);
    EXPECT_EQ(sink.rewinds(), 1);
    EXPECT_TRUE(hypersdk::test::read_file(dir_ / "disk.raw") == object_.bytes);
    EXPECT_EQ(r.zero_bytes, object_.bytes.size() - (1u << 20) - (3u << 18) - ((1u << 20) - 100));
}

TEST_F(RangedDownload, ACorruptRangeIsFetchedAgain) {
    server_.add({.kind = Fault::Kind::corrupt, .range_start = kRange * 2});
    Client client(client_options());
    hypersdk::test::MemorySink sink;
    const RangedDownloadResult r =
        ranged_download(client, requests(), object_.extents, sink, download_options());
    EXPECT_TRUE(sink.bytes == object_.bytes);
    EXPECT_EQ(r.integrity_failures, 1);
    int fetched = 0;
    for (const auto& req : server_.requests())
        if (req.range == "bytes=" + std::to_string(kRange * 2) + "-" + std::to_string(kRange * 3 - 1))
            ++fetched;
    EXPECT_EQ(fetched, 2);
    EXPECT_NE(log_.text().find("failed its integrity check"), std::string::npos) << log_.text();
}

TEST_F(RangedDownload, ARangeThatKeepsFailingItsCheckFailsTheDownload) {
    server_.add({.kind = Fault::Kind::corrupt, .times = 100, .range_start = kRange});
    Client client(client_options());
    hypersdk::test::PartFileSink sink(dir_ / "disk.raw");
    try {
        ranged_download(client, requests(), object_.extents, sink, download_options());
        FAIL() << "corrupt bytes were accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::integrity) << e.what();
        EXPECT_NE(std::string(e.what()).find("(bytes 262144-524287) failed its integrity check 3 times"),
                  std::string::npos)
            << e.what();
    }
    // Only what came before the bad range reached the sink, never the bad bytes.
    EXPECT_LE(sink.offset(), kRange);
    EXPECT_TRUE(object_.bytes.substr(0, sink.offset()) ==
                hypersdk::test::read_file(sink.part_path()).substr(0, sink.offset()));
    EXPECT_FALSE(std::filesystem::exists(dir_ / "disk.raw"));
}

TEST_F(RangedDownload, CancellationStopsAllWorkers) {
    server_.add({.kind = Fault::Kind::stall, .times = 100, .bytes = 1000, .stall = 10000ms});
    Client client(client_options());
    hypersdk::test::MemorySink sink;
    RangedDownloadOptions o = download_options();
    const auto start = std::chrono::steady_clock::now();
    o.is_cancelled = [&] { return std::chrono::steady_clock::now() - start > 300ms; };
    try {
        ranged_download(client, requests(), object_.extents, sink, o);
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::cancelled) << e.what();
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
}

TEST_F(RangedDownload, ProgressIsReported) {
    Client client(client_options());
    hypersdk::test::MemorySink sink;
    RangedDownloadOptions o = download_options();
    std::vector<std::pair<uint64_t, uint64_t>> seen;
    o.progress = [&](uint64_t done, uint64_t total) { seen.emplace_back(done, total); };
    ranged_download(client, requests(), object_.extents, sink, o);
    ASSERT_GE(seen.size(), 2u);
    EXPECT_EQ(seen.front().first, 0u);
    EXPECT_EQ(seen.back().first, object_.bytes.size());
    EXPECT_EQ(seen.back().second, object_.bytes.size());
    for (size_t i = 1; i < seen.size(); ++i) EXPECT_GE(seen[i].first, seen[i - 1].first);
}

// Every fault of the server: the download either ends with the source's
// exact bytes, or fails saying what happened and leaves only the .part.
struct FaultCase {
    const char* name;
    Fault fault;
    bool completes;
    const char* message;  // in the error when it does not complete
};

class RangedDownloadFault : public RangedDownload, public ::testing::WithParamInterface<FaultCase> {};

TEST_P(RangedDownloadFault, CompletesExactlyOrFailsLeavingOnlyThePart) {
    const FaultCase& c = GetParam();
    server_.add(c.fault);
    ClientOptions options = client_options();
    if (c.fault.kind == Fault::Kind::stall) options.stall_timeout = 1s;
    Client client(options);
    const auto final_path = dir_ / "disk.raw";
    bool completed = false;
    {
        hypersdk::test::PartFileSink sink(final_path);
        try {
            ranged_download(client, requests(), object_.extents, sink, download_options());
            sink.commit();
            completed = true;
        } catch (const Error& e) {
            EXPECT_FALSE(c.completes) << c.name << ": " << e.what();
            EXPECT_NE(std::string(e.what()).find(c.message), std::string::npos) << c.name << ": " << e.what();
        }
    }
    EXPECT_EQ(completed, c.completes) << c.name;
    if (completed) {
        EXPECT_EQ(hypersdk::test::sha256_hex(hypersdk::test::read_file(final_path)),
                  hypersdk::test::sha256_hex(object_.bytes))
            << c.name;
        EXPECT_FALSE(std::filesystem::exists(final_path.string() + ".part"));
    } else {
        EXPECT_FALSE(std::filesystem::exists(final_path)) << c.name;
        ASSERT_TRUE(std::filesystem::exists(final_path.string() + ".part")) << c.name;
        const std::string partial = hypersdk::test::read_file(final_path.string() + ".part");
        EXPECT_TRUE(object_.bytes.substr(0, partial.size()) == partial)
            << c.name << ": the .part holds wrong bytes";
    }
}

INSTANTIATE_TEST_SUITE_P(
    Faults, RangedDownloadFault,
    ::testing::Values(
        FaultCase{
            "drop_once", {.kind = Fault::Kind::drop_after, .bytes = 1000, .range_start = kRange}, true, ""},
        FaultCase{"drop_always",
                  {.kind = Fault::Kind::drop_after, .times = 1000, .bytes = 0, .range_start = kRange * 3},
                  false,
                  "(bytes 786432-1048575)"},
        FaultCase{"throttled_twice",
                  {.kind = Fault::Kind::status, .times = 2, .status = 429, .headers = {{"Retry-After", "1"}}},
                  true,
                  ""},
        FaultCase{"unavailable_always",
                  {.kind = Fault::Kind::status, .times = 1000, .status = 503},
                  false,
                  "HTTP 503"},
        FaultCase{"ignore_range", {.kind = Fault::Kind::ignore_range, .times = 1000}, true, ""},
        FaultCase{"corrupt_once", {.kind = Fault::Kind::corrupt, .range_start = 0}, true, ""},
        FaultCase{"corrupt_always",
                  {.kind = Fault::Kind::corrupt, .times = 1000, .range_start = 0},
                  false,
                  "failed its integrity check 3 times"},
        FaultCase{"stall_once", {.kind = Fault::Kind::stall, .bytes = 5000, .stall = 4000ms}, true, ""},
        FaultCase{
            "truncated_cleanly", {.kind = Fault::Kind::truncate_clean, .times = 2, .bytes = 100}, true, ""},
        FaultCase{"handshake_cut", {.kind = Fault::Kind::handshake_close, .times = 2}, true, ""},
        FaultCase{"handshake_cut_always",
                  {.kind = Fault::Kind::handshake_close, .times = 1000},
                  false,
                  "TLS handshake"}),
    [](const ::testing::TestParamInfo<FaultCase>& info) { return std::string(info.param.name); });
