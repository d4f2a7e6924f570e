// Where virt-v2v -o local writes, and how its files become ours. virt-v2v
// names its outputs after -on (<name>-sda, <name>-sdb, ..., <name>.xml) and
// writes them in place, so it is pointed at a fresh private directory inside
// the output directory (same filesystem); once it succeeded each file is
// moved to its final name with one rename that never replaces an existing
// file (renameat2 RENAME_NOREPLACE, else link + unlink). If anything fails the
// files already moved are removed again, and the staging directory goes away
// with whatever virt-v2v left in it, so a failed run leaves nothing behind.
#pragma once

#include <sys/types.h>
#include <hypersdk/files/directory.hpp>

#include <memory>
#include <string>
#include <vector>

namespace hypersdk::virt_v2v {

class OutputStaging {
public:
    // Creates <output_dir>/.virt-v2v-XXXXXX (mkdtemp: new, 0700, then `mode`).
    // Throws cxx::Error(HYPERSDK_ERR_IO).
    OutputStaging(const std::string& output_dir, mode_t mode);
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
    // exists, HYPERSDK_ERR_IO otherwise.
    void move_out(const std::string& from, const std::string& to);

    // The moved files stay (the conversion succeeded); the renames are made durable.
    void keep();

private:
    struct Moved {
        std::string name;
        dev_t dev;
        ino_t ino;
    };
    std::string path_;
    std::unique_ptr<files::Directory> output_;
    std::unique_ptr<files::Directory> staging_;
    std::vector<Moved> moved_;
    bool kept_ = false;
};

}  // namespace hypersdk::virt_v2v
