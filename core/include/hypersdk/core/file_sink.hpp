// FileSinkFactory: the sinks an export writes into (hypersdk_host.sink_* in
// host.h). Each sink is "<dir>/<file_name>.part" until it is closed with
// HYPERSDK_OK; only then is it fsynced, renamed to its final name and
// recorded, so a file without ".part" is always complete. Bytes are hashed
// while they are written (SinkWriter), so a disk's SHA-256 costs no second
// read. A write error may surface on a later write or at close.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hypersdk/core/job.hpp"

namespace hypersdk::core {

inline constexpr size_t kMaxSinkFileNameBytes = 255;

// The artifact_json a provider passes to sink_open, checked.
struct SinkArtifact {
    std::string kind;       // "disk" or "descriptor"
    std::string id;         // disks: ^[A-Za-z0-9_-]+$; descriptors: optional
    std::string file_name;  // a bare file name
    std::string format;     // disks: one of kDiskSourceFormats
    std::optional<uint64_t> expected_bytes;
};

// Parses and checks artifact_json. On failure returns nullopt and sets
// `error` to a message naming the bad field.
std::optional<SinkArtifact> parse_sink_artifact(std::string_view artifact_json, std::string& error);

// Empty when `name` is a usable bare file name, else why not.
std::string check_sink_file_name(std::string_view name);

// What a committed sink produced.
struct SinkRecord {
    std::string kind;
    std::string id;
    std::string file_name;
    std::string format;
    std::filesystem::path path;  // final path in the output directory
    uint64_t bytes = 0;
    std::string sha256;  // "sha256:<64 hex>"
};

class FileSinkFactory : public SinkFactory {
public:
    // Called when a sink opens (index counts sinks in open order; resumed
    // bytes already in the .part), after each write, and at close.
    struct Observer {
        std::function<void(size_t index, const SinkArtifact& artifact, uint64_t resumed_bytes)> opened;
        std::function<void(size_t index, uint64_t bytes)> progress;
        std::function<void(size_t index, bool committed)> closed;
    };

    // `dir` must exist. With `resume`, a ".part" left by an earlier run is
    // kept (hashed once) and the provider continues after its last byte;
    // without it, the ".part" is truncated. With `direct_io`, disk bytes
    // bypass the page cache where the filesystem allows (sink_writer.hpp).
    FileSinkFactory(std::filesystem::path dir, bool resume, Observer observer = {}, bool direct_io = true);

    int32_t open(Job& job, std::string_view artifact_json, std::unique_ptr<Sink>& out) override;

    // The committed sinks, in commit order. Thread-safe.
    std::vector<SinkRecord> records() const;

    const std::filesystem::path& directory() const { return dir_; }

private:
    friend class FileSink;
    void commit(SinkRecord record, size_t index);
    void release(const std::string& file_name, size_t index);

    std::filesystem::path dir_;
    bool resume_;
    bool direct_io_;
    Observer observer_;
    mutable std::mutex mutex_;
    size_t next_index_ = 0;
    std::vector<std::string> open_names_;
    std::vector<SinkRecord> records_;
};

}  // namespace hypersdk::core
