// The validator's rules for paths in a manifest that may come from another
// machine: no ".." segments, no control characters, the report inside the
// output directory, and disks that are regular files. Links only the
// hypersdk_manifest library, as the converter plugins do.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <hypersdk/manifest/validator.hpp>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

namespace fs = std::filesystem;
using namespace hypersdk::manifest;

class TempDirectory {
public:
    TempDirectory() {
        std::string pattern = (fs::temp_directory_path() / "hypersdk-paths-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~TempDirectory() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

Manifest with_disk(const std::string& local_path) {
    Manifest manifest;
    ManifestDisk disk;
    disk.id = "disk-0";
    disk.source_format = "raw";
    disk.bytes = 1;
    disk.local_path = local_path;
    manifest.disks.push_back(disk);
    return manifest;
}

std::string issues_of(const Manifest& manifest, bool check_files = false) {
    return format_issues(validate_manifest(manifest, ValidationOptions{check_files}));
}

TEST(ManifestPaths, LocalPathMustBeARegularFile) {
    TempDirectory dir;
    const fs::path regular = dir.path() / "disk.raw";
    std::ofstream(regular) << "x";
    const fs::path fifo = dir.path() / "disk.fifo";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    const fs::path link = dir.path() / "link.raw";
    fs::create_symlink(regular, link);
    const fs::path socket_path = dir.path() / "disk.sock";
    const int socket_fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    ASSERT_GE(socket_fd, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    ASSERT_LT(socket_path.string().size(), sizeof address.sun_path);
    std::strcpy(address.sun_path, socket_path.c_str());
    ASSERT_EQ(::bind(socket_fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);

    EXPECT_EQ(issues_of(with_disk(regular), true), "");
    EXPECT_EQ(issues_of(with_disk(link), true), "");  // a link to a regular file is one
    EXPECT_EQ(issues_of(with_disk("/dev/zero"), true),
              R"(disks[0].local_path: is a character device, not a regular file: "/dev/zero")");
    EXPECT_EQ(issues_of(with_disk(fifo), true),
              "disks[0].local_path: is a FIFO, not a regular file: \"" + fifo.string() + "\"");
    EXPECT_EQ(issues_of(with_disk(socket_path), true),
              "disks[0].local_path: is a socket, not a regular file: \"" + socket_path.string() + "\"");
    EXPECT_EQ(issues_of(with_disk(dir.path()), true),
              "disks[0].local_path: is a directory, not a disk image: \"" + dir.path().string() + "\"");
    // Without the file check nothing is looked at (a manifest from another machine).
    EXPECT_EQ(issues_of(with_disk("/dev/zero"), false), "");
    ::close(socket_fd);
}

}  // namespace
