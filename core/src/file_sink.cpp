#include "hypersdk/core/file_sink.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rapidjson/document.h>
#include <hypersdk/manifest/json_limits.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <regex>
#include <system_error>
#include <vector>

#include "hypersdk/core/conversion_outputs.hpp"
#include "hypersdk/core/manifest.hpp"
#include "hypersdk/core/manifest_validator.hpp"
#include "hypersdk/core/resume_record.hpp"
#include "hypersdk/core/sink_writer.hpp"

namespace hypersdk::core {
namespace {

constexpr size_t kResumeHashBufferBytes = 1u << 20;
constexpr std::string_view kPartSuffix = ".part";

std::string errno_text(int error) {
    return std::generic_category().message(error);
}

bool ends_with(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

bool valid_disk_id(const std::string& id) {
    static const std::regex pattern("^[A-Za-z0-9_-]+$");
    return std::regex_match(id, pattern);
}

// Decodes one UTF-8 code point at `at`; false when the bytes there are not
// valid UTF-8 (overlong forms and surrogates included).
bool next_code_point(std::string_view text, size_t& at, uint32_t& code_point) {
    const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(at);
    size_t length = 0;
    uint32_t minimum = 0;
    if (lead < 0x80) {
        code_point = lead;
        at += 1;
        return true;
    } else if ((lead & 0xE0) == 0xC0) {
        length = 2, code_point = lead & 0x1F, minimum = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
        length = 3, code_point = lead & 0x0F, minimum = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
        length = 4, code_point = lead & 0x07, minimum = 0x10000;
    } else {
        return false;
    }
    if (at + length > text.size()) return false;
    for (size_t i = 1; i < length; ++i) {
        if ((byte(at + i) & 0xC0) != 0x80) return false;
        code_point = (code_point << 6) | (byte(at + i) & 0x3F);
    }
    if (code_point < minimum || code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF))
        return false;
    at += length;
    return true;
}

// Empty, or why `name` holds something a terminal or a log would misread.
std::string check_characters(std::string_view name) {
    for (size_t at = 0; at < name.size();) {
        const size_t start = at;
        uint32_t code_point = 0;
        if (!next_code_point(name, at, code_point))
            return "must be valid UTF-8 (byte " + std::to_string(start) + " is not)";
        if (code_point < 0x20 || code_point == 0x7F || (code_point >= 0x80 && code_point <= 0x9F)) {
            char text[16];
            std::snprintf(text, sizeof text, "U+%04X", static_cast<unsigned>(code_point));
            return "must not contain control characters (" + std::string(text) + " at byte " +
                   std::to_string(start) + ")";
        }
    }
    return {};
}

// The name for a message: control characters, C1 included, escaped.
std::string quote_name(std::string_view name) {
    std::string shown;
    for (size_t at = 0; at < name.size();) {
        const size_t start = at;
        uint32_t code_point = 0;
        if (!next_code_point(name, at, code_point)) {
            char text[8];
            std::snprintf(text, sizeof text, "\\x%02x", static_cast<unsigned char>(name[start]));
            shown += text;
            at = start + 1;
        } else if (code_point >= 0x80 && code_point <= 0x9F) {
            char text[8];
            std::snprintf(text, sizeof text, "\\u%04x", static_cast<unsigned>(code_point));
            shown += text;
        } else {
            shown.append(name.substr(start, at - start));
        }
    }
    return quote_for_message(shown);
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

bool read_size(const rapidjson::Value& object, const char* key, std::optional<uint64_t>& out,
               std::string& error) {
    const auto it = object.FindMember(key);
    if (it == object.MemberEnd()) return true;
    if (!it->value.IsUint64()) {
        error = std::string("artifact \"") + key + "\": expected an integer >= 0";
        return false;
    }
    out = it->value.GetUint64();
    return true;
}

ResumeRecord record_for(const FileSinkOptions& options, const SinkArtifact& artifact) {
    return {options.provider,   options.vm,      artifact.kind,           artifact.id,
            artifact.file_name, artifact.format, artifact.expected_bytes, artifact.exact_bytes,
            artifact.source_key};
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
    if (std::string problem = check_characters(name); !problem.empty()) return problem;
    // Names the host writes itself in the output directory.
    if (name == kManifestFileName) return "is reserved for the manifest";
    if (name == kConversionRecordFileName) return "is reserved for the host's record of conversion outputs";
    if (ends_with(name, kPartSuffix)) return "must not end in \".part\" (reserved for partial files)";
    if (ends_with(name, kResumeRecordSuffix))
        return "must not end in \".resume.json\" (reserved for resume records)";
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
        error = "artifact \"file_name\" " + quote_name(artifact.file_name) + " " + problem;
        return std::nullopt;
    }
    if (artifact.kind == "disk" && std::find(kDiskSourceFormats.begin(), kDiskSourceFormats.end(),
                                             artifact.format) == kDiskSourceFormats.end()) {
        error = "artifact \"format\": expected vmdk, qcow2, raw, vhd, vhdx or vdi, got " +
                quote_for_message(artifact.format);
        return std::nullopt;
    }
    if (!read_size(document, "expected_bytes", artifact.expected_bytes, error) ||
        !read_size(document, "exact_bytes", artifact.exact_bytes, error))
        return std::nullopt;
    if (const auto it = document.FindMember("source_key"); it != document.MemberEnd()) {
        if (!it->value.IsString() || it->value.GetStringLength() == 0 ||
            it->value.GetStringLength() > kMaxSourceKeyBytes) {
            error = "artifact \"source_key\": expected a string of 1 to " +
                    std::to_string(kMaxSourceKeyBytes) + " bytes";
            return std::nullopt;
        }
        artifact.source_key = std::string(it->value.GetString(), it->value.GetStringLength());
    }
    return artifact;
}

// One open ".part" file. Calls on one sink never overlap (host.h), so only
// the factory's shared state needs the lock.
class FileSink final : public Sink {
public:
    FileSink(Job& job, FileSinkFactory& factory, SinkArtifact artifact, size_t index, int fd, uint64_t offset,
             Sha256 hash)
        : job_(job),
          factory_(factory),
          artifact_(std::move(artifact)),
          index_(index),
          fd_(fd),
          part_name_(artifact_.file_name + std::string(kPartSuffix)),
          offset_(offset),
          writer_(std::make_unique<SinkWriter>(fd, factory.dir_.path_of(part_name_).string(), offset,
                                               std::move(hash), factory.options_.direct_io)) {}

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

    int32_t write_zeros(uint64_t length) override {
        if (fd_ < 0) return fail(HYPERSDK_ERR_INVALID_ARGUMENT, "sink is closed");
        if (!writer_->write_zeros(length)) return fail(HYPERSDK_ERR_IO, writer_->error());
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
        const auto give_up = [&](int32_t code, std::string message) {
            factory_.release(artifact_.file_name, index_);
            return fail(code, std::move(message));
        };
        if (!written) {
            ::close(fd);
            return give_up(HYPERSDK_ERR_IO, write_error);
        }
        if (artifact_.exact_bytes && offset_ != *artifact_.exact_bytes) {
            // The source announced its size: anything else is a truncated (or
            // overlong) transfer, never a complete file. The .part stays.
            ::close(fd);
            return give_up(HYPERSDK_ERR_IO, "sink_close: " + part_name_ + ": expected " +
                                                std::to_string(*artifact_.exact_bytes) +
                                                " bytes (the source's exact_bytes), received " +
                                                std::to_string(offset_) +
                                                ": the transfer is incomplete, so nothing is committed; " +
                                                part_name_ + " is kept, run the export again to resume it");
        }
        // Durable before visible: a final name always means complete bytes.
        const bool synced = ::fsync(fd) == 0;
        const int sync_errno = errno;
        const bool closed = ::close(fd) == 0;
        if (!synced || !closed)
            return give_up(HYPERSDK_ERR_IO, "cannot flush " + factory_.dir_.path_of(part_name_).string() +
                                                ": " + errno_text(synced ? errno : sync_errno));
        try {
            // renameat replaces whatever is at the final name (a planted
            // symlink included), never the file a symlink points to.
            factory_.dir_.rename(part_name_, artifact_.file_name);
        } catch (const files::Error& e) {
            return give_up(HYPERSDK_ERR_IO, e.what());
        }
        try {
            factory_.dir_.remove(resume_record_name(artifact_.file_name));
            factory_.dir_.sync();
        } catch (const files::Error&) {
            // The file is complete and renamed; a stale record only makes a
            // later run start that name over.
        }
        SinkRecord record{artifact_.kind,
                          artifact_.id,
                          artifact_.file_name,
                          artifact_.format,
                          factory_.dir_.path_of(artifact_.file_name),
                          offset_,
                          std::move(sha256)};
        factory_.commit(std::move(record), index_);
        return HYPERSDK_OK;
    }

private:
    int32_t fail(int32_t status, std::string message) {
        factory_.note_error(message);
        job_.set_error(status, std::move(message));
        return status;
    }

    Job& job_;
    FileSinkFactory& factory_;
    SinkArtifact artifact_;
    size_t index_;
    int fd_;
    std::string part_name_;
    uint64_t offset_;
    std::unique_ptr<SinkWriter> writer_;  // hashes and writes behind the provider
};

FileSinkFactory::FileSinkFactory(std::filesystem::path dir, FileSinkOptions options, Observer observer)
    : dir_(std::move(dir)), options_(std::move(options)), observer_(std::move(observer)) {}

FileSinkFactory::FileSinkFactory(std::filesystem::path dir, bool resume, Observer observer, bool direct_io)
    : FileSinkFactory(std::move(dir), FileSinkOptions{resume, direct_io, {}, {}, {}}, std::move(observer)) {}

std::string FileSinkFactory::resume_refusal(const SinkArtifact& artifact) const {
    std::string problem;
    const auto stored = read_resume_record(dir_, artifact.file_name, problem);
    if (!stored) return problem;
    const std::string differences = resume_record_differences(*stored, record_for(options_, artifact));
    if (!differences.empty())
        return "it was written for another source (" + differences +
               (differences.find(" and ") == std::string::npos ? " differs)" : " differ)");
    return {};
}

files::UniqueFd FileSinkFactory::open_part(Job& job, const SinkArtifact& artifact, uint64_t& offset,
                                           Sha256& hash) {
    const std::string part = artifact.file_name + std::string(kPartSuffix);
    offset = 0;
    if (dir_.entry_status(part)) {
        std::string refusal = options_.resume ? resume_refusal(artifact) : "resuming is off (--resume=false)";
        files::UniqueFd fd;
        if (refusal.empty()) {
            try {
                fd = dir_.open_regular(part, O_RDWR);
            } catch (const files::Error& e) {
                refusal = e.what();
            }
        }
        if (fd) {
            // Resuming: hash what an earlier run wrote, once, then append after it.
            std::vector<char> buffer(kResumeHashBufferBytes);
            for (;;) {
                const ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
                if (n < 0 && errno == EINTR) continue;
                if (n < 0) throw files::Error(errno, "cannot read " + dir_.path_of(part).string());
                if (n == 0) break;
                hash.update(buffer.data(), static_cast<size_t>(n));
                offset += static_cast<uint64_t>(n);
            }
            if (!artifact.exact_bytes || offset <= *artifact.exact_bytes) return fd;
            refusal = "it holds " + std::to_string(offset) + " bytes, more than the source's exact_bytes (" +
                      std::to_string(*artifact.exact_bytes) + ")";
            fd.reset();
            hash = Sha256();
            offset = 0;
        }
        if (options_.resume)
            job.add_warning("export", "not resuming " + part + ": " + refusal + "; starting it over");
    }
    // Started over: a stale entry is removed (a symlink itself, never its
    // target), the record is written before the first byte, then the .part
    // is created exclusively.
    dir_.remove(part);
    write_resume_record(dir_, record_for(options_, artifact), options_.modes.file);
    files::UniqueFd fd = dir_.create(part, options_.modes.file, O_RDWR);
    dir_.sync();
    return fd;
}

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

    Sha256 hash;
    uint64_t offset = 0;
    files::UniqueFd fd;
    try {
        fd = open_part(job, *artifact, offset, hash);
    } catch (const files::Error& e) {
        release(artifact->file_name, index);
        note_error(e.what());
        job.set_error(HYPERSDK_ERR_IO, std::string("sink_open: ") + e.what());
        return HYPERSDK_ERR_IO;
    }
    if (observer_.opened) observer_.opened(index, *artifact, offset);
    out = std::make_unique<FileSink>(job, *this, std::move(*artifact), index, fd.release(), offset,
                                     std::move(hash));
    return HYPERSDK_OK;
}

std::vector<SinkRecord> FileSinkFactory::records() const {
    std::lock_guard lock(mutex_);
    return records_;
}

std::string FileSinkFactory::last_error() const {
    std::lock_guard lock(mutex_);
    return last_error_;
}

void FileSinkFactory::note_error(const std::string& message) {
    std::lock_guard lock(mutex_);
    last_error_ = message;
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
