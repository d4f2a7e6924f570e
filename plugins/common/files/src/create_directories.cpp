#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <vector>

#include "hypersdk/files/directory.hpp"

namespace hypersdk::files {

void create_directories(const std::filesystem::path& path, mode_t mode) {
    // Walk down from the first missing ancestor, creating each level with
    // `mode` exactly (the umask would otherwise decide): an output directory
    // holds VM disks.
    std::vector<std::filesystem::path> missing;
    std::filesystem::path start = path.lexically_normal();
    if (!start.has_filename() && start != start.root_path()) start = start.parent_path();  // "out/"
    for (std::filesystem::path at = start; !at.empty(); at = at.parent_path()) {
        struct stat st {};
        if (::stat(at.c_str(), &st) == 0) {
            if (!S_ISDIR(st.st_mode))
                throw Error(ENOTDIR, "cannot create directory " + path.string() + ": " + at.string() +
                                         " is not a directory");
            break;
        }
        if (errno != ENOENT) throw Error(errno, "cannot create directory " + at.string());
        missing.push_back(at);
        if (at == at.parent_path()) break;
    }
    for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
        if (::mkdir(it->c_str(), mode) != 0) {
            if (errno == EEXIST) continue;  // created meanwhile by someone else: theirs, left as it is
            throw Error(errno, "cannot create directory " + it->string());
        }
        // Opened without following, so the mode lands on the directory just made.
        UniqueFd fd(::open(it->c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!fd || ::fchmod(fd.get(), mode) != 0)
            throw Error(errno, "cannot set the mode of directory " + it->string());
    }
}

}  // namespace hypersdk::files
