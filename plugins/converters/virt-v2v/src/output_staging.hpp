// Where virt-v2v -o local writes, and how its files become ours. virt-v2v
// names its outputs after -on (<name>-sda, <name>-sdb, ..., <name>.xml) and
// writes them in place, so it is pointed at a fresh private directory inside
// the output directory (same filesystem); once it succeeded each file is
// moved to its final name with one rename that never replaces an existing
// file (renameat2 RENAME_NOREPLACE, else link + unlink). Only when replacing
// is allowed (the user's --force, or a file the host's record says this job
// wrote before) an existing file is swapped out instead
// (renameat2 RENAME_EXCHANGE), the old one parked in the staging directory
// until the run is kept. If anything fails the files already moved are
// removed again and every parked file is swapped back, and the staging
// directory goes away with whatever virt-v2v left in it, so a failed run
// leaves the output directory as it found it.
#pragma once

#include <sys/types.h>
#include <hypersdk/files/directory.hpp>

#include <memory>
#include <string>
#include <vector>

namespace hypersdk::virt_v2v {

// A file's identity (device, inode), as the host compares source disks.
struct FileIdentity {
    dev_t dev = 0;
    ino_t ino = 0;
    bool operator==(const FileIdentity&) const = default;
};

struct ReplacePolicy {
    bool allowed = false;                      // the host's --force: existing outputs may be replaced
    std::vector<std::string> earlier_outputs;  // these may be (absolute paths): this job's earlier run's
    std::vector<FileIdentity> never_replace;   // the source disks: never, not even a link to one
};

class OutputStaging {
public:
    // Creates <output_dir>/.virt-v2v-XXXXXX (mkdtemp: new, 0700, then `mode`).
    // Throws cxx::Error(HYPERSDK_ERR_IO).
    OutputStaging(const std::string& output_dir, mode_t mode, ReplacePolicy replace = {});
    ~OutputStaging();  // removes the staging directory, and the moved files unless kept
    OutputStaging(const OutputStaging&) = delete;
    OutputStaging& operator=(const OutputStaging&) = delete;

    const std::string& path() const { return path_; }
    const files::Directory& directory() const { return *staging_; }

    // virt-v2v's disk files for `name` (<name>-sda, -sdb, ..., -sdaa), in
    // drive order.
    std::vector<std::string> disk_files(const std::string& name) const;

    // Moves <staging>/<from> (a regular file with one link) to
    // <output dir>/<to>. Throws cxx::Error: HYPERSDK_ERR_STATE when <to>
    // exists and may not be replaced (replacing not allowed; a directory or
    // other special file; a source disk or a link to one; a file system
    // without RENAME_EXCHANGE), HYPERSDK_ERR_IO otherwise.
    void move_out(const std::string& from, const std::string& to);

    // Why <output dir>/<name> may not be replaced under `replace`, or ""
    // (also "" when it does not exist). For refusing before the tool runs.
    static std::string replace_refusal(const files::Directory& output, const std::string& name,
                                       const ReplacePolicy& replace);

    // The moved files stay (the conversion succeeded); the renames are made durable.
    void keep();

private:
    struct Moved {
        std::string name;
        std::string parked_as;  // the replaced file's name in staging, "" when nothing was replaced
        dev_t dev;
        ino_t ino;
    };
    ReplacePolicy replace_;
    std::string path_;
    std::unique_ptr<files::Directory> output_;
    std::unique_ptr<files::Directory> staging_;
    std::vector<Moved> moved_;
    bool kept_ = false;
    bool parked_left_ = false;  // a replaced file could not be put back: staging (holding it) stays
};

}  // namespace hypersdk::virt_v2v
