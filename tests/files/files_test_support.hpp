// Helpers for the tests of the files hypersdk creates: the real hyperexport
// run hermetically, small distinct disk images, planted symlinks, modes.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "process.hpp"

namespace hypersdk::test::files {

// hyperexport with only the build tree's plugins, PATH=/usr/bin:/bin and
// HOME (and the profile directory) under `home`.
ProcessResult hyperexport(std::vector<std::string> args, const std::filesystem::path& home,
                          ProcessOptions options = {});

// A qcow2 image of `bytes` whose data is derived from `seed`, so two seeds
// give two different disks.
void make_qcow2(const std::filesystem::path& path, uint64_t bytes, unsigned seed);

// "victim" text written to `path` (mode 0644): a file outside the output
// directory that a planted symlink points at.
void write_victim(const std::filesystem::path& path);
std::string read_text(const std::filesystem::path& path);

// Permission bits (07777) of `path`, not following a symlink.
mode_t mode_of(const std::filesystem::path& path);
bool is_symlink(const std::filesystem::path& path);
bool is_regular_file_not_symlink(const std::filesystem::path& path);

}  // namespace hypersdk::test::files
