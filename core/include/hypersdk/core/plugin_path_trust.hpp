// Whether a plugin directory or file may be loaded from: a plugin runs with
// our privileges, so no one but us and root may be able to change it. The
// rules are those of sudo (sudoers) and OpenSSH (StrictModes), applied to the
// path after symlinks are resolved and to every directory above it:
//   - each must be owned by root or by the effective user;
//   - a directory must not be group- or world-writable, unless it has the
//     sticky bit (as /tmp): then others cannot rename or replace what we own
//     in it, and a plugin file someone else drops there fails the owner rule;
//   - a plugin file must not be group- or world-writable at all.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace hypersdk::core {

// nullopt when `dir` may be searched; otherwise why not, naming the offending
// path and what to do about it.
std::optional<std::string> untrusted_plugin_dir_reason(const std::filesystem::path& dir);

// The same for a plugin file (a symlink is judged by its target).
std::optional<std::string> untrusted_plugin_file_reason(const std::filesystem::path& file);

}  // namespace hypersdk::core
