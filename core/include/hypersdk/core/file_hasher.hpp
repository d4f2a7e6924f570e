// SHA-256 of files on disk: large aligned sequential reads, progress,
// cancellation, and several files in parallel (one thread per file, up to N).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace hypersdk::core {

inline constexpr size_t kDefaultHashBufferBytes = 4u << 20;

// Thrown by hash_file() when its cancel flag becomes true.
class HashCancelled : public std::runtime_error {
public:
    HashCancelled() : std::runtime_error("cancelled") {}
};

struct FileHashOptions {
    size_t buffer_bytes = kDefaultHashBufferBytes;
    // Called after every buffer with the bytes hashed so far and the size
    // the file had when opened.
    std::function<void(uint64_t done, uint64_t total)> progress;
    // Polled between reads; setting it stops the hash with HashCancelled.
    const std::atomic<bool>* cancel = nullptr;
};

struct FileHash {
    std::string checksum;  // "sha256:<64 hex>"
    uint64_t bytes = 0;    // bytes hashed
};

// Throws std::system_error (naming the file) on I/O errors,
// manifest::UnreadableFileError when the path is not a regular file (a
// device, FIFO, socket or directory), HashCancelled.
FileHash hash_file(const std::filesystem::path& path, const FileHashOptions& options = {});

struct FileHashOutcome {
    std::filesystem::path path;
    std::optional<FileHash> hash;  // set on success
    std::string error;             // otherwise: what went wrong
    bool cancelled = false;
    bool ok() const { return hash.has_value(); }
};

struct ParallelHashOptions {
    unsigned max_parallel = 0;  // 0: one thread per hardware thread
    size_t buffer_bytes = kDefaultHashBufferBytes;
    // Called from the worker threads (concurrently for different files);
    // file_index is the position in `paths`.
    std::function<void(size_t file_index, uint64_t done, uint64_t total)> progress;
    const std::atomic<bool>* cancel = nullptr;
};

// Hashes every file, at most max_parallel at a time; never throws for a
// single file's failure: each outcome says what happened, in input order.
std::vector<FileHashOutcome> hash_files(const std::vector<std::filesystem::path>& paths,
                                        const ParallelHashOptions& options = {});

}  // namespace hypersdk::core
