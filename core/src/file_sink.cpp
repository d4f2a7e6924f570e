#include "hypersdk/core/file_sink.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rapidjson/document.h>
#include <hypersdk/manifest/json_limits.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <regex>
#include <system_error>
#include <vector>

#include "hypersdk/core/manifest.hpp"
#include "hypersdk/core/manifest_validator.hpp"
#include "hypersdk/core/sha256.hpp"
#include "hypersdk/core/sink_writer.hpp"

namespace hypersdk::core {
namespace {

constexpr size_t kResumeHashBufferBytes = 1u << 20;
constexpr std::string_view kPartSuffix = ".part";

std::string errno_text(int error) {
    return std::generic_category().message(error);
}

bool valid_disk_id(const std::string& id) {
    static const std::regex pattern("^[A-Za-z0-9_-]+$");
    return std::regex_match(id, pattern);
}

// Optional string member; false (with error) when present but not a string.
bool read_string(const rapidjson::Value& object, const char* key, std::string& out, std::string& error) {
    const auto it = object.FindMember(key);
    if (it == object.MemberEnd()) return true;
    if (!it->value.IsString()) {
        error = std::string("artifact \"") + key + "\": expected a string";
        return false;
    }
    out.assign(it->value.GetString(), it->value.GetStringLength());
    return true;
}

void fsync_directory(const std::filesystem::path& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;  // best effort: the rename itself already happened
    ::fsync(fd);
    ::close(fd);
}

}  // namespace

std::string check_sink_file_name(std::string_view name) {
    if (name.empty()) return "must not be empty";
    if (name.size() > kMaxSinkFileNameBytes)
        return "is " + std::to_string(name.size()) + " bytes long (at most " +
               std::to_string(kMaxSinkFileNameBytes) + ")";
    if (name.find('\0') != std::string_view::npos) return "must not contain a NUL byte";
    if (name.find('/') != std::string_view::npos) return "must be a bare file name (no '/')";
    if (name == "." || name == "..") return "must not be \".\" or \"..\"";
    // The manifest is written by the host; a provider must not overwrite it.
    if (name == kManifestFileName) return "is reserved for the manifest";
    return {};
}

std::optional<SinkArtifact> parse_sink_artifact(std::string_view artifact_json, std::string& error) {
    rapidjson::Document document;
    if (!manifest::parse_json_into(document, artifact_json).empty() || !document.IsObject()) {
        error = "artifact_json is not a JSON object";
        return std::nullopt;
    }
    SinkArtifact artifact;
    if (!read_string(document, "kind", artifact.kind, error) ||
        !read_string(document, "id", artifact.id, error) ||
        !read_string(document, "file_name", artifact.file_name, error) ||
        !read_string(document, "format", artifact.format, error))
        return std::nullopt;
    if (artifact.kind != "disk" && artifact.kind != "descriptor") {
        error = "artifact \"kind\": expected \"disk\" or \"descriptor\", got " +
                (document.HasMember("kind") ? quote_for_message(artifact.kind) : std::string("nothing"));
        return std::nullopt;
    }
    if (artifact.kind == "disk" || !artifact.id.empty()) {
        if (!valid_disk_id(artifact.id)) {
            error = "artifact \"id\": expected ^[A-Za-z0-9_-]+$, got " + quote_for_message(artifact.id);
            return std::nullopt;
        }
    }
    if (!document.HasMember("file_name")) {
        error = "artifact \"file_name\" is required";
        return std::nullopt;
    }
    if (const std::string problem = check_sink_file_name(artifact.file_name); !problem.empty()) {
        error = "artifact \"file_name\" " + quote_for_message(artifact.file_name) + " " + problem;
        return std::nullopt;
    }
    if (artifact.kind == "disk" && std::find(kDiskSourceFormats.begin(), kDiskSourceFormats.end(),
                                             artifact.format) == kDiskSourceFormats.end()) {
        error = "artifact \"format\": expected vmdk, qcow2, raw, vhd, vhdx or vdi, got " +
                quote_for_message(artifact.format);
        return std::nullopt;
    }
    if (const auto it = document.FindMember("expected_bytes"); it != document.MemberEnd()) {
        if (!it->value.IsUint64()) {
            error = "artifact \"expected_bytes\": expected an integer >= 0";
            return std::nullopt;
        }
        artifact.expected_bytes = it->value.GetUint64();
    }
    return artifact;
}

// One open ".part" file. Calls on one sink never overlap (host.h), so only
// the factory's shared state needs the lock.
class FileSink final : public Sink {
public:
    FileSink(Job& job, FileSinkFactory& factory, SinkArtifact artifact, size_t index, int fd,
             std::filesystem::path part, uint64_t offset, Sha256 hash)
        : job_(job),
          factory_(factory),
          artifact_(std::move(artifact)),
          index_(index),
          fd_(fd),
          part_(std::move(part)),
          offset_(offset),
          writer_(std::make_unique<SinkWriter>(fd, part_.string(), offset, std::move(hash),
                                               factory.direct_io_)) {}

    ~FileSink() override {
        // Destroyed without close(): keep the .part (with every accepted byte)
        // for a later resume.
        if (fd_ >= 0) {
            writer_.reset();
            ::close(fd_);
            factory_.release(artifact_.file_name, index_);
        }
    }

    uint64_t offset() const override { return offset_; }

    int32_t write(const void* data, size_t length) override {
        if (fd_ < 0) return fail(HYPERSDK_ERR_INVALID_ARGUMENT, "sink is closed");
        if (!writer_->write(data, length)) return fail(HYPERSDK_ERR_IO, writer_->error());
        offset_ += length;
        if (factory_.observer_.progress) factory_.observer_.progress(index_, offset_);
        return HYPERSDK_OK;
    }

    int32_t rewind() override {
        if (fd_ < 0) return fail(HYPERSDK_ERR_INVALID_ARGUMENT, "sink is closed");
        if (!writer_->rewind()) return fail(HYPERSDK_ERR_IO, writer_->error());
        offset_ = 0;
        if (factory_.observer_.progress) factory_.observer_.progress(index_, 0);
        return HYPERSDK_OK;
    }

    int32_t close(int32_t status) override {
        if (fd_ < 0) return fail(HYPERSDK_ERR_INVALID_ARGUMENT, "sink is closed");
        const int fd = fd_;
        fd_ = -1;
        if (status != HYPERSDK_OK) {
            writer_.reset();  // writes what it holds: the .part stays resumable
            ::close(fd);
            factory_.release(artifact_.file_name, index_);
            return HYPERSDK_OK;
        }
        std::string sha256;
        const bool written = writer_->finish(sha256);
        const std::string write_error = writer_->error();
        writer_.reset();
        if (!written) {
            ::close(fd);
            factory_.release(artifact_.file_name, index_);
            return fail(HYPERSDK_ERR_IO, write_error);
        }
        // Durable before visible: a final name always means complete bytes.
        const bool synced = ::fsync(fd) == 0;
        const int sync_errno = errno;
        const bool closed = ::close(fd) == 0;
        if (!synced || !closed) {
            factory_.release(artifact_.file_name, index_);
            return fail(HYPERSDK_ERR_IO,
                        "cannot flush " + part_.string() + ": " + errno_text(synced ? errno : sync_errno));
        }
        const std::filesystem::path final_path = factory_.directory() / artifact_.file_name;
        if (::rename(part_.c_str(), final_path.c_str()) != 0) {
            const int rename_errno = errno;
            factory_.release(artifact_.file_name, index_);
            return fail(HYPERSDK_ERR_IO, "cannot rename " + part_.string() + " to " + final_path.string() +
                                             ": " + errno_text(rename_errno));
        }
        fsync_directory(factory_.directory());
        SinkRecord record{artifact_.kind, artifact_.id, artifact_.file_name, artifact_.format,
                          final_path,     offset_,      std::move(sha256)};
        factory_.commit(std::move(record), index_);
        return HYPERSDK_OK;
    }

private:
    int32_t fail(int32_t status, std::string message) {
        job_.set_error(status, std::move(message));
        return status;
    }

    Job& job_;
    FileSinkFactory& factory_;
    SinkArtifact artifact_;
    size_t index_;
    int fd_;
    std::filesystem::path part_;
    uint64_t offset_;
    std::unique_ptr<SinkWriter> writer_;  // hashes and writes behind the provider
};

FileSinkFactory::FileSinkFactory(std::filesystem::path dir, bool resume, Observer observer, bool direct_io)
    : dir_(std::move(dir)), resume_(resume), direct_io_(direct_io), observer_(std::move(observer)) {}

int32_t FileSinkFactory::open(Job& job, std::string_view artifact_json, std::unique_ptr<Sink>& out) {
    std::string error;
    std::optional<SinkArtifact> artifact = parse_sink_artifact(artifact_json, error);
    if (!artifact) {
        job.set_error(HYPERSDK_ERR_INVALID_ARGUMENT, "sink_open: " + error);
        return HYPERSDK_ERR_INVALID_ARGUMENT;
    }
    size_t index = 0;
    {
        std::lock_guard lock(mutex_);
        const auto same_name = [&](const std::string& name) { return name == artifact->file_name; };
        const bool committed = std::any_of(records_.begin(), records_.end(),
                                           [&](const SinkRecord& r) { return same_name(r.file_name); });
        if (committed || std::any_of(open_names_.begin(), open_names_.end(), same_name)) {
            job.set_error(HYPERSDK_ERR_INVALID_ARGUMENT,
                          "sink_open: artifact \"file_name\" " + quote_for_message(artifact->file_name) +
                              " is already " + (committed ? "written" : "open") + " in this export");
            return HYPERSDK_ERR_INVALID_ARGUMENT;
        }
        open_names_.push_back(artifact->file_name);
        index = next_index_++;
    }

    const std::filesystem::path part = dir_ / (artifact->file_name + std::string(kPartSuffix));
    const int flags = O_RDWR | O_CREAT | O_CLOEXEC | (resume_ ? 0 : O_TRUNC);
    const int fd = ::open(part.c_str(), flags, 0644);
    if (fd < 0) {
        const int open_errno = errno;
        release(artifact->file_name, index);
        job.set_error(HYPERSDK_ERR_IO, "cannot create " + part.string() + ": " + errno_text(open_errno));
        return HYPERSDK_ERR_IO;
    }
    // Resuming: hash what an earlier run wrote, once, then append after it.
    Sha256 hash;
    uint64_t offset = 0;
    std::vector<char> buffer(kResumeHashBufferBytes);
    for (;;) {
        const ssize_t n = ::read(fd, buffer.data(), buffer.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int read_errno = errno;
            ::close(fd);
            release(artifact->file_name, index);
            job.set_error(HYPERSDK_ERR_IO, "cannot read " + part.string() + ": " + errno_text(read_errno));
            return HYPERSDK_ERR_IO;
        }
        if (n == 0) break;
        hash.update(buffer.data(), static_cast<size_t>(n));
        offset += static_cast<uint64_t>(n);
    }
    if (observer_.opened) observer_.opened(index, *artifact, offset);
    out = std::make_unique<FileSink>(job, *this, std::move(*artifact), index, fd, part, offset,
                                     std::move(hash));
    return HYPERSDK_OK;
}

std::vector<SinkRecord> FileSinkFactory::records() const {
    std::lock_guard lock(mutex_);
    return records_;
}

void FileSinkFactory::commit(SinkRecord record, size_t index) {
    {
        std::lock_guard lock(mutex_);
        open_names_.erase(std::find(open_names_.begin(), open_names_.end(), record.file_name));
        records_.push_back(std::move(record));
    }
    if (observer_.closed) observer_.closed(index, true);
}

void FileSinkFactory::release(const std::string& file_name, size_t index) {
    {
        std::lock_guard lock(mutex_);
        const auto it = std::find(open_names_.begin(), open_names_.end(), file_name);
        if (it != open_names_.end()) open_names_.erase(it);
    }
    if (observer_.closed) observer_.closed(index, false);
}

}  // namespace hypersdk::core
