#include "files_test_support.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace hypersdk::test::files {
namespace fs = std::filesystem;

ProcessResult hyperexport(std::vector<std::string> args, const fs::path& home, ProcessOptions options) {
    args.insert(args.begin(),
                {HYPEREXPORT_BINARY, "--no-default-plugin-dirs", "--plugin-dir", HYPERSDK_TEST_PLUGIN_DIR});
    fs::create_directories(home);
    options.env["PATH"] = "/usr/bin:/bin";
    options.env["HOME"] = home.string();
    options.env["HYPEREXPORT_PROFILE_DIR"] = (home / "profiles").string();
    options.unset_env.push_back("HYPERSDK_PLUGIN_PATH");
    return run_process(args, options);
}

void make_qcow2(const fs::path& path, uint64_t bytes, unsigned seed) {
    const fs::path raw = path.string() + ".raw";
    {
        std::ofstream out(raw, std::ios::binary);
        std::string block(1 << 16, '\0');
        for (uint64_t done = 0; done < bytes; done += block.size()) {
            for (size_t i = 0; i < block.size(); ++i)
                block[i] = static_cast<char>((done + i) * (seed * 2 + 1) / 7 + seed);
            out.write(block.data(),
                      static_cast<std::streamsize>(std::min<uint64_t>(block.size(), bytes - done)));
        }
    }
    const auto result =
        run_process({"qemu-img", "convert", "-q", "-f", "raw", "-O", "qcow2", raw.string(), path.string()});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    fs::remove(raw);
}

void write_victim(const fs::path& path) {
    std::ofstream(path) << "victim: must never be written through a planted symlink\n";
    fs::permissions(path, fs::perms(0644));
}

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

mode_t mode_of(const fs::path& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return 0;
    return st.st_mode & 07777;
}

bool is_symlink(const fs::path& path) {
    std::error_code ec;
    return fs::is_symlink(fs::symlink_status(path, ec));
}

bool is_regular_file_not_symlink(const fs::path& path) {
    std::error_code ec;
    return fs::is_regular_file(fs::symlink_status(path, ec));
}

}  // namespace hypersdk::test::files
