// VALIDATE by the host (image_check.hpp) with the real qemu-img: a sound
// image passes, a damaged one fails with what is wrong, and the result is
// added to the converter's report without following a planted symlink.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <array>
#include <fstream>
#include <sstream>

#include "hypersdk/core/image_check.hpp"
#include "images.hpp"
#include "process.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using namespace hypersdk::core;
using namespace hypersdk::test;

namespace {

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

uint64_t read_be(std::fstream& file, std::streamoff offset, int bytes) {
    file.seekg(offset);
    uint64_t value = 0;
    for (int i = 0; i < bytes; ++i) value = (value << 8) | static_cast<unsigned char>(file.get());
    return value;
}

class ImageCheckTest : public ::testing::Test {
protected:
    void SetUp() override {
        qemu_img_ = find_image_checker();
        ASSERT_FALSE(qemu_img_.empty()) << "qemu-img is needed (scripts/setup installs qemu-utils)";
        raw_ = dir_ / "disk.raw";
        write_patterned_raw(raw_, 8 << 20);
        qcow2_ = dir_ / "disk-0.qcow2";
        const auto made =
            run_process({qemu_img_, "convert", "-f", "raw", "-O", "qcow2", raw_.string(), qcow2_.string()});
        ASSERT_EQ(made.exit_code, 0) << made.err;
    }

    std::vector<ImageCheck> check(const std::string& format, const fs::path& file) {
        Job job("check");
        return check_images(qemu_img_, format, {file.string()}, {}, job);
    }

    TempDir dir_;
    std::string qemu_img_;
    fs::path raw_, qcow2_;
};

TEST_F(ImageCheckTest, ASoundQcow2Passes) {
    const auto checks = check("qcow2", qcow2_);
    ASSERT_EQ(checks.size(), 1u);
    EXPECT_TRUE(checks[0].passed) << checks[0].detail;
    EXPECT_EQ(checks[0].detail, "no errors");
    EXPECT_EQ(checks[0].file, qcow2_.string());
}

// Zeroing the first refcount block leaves every used cluster with refcount
// 0: qemu-img check counts corruptions and exits 2.
TEST_F(ImageCheckTest, ADamagedQcow2FailsWithTheCount) {
    {
        std::fstream file(qcow2_, std::ios::in | std::ios::out | std::ios::binary);
        const uint64_t cluster_bits = read_be(file, 20, 4);
        const uint64_t refcount_table = read_be(file, 48, 8);
        const uint64_t refcount_block = read_be(file, static_cast<std::streamoff>(refcount_table), 8);
        ASSERT_GT(refcount_block, 0u);
        const std::string zeros(size_t{1} << cluster_bits, '\0');
        file.seekp(static_cast<std::streamoff>(refcount_block));
        file.write(zeros.data(), static_cast<std::streamsize>(zeros.size()));
        ASSERT_TRUE(file.good());
    }
    const auto checks = check("qcow2", qcow2_);
    ASSERT_EQ(checks.size(), 1u);
    EXPECT_FALSE(checks[0].passed);
    EXPECT_NE(checks[0].detail.find("corruption(s)"), std::string::npos) << checks[0].detail;
}

TEST_F(ImageCheckTest, NotAnImageFailsWithTheToolsLine) {
    const fs::path text = dir_ / "disk-1.qcow2";
    std::ofstream(text) << "not an image\n";
    const auto checks = check("qcow2", text);
    ASSERT_EQ(checks.size(), 1u);
    EXPECT_FALSE(checks[0].passed);
    EXPECT_NE(checks[0].detail.find("qemu-img"), std::string::npos) << checks[0].detail;
}

TEST_F(ImageCheckTest, RawHasNothingToCheckButMustOpen) {
    const auto checks = check("raw", raw_);
    ASSERT_EQ(checks.size(), 1u);
    EXPECT_TRUE(checks[0].passed) << checks[0].detail;
    EXPECT_NE(checks[0].detail.find("raw has no metadata"), std::string::npos);
    EXPECT_FALSE(check("raw", dir_ / "missing.raw")[0].passed);
}

TEST_F(ImageCheckTest, ACancelledJobChecksNothing) {
    Job job("check");
    job.cancel();
    const auto checks = check_images(qemu_img_, "qcow2", {qcow2_.string()}, {}, job);
    ASSERT_EQ(checks.size(), 1u);
    EXPECT_FALSE(checks[0].passed);
    EXPECT_EQ(checks[0].detail, "not checked (cancelled)");
}

TEST_F(ImageCheckTest, TheResultIsAddedToTheReportKeepingItsMode) {
    const fs::path report = dir_ / "report.json";
    std::ofstream(report) << R"({"success": true, "stages": {"convert": {"ok": true}}})";
    fs::permissions(report, fs::perms::owner_read | fs::perms::owner_write);
    ASSERT_EQ(record_image_checks(report.string(), {{qcow2_.string(), true, "no errors"}}), "");
    const std::string text = read_text(report);
    EXPECT_NE(text.find(R"("stages":{"convert":{"ok":true}})"), std::string::npos) << text;
    EXPECT_NE(text.find(R"("host_validation":{"tool":"qemu-img check","images":[{"file":")"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find(R"("passed":true,"detail":"no errors"})"), std::string::npos) << text;
    struct stat status {};
    ASSERT_EQ(::stat(report.c_str(), &status), 0);
    EXPECT_EQ(status.st_mode & 0777, 0600u);
}

TEST_F(ImageCheckTest, APlantedSymlinkReportIsNotFollowed) {
    const fs::path victim = dir_ / "victim.json";
    std::ofstream(victim) << R"({"mine": true})";
    const fs::path report = dir_ / "report.json";
    fs::create_symlink(victim, report);
    EXPECT_NE(record_image_checks(report.string(), {{qcow2_.string(), true, "no errors"}}), "");
    EXPECT_EQ(read_text(victim), R"({"mine": true})");
}

}  // namespace
