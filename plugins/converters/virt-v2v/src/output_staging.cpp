#include "output_staging.hpp"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <hypersdk/cxx/plugin.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace hypersdk::virt_v2v {
namespace {

namespace fs = std::filesystem;

// Rename that fails with EEXIST instead of replacing `to`.
int rename_no_replace(int from_dir, const char* from, int to_dir, const char* to) {
    if (::renameat2(from_dir, from, to_dir, to, RENAME_NOREPLACE) == 0) return 0;
    if (errno != EINVAL && errno != ENOSYS) return errno;
    // A filesystem without RENAME_NOREPLACE: link() never replaces either.
    if (::linkat(from_dir, from, to_dir, to, 0) != 0) return errno;
    ::unlinkat(from_dir, from, 0);
    return 0;
}

}  // namespace

OutputStaging::OutputStaging(const std::string& output_dir, mode_t mode) {
    std::string pattern = (fs::path(output_dir) / ".virt-v2v-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)
        throw cxx::Error(HYPERSDK_ERR_IO,
                         "cannot create a staging directory in " + output_dir + ": " + std::strerror(errno));
    path_ = pattern;
    try {
        output_ = std::make_unique<files::Directory>(output_dir);
        staging_ = std::make_unique<files::Directory>(path_);
        if (::fchmod(staging_->fd(), mode) != 0) throw files::Error(errno, "cannot set the mode of " + path_);
    } catch (const files::Error& e) {
        std::error_code ec;
        fs::remove_all(path_, ec);
        throw cxx::Error(HYPERSDK_ERR_IO, e.what());
    }
}

OutputStaging::~OutputStaging() {
    if (!kept_)
        for (const Moved& m : moved_) {
            // Only the file we moved: not one that replaced it meanwhile.
            struct stat st {};
            if (::fstatat(output_->fd(), m.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                st.st_dev == m.dev && st.st_ino == m.ino)
                ::unlinkat(output_->fd(), m.name.c_str(), 0);
        }
    std::error_code ec;
    fs::remove_all(path_, ec);  // never follows a symlink inside
}

void OutputStaging::keep() {
    kept_ = true;
    try {
        output_->sync();
    } catch (const files::Error& e) {
        cxx::log(HYPERSDK_LOG_WARN, e.what());
    }
}

std::vector<std::string> OutputStaging::disk_files(const std::string& name) const {
    std::vector<std::string> found;
    std::error_code ec;
    const std::string prefix = name + "-sd";
    for (const auto& entry : fs::directory_iterator(path_, ec)) {
        const std::string file = entry.path().filename().string();
        if (file.size() <= prefix.size() || file.rfind(prefix, 0) != 0) continue;
        const std::string letters = file.substr(prefix.size());
        if (std::all_of(letters.begin(), letters.end(), [](char c) { return c >= 'a' && c <= 'z'; }))
            found.push_back(file);
    }
    // sda < sdb < ... < sdz < sdaa: shorter names first.
    std::sort(found.begin(), found.end(), [](const std::string& a, const std::string& b) {
        return a.size() != b.size() ? a.size() < b.size() : a < b;
    });
    return found;
}

void OutputStaging::move_out(const std::string& from, const std::string& to) {
    const auto st = staging_->entry_status(from);
    if (!st || !S_ISREG(st->st_mode) || st->st_nlink != 1)
        throw cxx::Error(HYPERSDK_ERR_IO, "virt-v2v's output " + staging_->path_of(from).string() +
                                              " is not a regular file of its own (a symlink, a hard link or "
                                              "missing)");
    if (const int error = rename_no_replace(staging_->fd(), from.c_str(), output_->fd(), to.c_str());
        error != 0) {
        if (error == EEXIST)
            throw cxx::Error(HYPERSDK_ERR_STATE, "output " + output_->path_of(to).string() +
                                                     " already exists (it is never overwritten); remove it "
                                                     "or choose another output directory");
        throw cxx::Error(HYPERSDK_ERR_IO, "cannot move " + staging_->path_of(from).string() + " to " +
                                              output_->path_of(to).string() + ": " + std::strerror(error));
    }
    moved_.push_back({to, st->st_dev, st->st_ino});
}

}  // namespace hypersdk::virt_v2v
