// FileSinkFactory: the sinks an export writes into (hypersdk_host.sink_* in
// host.h). Each sink is "<dir>/<file_name>.part" until it is closed with
// HYPERSDK_OK; only then is it fsynced, renamed to its final name and
// recorded, so a file without ".part" is always complete. Bytes are hashed
// while they are written (SinkWriter), so a disk's SHA-256 costs no second
// read. A write error may surface on a later write or at close.
//
// Files are created under the output directory's descriptor, exclusively and
// never through a symlink (hypersdk_files), with the factory's mode (0600 by
// default). Beside each ".part" a resume record (resume_record.hpp) says
// which source it came from: an existing ".part" is resumed only when that
// record matches the artifact now being opened; otherwise it is started over
// and a job warning says why. A sink whose artifact gave exact_bytes refuses
// to commit with any other byte count (a truncated download is not a disk).
#pragma once

#include <hypersdk/files/directory.hpp>
#include <hypersdk/files/file_modes.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hypersdk/core/job.hpp"
#include "hypersdk/core/sha256.hpp"

namespace hypersdk::core {

// NAME_MAX (255) less the longest name the host adds: "<name>.resume.json".
inline constexpr size_t kMaxSinkFileNameBytes = 243;
// A source_key is an identity, not a document.
inline constexpr size_t kMaxSourceKeyBytes = 4096;

// The artifact_json a provider passes to sink_open, checked.
struct SinkArtifact {
    std::string kind;       // "disk" or "descriptor"
    std::string id;         // disks: ^[A-Za-z0-9_-]+$; descriptors: optional
    std::string file_name;  // a bare file name
    std::string format;     // disks: one of kDiskSourceFormats
    std::optional<uint64_t> expected_bytes;
    std::optional<uint64_t> exact_bytes;    // ABI 1.1: the size the source announced for certain
    std::optional<std::string> source_key;  // ABI 1.1: what identifies these exact source bytes
};

// Parses and checks artifact_json. On failure returns nullopt and sets
// `error` to a message naming the bad field.
std::optional<SinkArtifact> parse_sink_artifact(std::string_view artifact_json, std::string& error);

// Empty when `name` is a usable bare file name, else why not: no '/', not
// "." or "..", valid UTF-8 without control characters (C0, DEL, C1), at most
// kMaxSinkFileNameBytes, and none of the names the host writes itself (the
// manifest, the conversion record, "*.part", "*.resume.json").
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

struct FileSinkOptions {
    bool resume = true;      // keep a ".part" of an earlier run when its resume record matches
    bool direct_io = true;   // disk bytes bypass the page cache where the filesystem allows
    files::FileModes modes;  // 0600 unless group-readable
    // The resume record's identity of the source: the provider plugin's id
    // and the VM as the request named it.
    std::string provider;
    std::string vm;
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

    // `dir` must exist (it is opened once; throws files::Error). With
    // `resume`, a ".part" left by an earlier run for the same source is kept
    // (hashed once) and the provider continues after its last byte;
    // otherwise it is removed and started over. With `direct_io`, disk bytes
    // bypass the page cache where the filesystem allows (sink_writer.hpp).
    FileSinkFactory(std::filesystem::path dir, FileSinkOptions options, Observer observer = {});
    FileSinkFactory(std::filesystem::path dir, bool resume, Observer observer = {}, bool direct_io = true);

    int32_t open(Job& job, std::string_view artifact_json, std::unique_ptr<Sink>& out) override;

    // The committed sinks, in commit order. Thread-safe.
    std::vector<SinkRecord> records() const;

    const std::filesystem::path& directory() const { return dir_.path(); }

    // The last error a sink reported (empty when none). A provider's own
    // message for the failed call it saw may replace the job's error.
    std::string last_error() const;

private:
    friend class FileSink;
    void commit(SinkRecord record, size_t index);
    void release(const std::string& file_name, size_t index);
    void note_error(const std::string& message);
    // Opens (resuming) or creates the ".part" of `artifact`; sets offset and
    // hash to what it already holds. Throws files::Error.
    files::UniqueFd open_part(Job& job, const SinkArtifact& artifact, uint64_t& offset, Sha256& hash);
    // Why the existing ".part" of `artifact` must not be resumed ("" = it may).
    std::string resume_refusal(const SinkArtifact& artifact) const;

    files::Directory dir_;
    FileSinkOptions options_;
    Observer observer_;
    mutable std::mutex mutex_;
    size_t next_index_ = 0;
    std::vector<std::string> open_names_;
    std::vector<SinkRecord> records_;
    std::string last_error_;
};

}  // namespace hypersdk::core
