// A file as the transport's Sink, for client tests: bytes written at the
// offset, holes left by extending the file (so the result is sparse).
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include <hypersdk/http/sink.hpp>

namespace hypersdk::test {

class FileSink : public http::Sink {
public:
    explicit FileSink(const std::filesystem::path& path)
        : fd_(::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600)) {
        if (fd_ < 0) throw std::runtime_error("cannot create " + path.string());
    }
    ~FileSink() override { ::close(fd_); }
    void write(const char* data, size_t size) override {
        size_t done = 0;
        while (done < size) {
            const ssize_t n = ::pwrite(fd_, data + done, size - done, static_cast<off_t>(offset_ + done));
            if (n <= 0) throw std::runtime_error("pwrite failed");
            done += static_cast<size_t>(n);
        }
        offset_ += size;
    }
    void write_zeros(uint64_t size) override {
        offset_ += size;
        holes_ += size;
        if (::ftruncate(fd_, static_cast<off_t>(offset_)) != 0) throw std::runtime_error("ftruncate failed");
    }
    void rewind() override {
        offset_ = 0;
        if (::ftruncate(fd_, 0) != 0) throw std::runtime_error("ftruncate failed");
    }
    uint64_t offset() const override { return offset_; }
    uint64_t holes() const { return holes_; }

private:
    int fd_;
    uint64_t offset_ = 0;
    uint64_t holes_ = 0;
};

}  // namespace hypersdk::test
