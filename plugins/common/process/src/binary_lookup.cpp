#include "hypersdk/process/binary_lookup.hpp"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace hypersdk::process {
namespace {

std::string home_directory() {
    if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') return home;
    if (const passwd* pw = ::getpwuid(::getuid()); pw != nullptr && pw->pw_dir != nullptr) return pw->pw_dir;
    return {};
}

std::string absolute(const std::string& path) {
    std::error_code ec;
    const auto abs = std::filesystem::absolute(path, ec);
    return ec ? path : abs.lexically_normal().string();
}

}  // namespace

std::string executable_problem(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return std::strerror(errno);
    if (S_ISDIR(st.st_mode)) return "is a directory";
    if (!S_ISREG(st.st_mode)) return "is not a regular file";
    if (::access(path.c_str(), X_OK) != 0) return "is not executable";
    return {};
}

std::vector<std::string> default_extra_dirs() {
    std::vector<std::string> dirs{"/usr/local/bin", "/usr/bin"};
    if (const std::string home = home_directory(); !home.empty()) dirs.push_back(home + "/.local/bin");
    return dirs;
}

LookupResult find_executable(const std::string& name, const std::string& explicit_path,
                             const std::vector<std::string>& extra_dirs) {
    LookupResult result;
    if (!explicit_path.empty()) {
        const std::string problem = executable_problem(explicit_path);
        if (problem.empty()) {
            result.path = absolute(explicit_path);
        } else {
            result.error = explicit_path + ": " + problem;
        }
        return result;
    }
    std::vector<std::string> dirs;
    if (const char* path = std::getenv("PATH"); path != nullptr) {
        std::string_view rest(path);
        while (true) {
            const auto colon = rest.find(':');
            const std::string_view dir = rest.substr(0, colon);
            dirs.emplace_back(dir.empty() ? "." : dir);
            if (colon == std::string_view::npos) break;
            rest.remove_prefix(colon + 1);
        }
    }
    dirs.insert(dirs.end(), extra_dirs.begin(), extra_dirs.end());
    for (const auto& dir : dirs) {
        const std::string candidate = dir + "/" + name;
        if (executable_problem(candidate).empty()) {
            result.path = absolute(candidate);
            return result;
        }
    }
    return result;
}

}  // namespace hypersdk::process
