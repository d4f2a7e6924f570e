#include "http_test_support.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace hypersdk::test {
namespace {

[[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error(what + ": " + std::strerror(errno));
}

}  // namespace

PartFileSink::PartFileSink(std::filesystem::path final_path)
    : final_(std::move(final_path)), part_(final_.string() + ".part") {
    fd_ = ::open(part_.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd_ < 0) fail("open " + part_.string());
    const off_t size = ::lseek(fd_, 0, SEEK_END);
    if (size < 0) fail("lseek");
    offset_ = static_cast<uint64_t>(size);
}

PartFileSink::~PartFileSink() {
    if (fd_ >= 0) ::close(fd_);
}

void PartFileSink::write(const char* data, size_t size) {
    while (size > 0) {
        const ssize_t n = ::write(fd_, data, size);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail("write " + part_.string());
        }
        data += n;
        size -= static_cast<size_t>(n);
        offset_ += static_cast<uint64_t>(n);
    }
}

void PartFileSink::write_zeros(uint64_t size) {
    // The file's length covers the hole at once, so a resume starts after it.
    offset_ += size;
    if (::ftruncate(fd_, static_cast<off_t>(offset_.load())) != 0 ||
        ::lseek(fd_, static_cast<off_t>(offset_.load()), SEEK_SET) < 0)
        fail("extend " + part_.string());
    zero_bytes_ += size;
}

void PartFileSink::rewind() {
    if (::ftruncate(fd_, 0) != 0 || ::lseek(fd_, 0, SEEK_SET) < 0) fail("truncate " + part_.string());
    offset_ = 0;
    ++rewinds_;
}

void PartFileSink::commit() {
    if (::fsync(fd_) != 0) fail("fsync");
    ::close(fd_);
    fd_ = -1;
    std::filesystem::rename(part_, final_);
}

std::chrono::steady_clock::time_point FakeClock::now() {
    std::lock_guard lock(mutex_);
    return steady_;
}

std::chrono::system_clock::time_point FakeClock::wall_now() {
    std::lock_guard lock(mutex_);
    return wall_;
}

bool FakeClock::sleep_for(std::chrono::milliseconds delay, const http::CancelFn& cancelled) {
    if (cancelled && cancelled()) return false;
    std::lock_guard lock(mutex_);
    sleeps_.push_back(delay);
    steady_ += delay;
    wall_ += delay;
    return true;
}

std::vector<std::chrono::milliseconds> FakeClock::sleeps() const {
    std::lock_guard lock(mutex_);
    return sleeps_;
}

http::LogFn LogCapture::fn() {
    return [this](http::LogLevel, const std::string& line) {
        std::lock_guard lock(mutex);
        lines.push_back(line);
    };
}

std::string LogCapture::text() const {
    std::lock_guard lock(mutex);
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::string patterned_bytes(size_t size, uint32_t seed) {
    std::string out(size, '\0');
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < size; ++i) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        out[i] = static_cast<char>((x & 0xFF) | 1);  // never a zero byte
    }
    return out;
}

}  // namespace hypersdk::test
