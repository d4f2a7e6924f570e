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
#include <utility>

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

// Swaps two directory entries atomically; EINVAL/ENOSYS where the file system cannot.
int exchange(int a_dir, const char* a, int b_dir, const char* b) {
    return ::renameat2(a_dir, a, b_dir, b, RENAME_EXCHANGE) == 0 ? 0 : errno;
}

}  // namespace

std::string OutputStaging::replace_refusal(const files::Directory& output, const std::string& name,
                                           const ReplacePolicy& replace) {
    const std::string path = output.path_of(name).string();
    struct stat entry {};
    if (::fstatat(output.fd(), name.c_str(), &entry, AT_SYMLINK_NOFOLLOW) != 0) return {};
    const bool earlier_output = std::any_of(
        replace.earlier_outputs.begin(), replace.earlier_outputs.end(), [&](const std::string& p) {
            return fs::path(p).lexically_normal() == fs::path(path).lexically_normal();
        });
    if (!replace.allowed && !earlier_output)
        return "output " + path +
               " already exists; remove the earlier outputs, choose another output directory, or pass "
               "--force to replace them";
    if (!S_ISREG(entry.st_mode) && !S_ISLNK(entry.st_mode))
        return "output " + path + " exists and is not a file; it is never replaced, even with --force";
    struct stat target {};
    const bool has_target = ::fstatat(output.fd(), name.c_str(), &target, 0) == 0;
    for (const FileIdentity& source : replace.never_replace)
        if (source == FileIdentity{entry.st_dev, entry.st_ino} ||
            (has_target && source == FileIdentity{target.st_dev, target.st_ino}))
            return "output " + path +
                   " is a source disk (or a link to one); it is never replaced, even with --force";
    return {};
}

OutputStaging::OutputStaging(const std::string& output_dir, mode_t mode, ReplacePolicy replace)
    : replace_(std::move(replace)) {
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
        for (auto m = moved_.rbegin(); m != moved_.rend(); ++m) {
            // Only the file we moved: not one that replaced it meanwhile.
            struct stat st {};
            if (::fstatat(output_->fd(), m->name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 ||
                st.st_dev != m->dev || st.st_ino != m->ino)
                continue;
            if (m->parked_as.empty()) {
                ::unlinkat(output_->fd(), m->name.c_str(), 0);
            } else if (const int error =
                           exchange(staging_->fd(), m->parked_as.c_str(), output_->fd(), m->name.c_str());
                       error != 0) {
                cxx::log(HYPERSDK_LOG_ERROR, "cannot put back " + output_->path_of(m->name).string() + ": " +
                                                 std::strerror(error) + "; it is kept as " +
                                                 staging_->path_of(m->parked_as).string());
                parked_left_ = true;
            }
        }
    std::error_code ec;
    if (!parked_left_) fs::remove_all(path_, ec);  // never follows a symlink inside
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
    int error = rename_no_replace(staging_->fd(), from.c_str(), output_->fd(), to.c_str());
    std::string parked_as;
    if (error == EEXIST) {
        if (const std::string refusal = replace_refusal(*output_, to, replace_); !refusal.empty())
            throw cxx::Error(HYPERSDK_ERR_STATE, refusal);
        // The old file takes our file's place in staging: put back if the run fails, gone with it if kept.
        error = exchange(staging_->fd(), from.c_str(), output_->fd(), to.c_str());
        if (error == EINVAL || error == ENOSYS)
            throw cxx::Error(HYPERSDK_ERR_STATE, "output " + output_->path_of(to).string() +
                                                     " exists and this file system cannot swap files "
                                                     "atomically (renameat2 RENAME_EXCHANGE); remove it");
        if (error == 0) parked_as = from;
    }
    if (error != 0)
        throw cxx::Error(HYPERSDK_ERR_IO, "cannot move " + staging_->path_of(from).string() + " to " +
                                              output_->path_of(to).string() + ": " + std::strerror(error));
    moved_.push_back({to, parked_as, st->st_dev, st->st_ino});
}

}  // namespace hypersdk::virt_v2v
