// Finding an external tool: an explicit path first, then PATH, then the
// directories pip and distributions install into. Only a regular file we
// may execute counts: a directory or a non-executable file named like the
// tool is skipped on the search path and refused when given explicitly.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace hypersdk::process {

// Empty = fine; otherwise why `path` cannot be run ("no such file",
// "is a directory", "is not executable").
std::string executable_problem(const std::string& path);

// The standard extra directories: /usr/local/bin, /usr/bin, ~/.local/bin.
std::vector<std::string> default_extra_dirs();

struct LookupResult {
    std::string path;   // absolute path when found
    std::string error;  // set when explicit_path was given and is unusable
    bool found() const { return !path.empty(); }
};

// explicit_path non-empty: only that file is considered (a user who named a
// binary wants that one, not another found elsewhere). Otherwise `name` is
// searched on $PATH, then in extra_dirs.
LookupResult find_executable(const std::string& name, const std::string& explicit_path,
                             const std::vector<std::string>& extra_dirs = default_extra_dirs());

}  // namespace hypersdk::process
