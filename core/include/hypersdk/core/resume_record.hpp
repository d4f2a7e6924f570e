// The resume record kept beside each export ".part": which source the bytes
// came from. A ".part" is resumed only when its record exists and every field
// equals what the provider asks for now; otherwise the sink starts over. The
// record is written before the first byte and removed when the file commits.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hypersdk::files {
class Directory;
}

namespace hypersdk::core {

// "<file_name>.resume.json". Sink file names ending in it are refused, so no
// provider file can collide with a record.
inline constexpr std::string_view kResumeRecordSuffix = ".resume.json";
std::string resume_record_name(std::string_view file_name);

struct ResumeRecord {
    std::string provider;  // the provider plugin's id
    std::string vm;        // the VM as the request named it
    std::string kind;      // the artifact as sink_open described it
    std::string id;
    std::string file_name;
    std::string format;
    std::optional<uint64_t> expected_bytes;
    std::optional<uint64_t> exact_bytes;
    std::optional<std::string> source_key;
};

std::string resume_record_to_json(const ResumeRecord& record);

// nullopt when `json` is not a complete record of this version (a torn write
// after a crash reads as no record: the .part is started over).
std::optional<ResumeRecord> parse_resume_record(std::string_view json);

// Empty when equal, else the names of the fields that differ ("source_key",
// "expected_bytes and source_key"): never their values.
std::string resume_record_differences(const ResumeRecord& stored, const ResumeRecord& wanted);

// Reads the record of `file_name` in `dir` (never through a symlink, at most
// 64 KiB). nullopt with `problem` set when there is none or it is unusable.
std::optional<ResumeRecord> read_resume_record(const files::Directory& dir, std::string_view file_name,
                                               std::string& problem);

// Writes the record exclusively (a stale one is removed first, never
// followed) and fsyncs it. Throws files::Error.
void write_resume_record(const files::Directory& dir, const ResumeRecord& record, mode_t mode);

}  // namespace hypersdk::core
