// bench/download's client: the shared transport's ranged parallel download
// (hypersdk_http) of an object made of data and holes, into core's own
// FileSinkFactory (".part", SHA-256 while writing, holes left as holes,
// rename on commit), as a provider plugin's export writes a disk.
//
//   bench_ranged_download URL CA_FILE SIZE DATA_BYTES HOLE_BYTES WORKERS RANGE_BYTES OUT_DIR
//
// The object is DATA_BYTES of data, HOLE_BYTES of zeros, repeated up to SIZE
// (the extents a cloud's block list would give). Prints one line of
// key=value: seconds, bytes_fetched, zero_bytes, sha256.
#include <hypersdk/core/file_sink.hpp>
#include <hypersdk/core/job.hpp>
#include <hypersdk/http/client.hpp>
#include <hypersdk/http/extents.hpp>
#include <hypersdk/http/ranged_download.hpp>
#include <hypersdk/http/sink.hpp>

#include <chrono>
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

namespace {

namespace core = hypersdk::core;
namespace http = hypersdk::http;

// core's sink as the transport's sink; any failed call throws.
class CoreSinkAdapter final : public http::Sink {
public:
    explicit CoreSinkAdapter(core::Sink& sink) : sink_(sink) {}
    void write(const char* data, size_t size) override { check(sink_.write(data, size), "write"); }
    void write_zeros(uint64_t size) override { check(sink_.write_zeros(size), "write_zeros"); }
    void rewind() override { check(sink_.rewind(), "rewind"); }
    uint64_t offset() const override { return sink_.offset(); }

private:
    static void check(int32_t status, const char* what) {
        if (status != HYPERSDK_OK)
            throw std::runtime_error(std::string("sink ") + what + " failed: status " +
                                     std::to_string(status));
    }
    core::Sink& sink_;
};

std::vector<http::Extent> data_and_holes(uint64_t size, uint64_t data, uint64_t hole) {
    std::vector<http::Extent> data_ranges;
    for (uint64_t at = 0; at < size; at += data + hole)
        data_ranges.push_back({at, std::min(data, size - at), true});
    return http::extents_from_data_ranges(data_ranges, size);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 9) {
        std::cerr << "usage: bench_ranged_download URL CA_FILE SIZE DATA_BYTES HOLE_BYTES WORKERS "
                     "RANGE_BYTES OUT_DIR\n";
        return 2;
    }
    try {
        const std::string url = argv[1];
        const uint64_t size = std::stoull(argv[3]);
        const auto extents = data_and_holes(size, std::stoull(argv[4]), std::stoull(argv[5]));

        http::ClientOptions client_options;
        client_options.tls.ca_file = argv[2];
        http::Client client(client_options);

        core::FileSinkOptions sink_options;
        sink_options.resume = false;
        core::FileSinkFactory files(argv[8], sink_options);
        core::Job job("bench");
        std::unique_ptr<core::Sink> sink;
        const std::string artifact =
            R"({"kind":"disk","id":"disk-0","file_name":"object.raw","format":"raw","exact_bytes":)" +
            std::to_string(size) + "}";
        if (files.open(job, artifact, sink) != HYPERSDK_OK)
            throw std::runtime_error("sink_open refused: " + job.error()->message);
        CoreSinkAdapter adapter(*sink);

        http::RangedDownloadOptions options;
        options.workers = std::stoi(argv[6]);
        options.range_size = std::stoull(argv[7]);
        const auto began = std::chrono::steady_clock::now();
        const auto result =
            http::ranged_download(client, http::range_request_factory(url), extents, adapter, options);
        const int32_t closed = sink->close(HYPERSDK_OK);
        sink.reset();
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
        if (closed != HYPERSDK_OK) throw std::runtime_error("commit failed: " + files.last_error());
        const auto records = files.records();
        std::printf("seconds=%.3f bytes_fetched=%llu zero_bytes=%llu ranges=%d sha256=%s\n", seconds,
                    static_cast<unsigned long long>(result.bytes_fetched),
                    static_cast<unsigned long long>(result.zero_bytes), result.ranges,
                    records.empty() ? "none" : records.front().sha256.c_str());
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "bench_ranged_download: " << e.what() << "\n";
        return 1;
    }
}
