#include "hypersdk/core/plugin_path_trust.hpp"

#include <spdlog/fmt/fmt.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace hypersdk::core {

namespace fs = std::filesystem;

namespace {

enum class Role { directory, plugin_file };

// Why one path (already free of symlinks) is not trusted in its role.
// `subject` names it in the message: "it", "its target /x", "the directory
// above it, /x," or "the directory above its target, /x,".
std::optional<std::string> check_one(const fs::path& path, Role role, const std::string& subject) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0)
        return fmt::format("cannot inspect {} ({}): check that it exists and is readable", path.string(),
                           std::strerror(errno));
    const uid_t me = ::geteuid();
    if (st.st_uid != 0 && st.st_uid != me)
        return fmt::format(
            "{} is owned by uid {}, neither root nor you (uid {}), so that user could change the code "
            "loaded: chown it to root or yourself, or move the plugins elsewhere",
            subject, st.st_uid, me);
    const bool others_may_write = (st.st_mode & (S_IWGRP | S_IWOTH)) != 0;
    // In a sticky directory others cannot rename or replace our entries (and
    // a plugin file they add fails the owner rule); a file gets no excuse.
    const bool sticky = role == Role::directory && (st.st_mode & S_ISVTX) != 0;
    if (others_may_write && !sticky) {
        const bool world = (st.st_mode & S_IWOTH) != 0;
        return fmt::format(
            "{} is {} (mode {:04o}{}), so other users could change the code loaded: chmod {} {}", subject,
            world ? "world-writable" : "group-writable", st.st_mode & 07777,
            role == Role::directory ? ", no sticky bit" : "", world ? "go-w" : "g-w", path.string());
    }
    return std::nullopt;
}

std::optional<std::string> check_path_and_ancestors(const fs::path& path, Role role) {
    std::error_code ec;
    const fs::path real = fs::canonical(path, ec);
    if (ec)
        return fmt::format("cannot resolve {} ({}): check that it exists and is readable", path.string(),
                           ec.message());
    const bool is_link = real != fs::absolute(path, ec).lexically_normal();
    if (auto reason = check_one(real, role, is_link ? "its target " + real.string() : "it")) return reason;
    const std::string above = is_link ? "the directory above its target, " : "the directory above it, ";
    for (fs::path dir = real.parent_path(); !dir.empty(); dir = dir.parent_path()) {
        if (auto reason = check_one(dir, Role::directory, above + dir.string() + ",")) return reason;
        if (dir == dir.root_path()) break;
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> untrusted_plugin_dir_reason(const fs::path& dir) {
    return check_path_and_ancestors(dir, Role::directory);
}

std::optional<std::string> untrusted_plugin_file_reason(const fs::path& file) {
    return check_path_and_ancestors(file, Role::plugin_file);
}

}  // namespace hypersdk::core
