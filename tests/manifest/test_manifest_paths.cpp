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

Manifest with_output(const std::optional<std::string>& directory, const std::optional<std::string>& report) {
    Manifest manifest = with_disk("/exports/disk-0.raw");
    if (directory) manifest.output = ManifestOutput{directory, "qcow2", {}, {}};
    if (report) {
        manifest.options.emplace();
        manifest.options->report = ManifestReportOptions{true, report, {}};
    }
    return manifest;
}

std::string issues_of(const Manifest& manifest, bool check_files = false) {
    return format_issues(validate_manifest(manifest, ValidationOptions{check_files}));
}

TEST(ManifestPaths, DotDotSegmentsAreRefused) {
    EXPECT_EQ(issues_of(with_disk("/exports/../etc/disk.raw")),
              R"(disks[0].local_path: must not contain '..' segments, got "/exports/../etc/disk.raw")");
    EXPECT_EQ(
        issues_of(with_output("/srv/migrate/vm/../../../etc/cron.d", std::nullopt)),
        R"(output.directory: must not contain '..' segments, got "/srv/migrate/vm/../../../etc/cron.d")");
    EXPECT_EQ(issues_of(with_output("relative/..", std::nullopt)),
              R"(output.directory: must not contain '..' segments, got "relative/..")");
    EXPECT_EQ(issues_of(with_output("/srv/out", "../report.json")),
              R"(options.report.path: must not contain '..' segments, got "../report.json")");
    EXPECT_EQ(issues_of(with_output("/srv/out", "/srv/out/a/../../x.json")),
              R"(options.report.path: must not contain '..' segments, got "/srv/out/a/../../x.json")");
    // Names that merely contain dots are fine.
    EXPECT_EQ(issues_of(with_disk("/exports/..disk/a..b/c...")), "");
    EXPECT_EQ(issues_of(with_output("/srv/out.../x", "..report.json")), "");
}

TEST(ManifestPaths, ControlCharactersInPathsAreRefused) {
    for (const std::string& control : {std::string("\x1b[2J"), std::string("\n"), std::string("\x7f"),
                                       std::string("\xc2\x9b"), std::string("\t"), std::string("a\0b", 3)}) {
        SCOPED_TRACE(control);
        const std::string issues = issues_of(with_disk("/exports/disk" + control + ".raw"));
        EXPECT_EQ(
            issues.rfind("disks[0].local_path: must not contain control characters, got \"/exports/disk", 0),
            0u)
            << issues;
        EXPECT_EQ(issues.find('\x1b'), std::string::npos) << "the message holds a raw control character";
        EXPECT_EQ(issues.find('\n'), std::string::npos) << "the message spans lines";
        EXPECT_NE(issues_of(with_output("/srv/out" + control, std::nullopt))
                      .find("output.directory: must not contain control characters"),
                  std::string::npos);
        EXPECT_NE(issues_of(with_output("/srv/out", "report" + control + ".json"))
                      .find("options.report.path: must not contain control characters"),
                  std::string::npos);
        Manifest named = with_output("/srv/out", std::nullopt);
        named.output->filename = "web01" + control;
        EXPECT_NE(issues_of(named).find("output.filename: must not contain control characters"),
                  std::string::npos);
    }
    EXPECT_EQ(issues_of(with_disk("/exports/d\x1b[2J.raw")),
              R"(disks[0].local_path: must not contain control characters, got "/exports/d\x1b[2J.raw")");
    // Non-ASCII text is not a control character.
    EXPECT_EQ(issues_of(with_disk("/exports/caf\xc3\xa9/\xe6\x97\xa5\xe6\x9c\xac.raw")), "");
}

TEST(ManifestPaths, ReportPathMustLieInsideTheOutputDirectory) {
    const std::string refused = "options.report.path: must lie inside the output directory";
    struct Row {
        std::optional<std::string> directory;
        std::string report;
        bool accepted;
    };
    const Row rows[] = {
        {"/srv/out", "report.json", true},
        {"/srv/out", "sub/dir/report.json", true},
        {"/srv/out", "./report.json", true},
        {std::nullopt, "report.json", true},  // <manifest dir>/output/report.json
        {"relative", "r.json", true},
        {"/srv/out", "/srv/out/report.json", true},
        {"/srv/out/", "/srv/out/sub/report.json", true},
        {"/srv//out", "/srv/out/./report.json", true},
        {"/srv/out", "", true},  // empty: hyper2kvm's default, <output>/report.json
        {"/srv/out", "/etc/passwd", false},
        {"/srv/out", "/srv/out-evil/report.json", false},
        {"/srv/out", "/srv/report.json", false},
        {"/srv/out", "/srv/out", false},
        {"/srv/out", "/srv/out/", false},
        {"/srv/out", ".", false},
        {"/srv/out", "sub/", false},
        {std::nullopt, "/srv/out/report.json", false},  // cannot tell without the manifest's directory
        {"relative", "/srv/out/report.json", false},
    };
    for (const Row& row : rows) {
        SCOPED_TRACE(row.directory.value_or("(no output.directory)") + " + " + row.report);
        const std::string issues = issues_of(with_output(row.directory, row.report));
        if (row.accepted)
            EXPECT_EQ(issues, "");
        else
            EXPECT_EQ(issues.rfind(refused, 0), 0u) << issues;
    }
    EXPECT_EQ(issues_of(with_output("/srv/out", "/etc/passwd")),
              refused +
                  " (a file path relative to it, or an absolute path under an absolute output.directory), "
                  "got \"/etc/passwd\"");
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
