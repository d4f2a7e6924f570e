// A conversion never overwrites its sources, or a file it did not make:
// the real hyperexport, real images, `manifest create` then `convert`.
#include <gtest/gtest.h>

#include <filesystem>

#include "files_test_support.hpp"
#include "images.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using namespace hypersdk::test;
using namespace hypersdk::test::files;

namespace {

constexpr uint64_t kDiskBytes = 4ull << 20;

class ConvertOutputs : public ::testing::Test {
protected:
    ProcessResult run(std::vector<std::string> args) { return hyperexport(std::move(args), dir_ / "home"); }

    // `manifest create` for `disks` (in boot order) converting into `output_dir`.
    fs::path create_manifest(const std::vector<fs::path>& disks, const fs::path& output_dir,
                             const std::string& name = "artifact-manifest.json") {
        const fs::path manifest = dir_ / name;
        std::vector<std::string> args = {"manifest", "create", "--force"};
        for (const auto& disk : disks) args.insert(args.end(), {"--disk", disk.string() + ":qcow2"});
        args.insert(args.end(), {"--output", manifest.string(), "--output-dir", output_dir.string()});
        const auto created = run(args);
        EXPECT_EQ(created.exit_code, 0) << created.out << created.err;
        return manifest;
    }

    ProcessResult convert(const fs::path& manifest, std::vector<std::string> extra = {}) {
        std::vector<std::string> args = {"convert", "--manifest", manifest.string(), "--converter",
                                         "qemu-img"};
        args.insert(args.end(), extra.begin(), extra.end());
        return run(args);
    }

    TempDir dir_;
};

TEST_F(ConvertOutputs, TwoDisksWhoseOutputsAreEachOthersSourcesAreRefused) {
    const fs::path data = dir_ / "data";
    fs::create_directories(data);
    make_qcow2(data / "disk-1.qcow2", kDiskBytes, 1);
    make_qcow2(data / "disk-0.qcow2", kDiskBytes, 2);
    const std::string one = sha256_of_file(data / "disk-1.qcow2");
    const std::string zero = sha256_of_file(data / "disk-0.qcow2");
    // disk-0 is data/disk-1.qcow2 and would be written to data/disk-0.qcow2, and the other way round.
    const fs::path manifest = create_manifest({data / "disk-1.qcow2", data / "disk-0.qcow2"}, data);

    const auto result = convert(manifest);
    EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
    EXPECT_NE(result.err.find((data / "disk-0.qcow2").string()), std::string::npos) << result.err;
    EXPECT_NE(result.err.find((data / "disk-1.qcow2").string()), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("source disk"), std::string::npos) << result.err;
    EXPECT_EQ(sha256_of_file(data / "disk-1.qcow2"), one);
    EXPECT_EQ(sha256_of_file(data / "disk-0.qcow2"), zero);
}

TEST_F(ConvertOutputs, TheSameCheckGuardsEveryConverter) {
    const fs::path data = dir_ / "data";
    fs::create_directories(data);
    make_qcow2(data / "disk-1.qcow2", kDiskBytes, 1);
    make_qcow2(data / "disk-0.qcow2", kDiskBytes, 2);
    const std::string one = sha256_of_file(data / "disk-1.qcow2");
    const std::string zero = sha256_of_file(data / "disk-0.qcow2");
    const fs::path manifest = create_manifest({data / "disk-1.qcow2", data / "disk-0.qcow2"}, data);

    const auto result = run({"convert", "--manifest", manifest.string(), "--converter", "hyper2kvm",
                             "--hyper2kvm-binary", FAKE_HYPER2KVM});
    EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
    EXPECT_NE(result.err.find("source disk"), std::string::npos) << result.err;
    EXPECT_EQ(sha256_of_file(data / "disk-1.qcow2"), one);
    EXPECT_EQ(sha256_of_file(data / "disk-0.qcow2"), zero);
}

TEST_F(ConvertOutputs, AnOutputNamedLikeItsOwnInputIsRefused) {
    const fs::path data = dir_ / "data";
    fs::create_directories(data);
    make_qcow2(data / "disk-0.qcow2", kDiskBytes, 3);
    const std::string before = sha256_of_file(data / "disk-0.qcow2");
    const auto result = convert(create_manifest({data / "disk-0.qcow2"}, data));
    EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
    EXPECT_NE(result.err.find((data / "disk-0.qcow2").string()), std::string::npos) << result.err;
    EXPECT_EQ(sha256_of_file(data / "disk-0.qcow2"), before);
    // --force never overrides this one: it would destroy the source.
    const auto forced = convert(create_manifest({data / "disk-0.qcow2"}, data, "again.json"), {"--force"});
    EXPECT_EQ(forced.exit_code, 1) << forced.out << forced.err;
    EXPECT_EQ(sha256_of_file(data / "disk-0.qcow2"), before);
}

TEST_F(ConvertOutputs, AHardLinkToASourceAtAnOutputIsRefused) {
    make_qcow2(dir_ / "source.qcow2", kDiskBytes, 4);
    const std::string before = sha256_of_file(dir_ / "source.qcow2");
    const fs::path out = dir_ / "out";
    fs::create_directories(out);
    fs::create_hard_link(dir_ / "source.qcow2", out / "disk-0.qcow2");
    const auto result = convert(create_manifest({dir_ / "source.qcow2"}, out), {"--force"});
    EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
    EXPECT_NE(result.err.find((out / "disk-0.qcow2").string()), std::string::npos) << result.err;
    EXPECT_NE(result.err.find((dir_ / "source.qcow2").string()), std::string::npos) << result.err;
    EXPECT_EQ(sha256_of_file(dir_ / "source.qcow2"), before);
}

TEST_F(ConvertOutputs, ASymlinkToASourceAtAnOutputOrItsPartIsRefused) {
    make_qcow2(dir_ / "source.qcow2", kDiskBytes, 5);
    const std::string before = sha256_of_file(dir_ / "source.qcow2");
    for (const std::string name : {"disk-0.qcow2", "disk-0.qcow2.part"}) {
        const fs::path out = dir_ / ("out-" + name);
        fs::create_directories(out);
        fs::create_symlink(dir_ / "source.qcow2", out / name);
        const auto result =
            convert(create_manifest({dir_ / "source.qcow2"}, out, name + ".json"), {"--force"});
        EXPECT_EQ(result.exit_code, 1) << name << ": " << result.out << result.err;
        EXPECT_NE(result.err.find((out / name).string()), std::string::npos) << result.err;
        EXPECT_EQ(sha256_of_file(dir_ / "source.qcow2"), before) << name;
    }
}

TEST_F(ConvertOutputs, AnUnrelatedExistingFileIsOverwrittenOnlyWithForce) {
    make_qcow2(dir_ / "source.qcow2", kDiskBytes, 6);
    const fs::path out = dir_ / "out";
    fs::create_directories(out);
    write_victim(out / "disk-0.qcow2");
    const std::string unrelated = read_text(out / "disk-0.qcow2");
    const fs::path manifest = create_manifest({dir_ / "source.qcow2"}, out);

    const auto refused = convert(manifest);
    EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
    EXPECT_NE(refused.err.find((out / "disk-0.qcow2").string()), std::string::npos) << refused.err;
    EXPECT_NE(refused.err.find("--force"), std::string::npos) << refused.err;
    EXPECT_TRUE(read_text(out / "disk-0.qcow2") == unrelated);  // not printed: may hold disk bytes

    const auto forced = convert(manifest, {"--force"});
    ASSERT_EQ(forced.exit_code, 0) << forced.out << forced.err;
    std::string detail;
    EXPECT_TRUE(images_identical(out / "disk-0.qcow2", "qcow2", dir_ / "source.qcow2", "qcow2", &detail))
        << detail;
}

TEST_F(ConvertOutputs, AnUnrelatedExistingReportIsOverwrittenOnlyWithForce) {
    make_qcow2(dir_ / "source.qcow2", kDiskBytes, 7);
    const fs::path out = dir_ / "out";
    fs::create_directories(out);
    write_victim(out / "report.json");
    const std::string unrelated = read_text(out / "report.json");
    const fs::path manifest = create_manifest({dir_ / "source.qcow2"}, out);
    const auto refused = convert(manifest);
    EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
    EXPECT_NE(refused.err.find((out / "report.json").string()), std::string::npos) << refused.err;
    EXPECT_TRUE(read_text(out / "report.json") == unrelated);
    EXPECT_FALSE(fs::exists(out / "disk-0.qcow2"));
    const auto forced = convert(manifest, {"--force"});
    EXPECT_EQ(forced.exit_code, 0) << forced.out << forced.err;
}

TEST_F(ConvertOutputs, ARunOfTheSameJobAgainIsAccepted) {
    make_qcow2(dir_ / "source.qcow2", kDiskBytes, 8);
    const fs::path out = dir_ / "out";
    const fs::path manifest = create_manifest({dir_ / "source.qcow2"}, out);
    for (int run_number = 0; run_number < 3; ++run_number) {
        const auto result = convert(manifest);
        ASSERT_EQ(result.exit_code, 0) << run_number << ": " << result.out << result.err;
    }
    std::string detail;
    EXPECT_TRUE(images_identical(out / "disk-0.qcow2", "qcow2", dir_ / "source.qcow2", "qcow2", &detail))
        << detail;
}

TEST_F(ConvertOutputs, AnotherJobsOutputIsNotAnEarlierOutputOfThisOne) {
    make_qcow2(dir_ / "first.qcow2", kDiskBytes, 9);
    make_qcow2(dir_ / "second.qcow2", kDiskBytes, 10);
    const fs::path out = dir_ / "out";
    ASSERT_EQ(convert(create_manifest({dir_ / "first.qcow2"}, out, "first.json")).exit_code, 0);
    const std::string first_output = sha256_of_file(out / "disk-0.qcow2");
    // A different manifest whose disk-0 would land on the first job's output.
    const auto result = convert(create_manifest({dir_ / "second.qcow2"}, out, "second.json"));
    EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
    EXPECT_NE(result.err.find("--force"), std::string::npos) << result.err;
    EXPECT_EQ(sha256_of_file(out / "disk-0.qcow2"), first_output);
}

// The same manifest file rewritten for another disk (an export of another VM
// into the same directory) is another job for the outputs the first one made.
TEST_F(ConvertOutputs, TheSameManifestPathForAnotherSourceIsAnotherJob) {
    make_qcow2(dir_ / "first.qcow2", kDiskBytes, 12);
    make_qcow2(dir_ / "second.qcow2", kDiskBytes, 13);
    const fs::path out = dir_ / "out";
    ASSERT_EQ(convert(create_manifest({dir_ / "first.qcow2"}, out)).exit_code, 0);
    const std::string first_output = sha256_of_file(out / "disk-0.qcow2");
    const auto result = convert(create_manifest({dir_ / "second.qcow2"}, out));
    EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
    EXPECT_NE(result.err.find((out / "disk-0.qcow2").string()), std::string::npos) << result.err;
    EXPECT_EQ(sha256_of_file(out / "disk-0.qcow2"), first_output);
}

}  // namespace
