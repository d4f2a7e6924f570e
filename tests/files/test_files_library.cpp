// hypersdk_files on a real directory: exclusive creation that never follows a
// symlink, reopening only single-link regular files, removal and rename of
// the entry itself, atomic writes, and exact modes whatever the umask.
#include <hypersdk/files/directory.hpp>
#include <hypersdk/files/file_modes.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "temp_dir.hpp"

namespace hypersdk::files {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

mode_t mode_of(const fs::path& path) {
    struct stat st {};
    EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
}

// Sets the process umask for one test.
class Umask {
public:
    explicit Umask(mode_t mask) : old_(::umask(mask)) {}
    ~Umask() { ::umask(old_); }

private:
    mode_t old_;
};

class FilesLibrary : public ::testing::Test {
protected:
    void SetUp() override {
        fs::create_directories(dir_ / "out");
        std::ofstream(dir_ / "victim") << "victim";
    }
    fs::path out() const { return dir_ / "out"; }
    TempDir dir_;
};

TEST_F(FilesLibrary, CreateIsExclusiveAndNeverFollowsASymlink) {
    const Directory directory(out());
    fs::create_symlink(dir_ / "victim", out() / "planted");
    fs::create_symlink(dir_ / "missing", out() / "dangling");
    for (const char* name : {"planted", "dangling"}) {
        try {
            directory.create(name, 0600);
            ADD_FAILURE() << name << " was created through a symlink";
        } catch (const Error& e) {
            EXPECT_EQ(e.code().value(), EEXIST) << e.what();
            EXPECT_NE(std::string(e.what()).find((out() / name).string()), std::string::npos) << e.what();
        }
    }
    EXPECT_EQ(read_text(dir_ / "victim"), "victim");
    EXPECT_FALSE(fs::exists(dir_ / "missing"));
}

TEST_F(FilesLibrary, CreateGivesExactlyTheModeWhateverTheUmask) {
    const Directory directory(out());
    {
        const Umask umask(0);
        EXPECT_TRUE(directory.create("private", 0600).valid());
    }
    {
        const Umask umask(077);
        EXPECT_TRUE(directory.create("group", 0640).valid());
    }
    EXPECT_EQ(mode_of(out() / "private"), 0600u);
    EXPECT_EQ(mode_of(out() / "group"), 0640u);
}

TEST_F(FilesLibrary, OpenRegularRefusesSymlinksFifosAndHardLinks) {
    const Directory directory(out());
    EXPECT_FALSE(directory.open_regular("missing").valid());
    std::ofstream(out() / "plain") << "plain";
    EXPECT_TRUE(directory.open_regular("plain").valid());

    fs::create_symlink(dir_ / "victim", out() / "link");
    ASSERT_EQ(::mkfifo((out() / "fifo").c_str(), 0600), 0);
    fs::create_hard_link(dir_ / "victim", out() / "hard");
    for (const char* name : {"link", "fifo", "hard"}) {
        EXPECT_THROW(directory.open_regular(name), Error) << name;
    }
    EXPECT_TRUE(directory.open_regular("hard", O_RDONLY, false).valid());
    EXPECT_EQ(read_text(dir_ / "victim"), "victim");
}

TEST_F(FilesLibrary, RemoveAndRenameActOnTheEntryNeverOnItsTarget) {
    const Directory directory(out());
    fs::create_symlink(dir_ / "victim", out() / "link");
    EXPECT_TRUE(directory.remove("link"));
    EXPECT_FALSE(directory.remove("link"));
    EXPECT_EQ(read_text(dir_ / "victim"), "victim");

    fs::create_symlink(dir_ / "victim", out() / "final");
    std::ofstream(out() / "final.part") << "ours";
    directory.rename("final.part", "final");
    EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(out() / "final")));
    EXPECT_EQ(read_text(out() / "final"), "ours");
    EXPECT_EQ(read_text(dir_ / "victim"), "victim");

    fs::create_directories(out() / "sub");
    EXPECT_THROW(directory.remove("sub"), Error);
}

TEST_F(FilesLibrary, BareNamesOnly) {
    const Directory directory(out());
    for (const char* name : {"", ".", "..", "../victim", "a/b"})
        EXPECT_THROW(directory.create(name, 0600), Error);
    EXPECT_EQ(check_bare_name("disk-0.vmdk"), "");
    EXPECT_NE(check_bare_name(std::string("a\0b", 3)), "");
}

TEST_F(FilesLibrary, WriteAtomicallyReplacesPlantedLinksNotTheirTargets) {
    const Directory directory(out());
    fs::create_symlink(dir_ / "victim", out() / "report.json.part");
    fs::create_symlink(dir_ / "victim", out() / "report.json");
    directory.write_atomically("report.json", "{}\n", 0600);
    EXPECT_EQ(read_text(dir_ / "victim"), "victim");
    EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(out() / "report.json")));
    EXPECT_EQ(read_text(out() / "report.json"), "{}\n");
    EXPECT_EQ(mode_of(out() / "report.json"), 0600u);
    EXPECT_FALSE(fs::exists(fs::symlink_status(out() / "report.json.part")));
}

TEST_F(FilesLibrary, AFailedAtomicWriteLeavesTheOldFile) {
    const Directory directory(out());
    std::ofstream(out() / "manifest.json") << "old";
    fs::create_directories(out() / "manifest.json.part" / "blocker");  // cannot be removed
    EXPECT_THROW(directory.write_atomically("manifest.json", "new", 0600), Error);
    EXPECT_EQ(read_text(out() / "manifest.json"), "old");
}

TEST_F(FilesLibrary, CreateDirectoriesGivesEveryNewLevelTheMode) {
    const Umask umask(077);
    create_directories(dir_ / "a" / "b" / "c", 0750);
    EXPECT_EQ(mode_of(dir_ / "a"), 0750u);
    EXPECT_EQ(mode_of(dir_ / "a" / "b" / "c"), 0750u);
    ::chmod(out().c_str(), 0755);
    create_directories(out() / "x/", 0700);  // an existing level is left as it is
    EXPECT_EQ(mode_of(out()), 0755u);
    EXPECT_EQ(mode_of(out() / "x"), 0700u);
    std::ofstream(dir_ / "file") << "x";
    EXPECT_THROW(create_directories(dir_ / "file" / "sub", 0700), Error);
}

TEST(FileModes, PrivateUnlessGroupReadable) {
    EXPECT_EQ(FileModes::private_or_group(false).file, 0600u);
    EXPECT_EQ(FileModes::private_or_group(false).directory, 0700u);
    EXPECT_EQ(FileModes::private_or_group(false).child_umask(), 077u);
    EXPECT_EQ(FileModes::private_or_group(true).file, 0640u);
    EXPECT_EQ(FileModes::private_or_group(true).directory, 0750u);
    EXPECT_EQ(FileModes::private_or_group(true).child_umask(), 027u);
}

}  // namespace
}  // namespace hypersdk::files
