// Every file `hyperexport convert`, `manifest create` and `profiles save`
// create: never through a planted symlink, and private (0600, directories
// 0700) unless --group-readable asks for 0640/0750. The real binary, real images.
#include <sys/stat.h>

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

class CreatedFiles : public ::testing::Test {
protected:
    void SetUp() override {
        fs::create_directories(dir_ / "elsewhere");
        source_ = dir_ / "source.qcow2";
        make_qcow2(source_, kDiskBytes, 11);
        fs::permissions(source_, fs::perms(0644));  // a world-readable source
    }

    ProcessResult run(std::vector<std::string> args) { return hyperexport(std::move(args), dir_ / "home"); }

    fs::path create_manifest(const fs::path& output_dir, const std::string& name = "artifact-manifest.json") {
        const fs::path manifest = dir_ / name;
        const auto created = run({"manifest", "create", "--disk", source_.string() + ":qcow2", "--output",
                                  manifest.string(), "--output-dir", output_dir.string()});
        EXPECT_EQ(created.exit_code, 0) << created.out << created.err;
        return manifest;
    }

    // A symlink at `at` to a fresh victim file outside the output; returns the victim.
    fs::path plant(const fs::path& at) {
        const fs::path victim = dir_ / "elsewhere" / (at.filename().string() + ".victim");
        write_victim(victim);
        fs::create_symlink(victim, at);
        return victim;
    }

    void expect_untouched(const fs::path& victim) {
        // Compared, not printed: a victim written through holds disk bytes.
        EXPECT_TRUE(read_text(victim) == "victim: must never be written through a planted symlink\n")
            << victim;
        EXPECT_EQ(mode_of(victim), 0644u) << victim;
    }

    void expect_converted(const fs::path& out) {
        ASSERT_TRUE(is_regular_file_not_symlink(out / "disk-0.qcow2"));
        std::string detail;
        EXPECT_TRUE(images_identical(out / "disk-0.qcow2", "qcow2", source_, "qcow2", &detail)) << detail;
        EXPECT_TRUE(is_regular_file_not_symlink(out / "report.json"));
        EXPECT_NE(read_text(out / "report.json").find("\"pipeline\""), std::string::npos);
    }

    TempDir dir_;
    fs::path source_;
};

TEST_F(CreatedFiles, ConversionNeverWritesThroughSymlinksAtPartNames) {
    const fs::path out = dir_ / "out";
    fs::create_directories(out);
    const fs::path disk_victim = plant(out / "disk-0.qcow2.part");
    const fs::path report_victim = plant(out / "report.json.part");
    const auto result =
        run({"convert", "--manifest", create_manifest(out).string(), "--converter", "qemu-img"});
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    expect_untouched(disk_victim);
    expect_untouched(report_victim);
    expect_converted(out);
}

// hyper2kvm creates its .part itself (the fake one, like the real one, with
// qemu-img convert, which follows a symlink): the plugin clears the name first.
TEST_F(CreatedFiles, Hyper2kvmNeverWritesThroughASymlinkAtItsPartName) {
    const fs::path out = dir_ / "out";
    fs::create_directories(out);
    const fs::path disk_victim = plant(out / "disk-0.qcow2.part");
    const auto result = run({"convert", "--manifest", create_manifest(out).string(), "--converter", "hyper2kvm",
                             "--hyper2kvm-binary", FAKE_HYPER2KVM});
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    expect_untouched(disk_victim);
    expect_converted(out);
}

TEST_F(CreatedFiles, ConversionReplacesSymlinksAtFinalNamesOnlyWithForceAndNeverTheirTargets) {
    const fs::path out = dir_ / "out";
    fs::create_directories(out);
    const fs::path disk_victim = plant(out / "disk-0.qcow2");
    const fs::path report_victim = plant(out / "report.json");
    const fs::path manifest = create_manifest(out);
    const auto refused = run({"convert", "--manifest", manifest.string(), "--converter", "qemu-img"});
    EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
    EXPECT_NE(refused.err.find("--force"), std::string::npos) << refused.err;
    expect_untouched(disk_victim);
    expect_untouched(report_victim);

    const auto forced =
        run({"convert", "--manifest", manifest.string(), "--converter", "qemu-img", "--force"});
    ASSERT_EQ(forced.exit_code, 0) << forced.out << forced.err;
    expect_untouched(disk_victim);
    expect_untouched(report_victim);
    expect_converted(out);
}

TEST_F(CreatedFiles, ManifestCreateNeverWritesThroughSymlinks) {
    const fs::path manifest = dir_ / "artifact-manifest.json";
    const fs::path part_victim = plant(dir_ / "artifact-manifest.json.part");
    ASSERT_EQ(create_manifest(dir_ / "out"), manifest);
    expect_untouched(part_victim);
    ASSERT_TRUE(is_regular_file_not_symlink(manifest));
    EXPECT_NE(read_text(manifest).find("\"manifest_version\""), std::string::npos);

    // --force on a symlink replaces the link, never the file it names.
    fs::remove(manifest);
    const fs::path final_victim = plant(manifest);
    const auto forced = run({"manifest", "create", "--disk", source_.string() + ":qcow2", "--output",
                             manifest.string(), "--force"});
    ASSERT_EQ(forced.exit_code, 0) << forced.out << forced.err;
    expect_untouched(final_victim);
    EXPECT_TRUE(is_regular_file_not_symlink(manifest));
}

TEST_F(CreatedFiles, ProfileSaveNeverWritesThroughSymlinks) {
    const fs::path profiles = dir_ / "home" / "profiles";
    fs::create_directories(profiles);
    const fs::path victim = plant(profiles / "kvm.json.part");
    const auto saved = run({"profiles", "save", "kvm", "--set", "provider=vsphere"});
    ASSERT_EQ(saved.exit_code, 0) << saved.out << saved.err;
    expect_untouched(victim);
    ASSERT_TRUE(is_regular_file_not_symlink(profiles / "kvm.json"));
    EXPECT_EQ(mode_of(profiles / "kvm.json"), 0600u);
}

TEST_F(CreatedFiles, ConversionOutputsArePrivateByDefault) {
    const fs::path out = dir_ / "new" / "out";  // created by the conversion
    const fs::path manifest = create_manifest(out);
    EXPECT_EQ(mode_of(manifest), 0600u);
    const auto result = run({"convert", "--manifest", manifest.string(), "--converter", "qemu-img"});
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_EQ(mode_of(out), 0700u);
    EXPECT_EQ(mode_of(dir_ / "new"), 0700u);
    for (const auto& entry : fs::directory_iterator(out))
        EXPECT_EQ(mode_of(entry.path()), 0600u) << entry.path();
    EXPECT_EQ(mode_of(out / "disk-0.qcow2"), 0600u);
    EXPECT_EQ(mode_of(out / "report.json"), 0600u);
}

TEST_F(CreatedFiles, GroupReadableConversionOutputs) {
    const fs::path out = dir_ / "out";
    const auto result = run({"convert", "--manifest", create_manifest(out).string(), "--converter",
                             "qemu-img", "--group-readable"});
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_EQ(mode_of(out), 0750u);
    for (const auto& entry : fs::directory_iterator(out))
        EXPECT_EQ(mode_of(entry.path()), 0640u) << entry.path();
    EXPECT_EQ(mode_of(out / "disk-0.qcow2"), 0640u);
}

// hyper2kvm creates its outputs itself: the umask it runs under decides.
TEST_F(CreatedFiles, ToolsRunUnderAPrivateUmask) {
    for (const bool group : {false, true}) {
        const fs::path out = dir_ / (group ? "group" : "private");
        const fs::path manifest = create_manifest(out, out.filename().string() + ".json");
        std::vector<std::string> args = {"convert",   "--manifest",         manifest.string(), "--converter",
                                         "hyper2kvm", "--hyper2kvm-binary", FAKE_HYPER2KVM};
        if (group) args.push_back("--group-readable");
        const auto result = run(args);
        ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
        EXPECT_EQ(mode_of(out / "disk-0.qcow2"), group ? 0640u : 0600u);
        EXPECT_EQ(mode_of(out / "report.json"), group ? 0640u : 0600u);
    }
}

}  // namespace
