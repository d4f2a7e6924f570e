// What the transport's tests share: a sink that writes "<name>.part" and
// renames it only on commit (as the host does), a sink in memory, and a
// clock that records the waits instead of sleeping.
#pragma once

#include <hypersdk/http/clock.hpp>
#include <hypersdk/http/log.hpp>
#include <hypersdk/http/sink.hpp>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

namespace hypersdk::test {

class PartFileSink : public http::Sink {
public:
    // Opens (never through a symlink) or resumes "<final>.part", mode 0600.
    explicit PartFileSink(std::filesystem::path final_path);
    ~PartFileSink() override;

    void write(const char* data, size_t size) override;
    void write_zeros(uint64_t size) override;  // a hole: the file is extended, not written
    void rewind() override;
    uint64_t offset() const override { return offset_.load(); }
    void commit();  // fsync, rename to the final name

    std::filesystem::path part_path() const { return part_; }
    uint64_t zero_bytes() const { return zero_bytes_; }
    int rewinds() const { return rewinds_; }

private:
    std::filesystem::path final_, part_;
    int fd_ = -1;
    std::atomic<uint64_t> offset_{0};
    uint64_t zero_bytes_ = 0;
    int rewinds_ = 0;
};

class MemorySink : public http::Sink {
public:
    void write(const char* data, size_t size) override { bytes.append(data, size); }
    void write_zeros(uint64_t size) override {
        bytes.append(size, '\0');
        zero_bytes += size;
    }
    void rewind() override {
        bytes.clear();
        ++rewinds;
    }
    uint64_t offset() const override { return bytes.size(); }

    std::string bytes;
    uint64_t zero_bytes = 0;
    int rewinds = 0;
};

// Time moves only when the code under test waits; every wait is recorded.
class FakeClock : public http::Clock {
public:
    std::chrono::steady_clock::time_point now() override;
    std::chrono::system_clock::time_point wall_now() override;
    bool sleep_for(std::chrono::milliseconds delay, const http::CancelFn& cancelled) override;
    std::vector<std::chrono::milliseconds> sleeps() const;

private:
    mutable std::mutex mutex_;
    std::chrono::steady_clock::time_point steady_ = std::chrono::steady_clock::now();
    std::chrono::system_clock::time_point wall_ = std::chrono::system_clock::now();
    std::vector<std::chrono::milliseconds> sleeps_;
};

// Every log line, for tests that read what the transport said.
struct LogCapture {
    http::LogFn fn();
    std::string text() const;
    mutable std::mutex mutex;
    std::vector<std::string> lines;
};

std::string read_file(const std::filesystem::path& path);
// Bytes that differ everywhere (no run of zeros), reproducible from `seed`.
std::string patterned_bytes(size_t size, uint32_t seed);

}  // namespace hypersdk::test
