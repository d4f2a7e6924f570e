#include "hypersdk/core/file_hasher.hpp"

#include "hypersdk/core/sha256.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <hypersdk/manifest/regular_file.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <memory>
#include <system_error>
#include <thread>

namespace hypersdk::core {

namespace {

// Page-aligned so the kernel can copy whole pages (and O_DIRECT stays an
// option later without changing callers).
constexpr size_t kBufferAlignment = 4096;

struct FreeDeleter {
    void operator()(void* memory) const { std::free(memory); }
};

std::unique_ptr<char, FreeDeleter> allocate_aligned(size_t bytes) {
    const size_t rounded = (bytes + kBufferAlignment - 1) / kBufferAlignment * kBufferAlignment;
    void* memory = std::aligned_alloc(kBufferAlignment, rounded);
    if (memory == nullptr) throw std::bad_alloc();
    return std::unique_ptr<char, FreeDeleter>(static_cast<char*>(memory));
}

bool is_cancelled(const std::atomic<bool>* cancel) {
    return cancel != nullptr && cancel->load(std::memory_order_relaxed);
}

}  // namespace

FileHash hash_file(const std::filesystem::path& path, const FileHashOptions& options) {
    // Only a regular file has an end: /dev/zero would be hashed forever, and
    // opening a FIFO would block.
    const manifest::RegularFileReader file(path);
    const uint64_t total = static_cast<uint64_t>(file.size());
    // Doubles the kernel's read-ahead window: I/O overlaps with hashing.
    ::posix_fadvise(file.fd(), 0, 0, POSIX_FADV_SEQUENTIAL);

    const size_t buffer_bytes = std::max<size_t>(options.buffer_bytes, kBufferAlignment);
    const auto buffer = allocate_aligned(buffer_bytes);
    Sha256 hasher;
    uint64_t done = 0;
    while (true) {
        if (is_cancelled(options.cancel)) throw HashCancelled();
        const ssize_t got = ::read(file.fd(), buffer.get(), buffer_bytes);
        if (got < 0) {
            if (errno == EINTR) continue;
            throw std::system_error(errno, std::generic_category(), "cannot read " + path.string());
        }
        if (got == 0) break;
        hasher.update(buffer.get(), static_cast<size_t>(got));
        done += static_cast<uint64_t>(got);
        if (options.progress) options.progress(done, std::max(total, done));
    }
    return FileHash{hasher.finish(), done};
}

std::vector<FileHashOutcome> hash_files(const std::vector<std::filesystem::path>& paths,
                                        const ParallelHashOptions& options) {
    std::vector<FileHashOutcome> outcomes(paths.size());
    std::atomic<size_t> next_index{0};

    auto worker = [&] {
        // Each worker takes the next file until none is left.
        for (size_t index = next_index++; index < paths.size(); index = next_index++) {
            FileHashOutcome& outcome = outcomes[index];
            outcome.path = paths[index];
            FileHashOptions file_options;
            file_options.buffer_bytes = options.buffer_bytes;
            file_options.cancel = options.cancel;
            if (options.progress)
                file_options.progress = [&, index](uint64_t done, uint64_t total) {
                    options.progress(index, done, total);
                };
            try {
                outcome.hash = hash_file(paths[index], file_options);
            } catch (const HashCancelled&) {
                outcome.cancelled = true;
                outcome.error = "cancelled";
            } catch (const std::exception& error) {
                outcome.error = error.what();
            }
        }
    };

    unsigned parallel =
        options.max_parallel != 0 ? options.max_parallel : std::thread::hardware_concurrency();
    parallel = std::clamp<unsigned>(parallel, 1, static_cast<unsigned>(std::max<size_t>(paths.size(), 1)));
    std::vector<std::thread> threads;
    for (unsigned i = 1; i < parallel; ++i) threads.emplace_back(worker);
    worker();  // the calling thread works too
    for (std::thread& thread : threads) thread.join();
    return outcomes;
}

}  // namespace hypersdk::core
