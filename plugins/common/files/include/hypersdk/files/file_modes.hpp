// The permission bits of every file and directory hypersdk creates. VM disks
// hold private data, so the default is owner-only; group-readable is an
// explicit choice (--group-readable).
#pragma once

#include <sys/types.h>

namespace hypersdk::files {

struct FileModes {
    mode_t file = 0600;
    mode_t directory = 0700;

    // 0600/0700, or 0640/0750 with group_readable.
    static FileModes private_or_group(bool group_readable) {
        return group_readable ? FileModes{0640, 0750} : FileModes{0600, 0700};
    }
    // The umask under which a child process (qemu-img, hyper2kvm) creates its
    // own outputs with these modes: 077, or 027 when group-readable.
    mode_t child_umask() const { return static_cast<mode_t>(0777 & ~directory); }
};

}  // namespace hypersdk::files
