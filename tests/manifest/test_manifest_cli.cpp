// `hyperexport manifest create|verify|show`, run as a real binary on real
// images made by qemu-img.
#include <hypersdk/core/file_hasher.hpp>
#include <hypersdk/core/manifest.hpp>
#include <hypersdk/core/manifest_reader.hpp>

#include <gtest/gtest.h>

#include "manifest_test_support.hpp"

namespace {

using namespace hypersdk::core;
using manifest_test::CommandResult;
using manifest_test::shell_quote;
using manifest_test::TempDir;
namespace fs = std::filesystem;

CommandResult hyperexport(const std::string& arguments) {
    return manifest_test::run_command(shell_quote(HYPEREXPORT_BIN) + " " + arguments);
}

std::string q(const fs::path& path) {
    return shell_quote(path.string());
}

// A 4 MiB image in `qemu_format` whose first MiB holds 0xab.
fs::path make_image(const TempDir& dir, const std::string& name, const std::string& qemu_format) {
    const fs::path path = dir / name;
    auto result = manifest_test::run_command("qemu-img create -q -f " + qemu_format + " " + q(path) + " 4M");
    EXPECT_EQ(result.exit_code, 0) << result.err;
    result = manifest_test::run_command("qemu-io -f " + qemu_format + " -c 'write -P 0xab 0 1M' " + q(path));
    EXPECT_EQ(result.exit_code, 0) << result.err << result.out;
    return path;
}

void flip_byte(const fs::path& path, std::streamoff offset) {
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(offset);
    char byte = 0;
    file.get(byte);
    file.seekp(offset);
    file.put(static_cast<char>(byte ^ 0x01));
    ASSERT_TRUE(file.good());
}

bool is_one_line(const std::string& text) {
    return !text.empty() && text.back() == '\n' && text.find('\n') == text.size() - 1;
}

class ManifestCli : public ::testing::Test {
protected:
    void SetUp() override {
        disks_ = {make_image(dir_, "web01.vmdk", "vmdk"), make_image(dir_, "web01-data.qcow2", "qcow2"),
                  make_image(dir_, "legacy.vhd", "vpc"), make_image(dir_, "hyperv.vhdx", "vhdx"),
                  make_image(dir_, "plain.img", "raw")};
        manifest_path_ = dir_ / "artifact-manifest.json";
    }

    CommandResult create_all(const std::string& extra = "--checksum") {
        std::string arguments = "manifest create";
        for (const auto& disk : disks_) arguments += " --disk " + q(disk);
        return hyperexport(arguments + " --provider vsphere --vm-name web01 --output " + q(manifest_path_) +
                           " --output-dir " + q(dir_ / "converted") + " " + extra);
    }

    TempDir dir_;
    std::vector<fs::path> disks_;
    fs::path manifest_path_;
};

TEST_F(ManifestCli, CreateDetectsFormatsAndWritesAValidManifest) {
    const auto created = create_all();
    ASSERT_EQ(created.exit_code, 0) << created.out << created.err;
    EXPECT_NE(created.out.find("wrote " + manifest_path_.string()), std::string::npos) << created.out;

    const ManifestReadResult read = read_manifest_file(manifest_path_);
    ASSERT_TRUE(read.parsed);
    EXPECT_EQ(format_issues(validate_read_result(read)), "");
    const Manifest& manifest = read.manifest;
    const std::vector<std::string> formats = {"vmdk", "qcow2", "vhd", "vhdx", "raw"};
    ASSERT_EQ(manifest.disks.size(), formats.size());
    for (size_t i = 0; i < formats.size(); ++i) {
        const ManifestDisk& disk = manifest.disks[i];
        EXPECT_EQ(disk.id, "disk-" + std::to_string(i));
        EXPECT_EQ(disk.source_format, formats[i]) << disk.local_path;
        EXPECT_EQ(disk.local_path, disks_[i].string());
        EXPECT_EQ(static_cast<uintmax_t>(disk.bytes), fs::file_size(disks_[i]));
        EXPECT_EQ(disk.checksum, hash_file(disks_[i]).checksum);
        EXPECT_EQ(disk.boot_order_hint, std::optional<int64_t>(i));
        EXPECT_EQ(disk.disk_type, std::optional<std::string>(i == 0 ? "boot" : "data"));
    }
    EXPECT_EQ(manifest.source->provider, std::optional<std::string>("vsphere"));
    EXPECT_EQ(manifest.source->vm_name, std::optional<std::string>("web01"));
    ASSERT_TRUE(manifest.pipeline && manifest.pipeline->convert && manifest.pipeline->validate);
    EXPECT_TRUE(manifest.pipeline->convert->enabled);
    EXPECT_TRUE(manifest.pipeline->validate->enabled);
    EXPECT_FALSE(manifest.pipeline->inspect || manifest.pipeline->fix);
    EXPECT_EQ(manifest.output->directory, std::optional<std::string>((dir_ / "converted").string()));
    EXPECT_EQ(manifest.output->format, std::optional<std::string>("qcow2"));
    EXPECT_TRUE(is_rfc3339_timestamp(manifest.metadata->created_at.value_or("")));
    EXPECT_FALSE(manifest.metadata->hypersdk_version.value_or("").empty());
    // `boot_order_hint: 0` is in the file, not dropped as a zero value.
    EXPECT_NE(manifest_test::read_file(manifest_path_).find("\"boot_order_hint\": 0"), std::string::npos);

    const auto schema = manifest_test::check_with_json_schema({manifest_path_});
    EXPECT_EQ(schema.exit_code, 0) << schema.out << schema.err;
}

TEST_F(ManifestCli, VerifyOkThenMismatchThenMissing) {
    ASSERT_EQ(create_all().exit_code, 0);
    auto verified = hyperexport("manifest verify " + q(manifest_path_));
    EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
    for (int i = 0; i < 5; ++i)
        EXPECT_NE(verified.out.find("disk-" + std::to_string(i) + ": OK\n"), std::string::npos)
            << verified.out;
    EXPECT_NE(verified.out.find("all 5 disk(s) OK"), std::string::npos);
    EXPECT_EQ(verified.err.find('\x1b'), std::string::npos) << "terminal escapes when stderr is not a TTY";

    const std::string before = hash_file(disks_[4]).checksum;
    flip_byte(disks_[4], 4096);
    const std::string after = hash_file(disks_[4]).checksum;
    verified = hyperexport("manifest verify " + q(manifest_path_));
    EXPECT_EQ(verified.exit_code, 1) << verified.out << verified.err;
    EXPECT_NE(verified.out.find("disk-4: MISMATCH (expected " + before + ", got " + after + ")"),
              std::string::npos)
        << verified.out;
    EXPECT_NE(verified.out.find("disk-0: OK"), std::string::npos);

    fs::remove(disks_[3]);
    verified = hyperexport("manifest verify " + q(manifest_path_));
    EXPECT_EQ(verified.exit_code, 1);
    EXPECT_NE(verified.out.find("disk-3: MISSING"), std::string::npos) << verified.out;
    EXPECT_NE(verified.out.find("2 of 5 disk(s) not OK"), std::string::npos) << verified.out;
}

TEST_F(ManifestCli, VerifyReportsASizeChangeAndAMissingChecksum) {
    ASSERT_EQ(create_all("").exit_code, 0);  // no --checksum
    auto verified = hyperexport("--quiet manifest verify " + q(manifest_path_));
    EXPECT_EQ(verified.exit_code, 1);
    EXPECT_NE(verified.out.find("disk-0: NO CHECKSUM"), std::string::npos) << verified.out;
    EXPECT_EQ(verified.err, "");  // --quiet: no progress

    ASSERT_EQ(create_all("--checksum --force").exit_code, 0);
    std::ofstream(disks_[1], std::ios::app | std::ios::binary) << 'x';
    verified = hyperexport("manifest verify --jobs 1 " + q(manifest_path_));
    EXPECT_EQ(verified.exit_code, 1);
    const std::string expected_size = std::to_string(fs::file_size(disks_[1]) - 1);
    EXPECT_NE(verified.out.find("disk-1: MISMATCH (expected " + expected_size + " bytes"), std::string::npos)
        << verified.out;
}

TEST_F(ManifestCli, VerifyRefusesAnInvalidManifest) {
    manifest_test::write_file(manifest_path_, R"({"manifest_version": "2.0", "disks": []})");
    const auto verified = hyperexport("manifest verify " + q(manifest_path_));
    EXPECT_EQ(verified.exit_code, 1);
    EXPECT_NE(verified.err.find(R"(manifest_version: must be "1.0", got "2.0")"), std::string::npos)
        << verified.err;
    EXPECT_NE(verified.err.find("disks: must list at least one disk"), std::string::npos) << verified.err;
}

TEST_F(ManifestCli, ShowGoodAndBadManifests) {
    ASSERT_EQ(create_all().exit_code, 0);
    auto shown = hyperexport("manifest show " + q(manifest_path_));
    EXPECT_EQ(shown.exit_code, 0) << shown.err;
    for (const std::string& expected : std::vector<std::string>{
             "version:  1.0", "provider vsphere", "vm web01", "Disks (5):", "disk-0  vmdk", "disk-2  vhd",
             "boot order 0", "sha256:", disks_[0].string(),
             "(" + std::to_string(fs::file_size(disks_[0])) + " bytes)",
             "Pipeline: inspect off, fix off, convert on, validate on",
             "directory " + (dir_ / "converted").string(), "format qcow2", "Validation: OK"})
        EXPECT_NE(shown.out.find(expected), std::string::npos) << expected << "\n" << shown.out;

    fs::remove(disks_[2]);
    shown = hyperexport("manifest show " + q(manifest_path_));
    EXPECT_EQ(shown.exit_code, 1);
    EXPECT_NE(shown.out.find("Disks (5):"), std::string::npos);  // still shown
    EXPECT_NE(shown.err.find("disks[2].local_path: file not found"), std::string::npos) << shown.err;
    shown = hyperexport("manifest show --no-file-check " + q(manifest_path_));
    EXPECT_EQ(shown.exit_code, 0) << shown.err;

    manifest_test::write_file(manifest_path_, "{\"manifest_version\": \"1.0\", \"disks\": [");
    shown = hyperexport("manifest show " + q(manifest_path_));
    EXPECT_EQ(shown.exit_code, 1);
    EXPECT_NE(shown.err.find("(document): not valid JSON"), std::string::npos) << shown.err;
}

TEST_F(ManifestCli, CreateHandlesRelativePathsExplicitFormatsAndColons) {
    const fs::path colon = dir_ / "vm:disk.raw";
    manifest_test::write_file(colon, std::string(8192, 'z'));
    const auto created = manifest_test::run_command(
        "cd " + q(dir_.path()) + " && " + shell_quote(HYPEREXPORT_BIN) +
        " manifest create --disk plain.img:qcow2 --disk vm:disk.raw --disk ./web01.vmdk --target-format raw");
    ASSERT_EQ(created.exit_code, 0) << created.err;
    const ManifestReadResult read =
        read_manifest_file(dir_ / "artifact-manifest.json");  // the default output
    ASSERT_EQ(read.manifest.disks.size(), 3u);
    EXPECT_EQ(read.manifest.disks[0].source_format, "qcow2");  // what the user said wins
    EXPECT_EQ(read.manifest.disks[1].local_path, colon.string());
    EXPECT_EQ(read.manifest.disks[1].source_format, "raw");
    EXPECT_EQ(read.manifest.disks[2].local_path, (dir_ / "web01.vmdk").string());
    EXPECT_EQ(read.manifest.disks[0].checksum, std::nullopt);
    EXPECT_EQ(read.manifest.output->format, std::optional<std::string>("raw"));
    EXPECT_EQ(read.manifest.output->directory, std::nullopt);
}

TEST_F(ManifestCli, CreateNeverWritesAnInvalidOrUnwantedFile) {
    auto created =
        hyperexport("manifest create --disk " + q(dir_ / "absent.vmdk") + " --output " + q(manifest_path_));
    EXPECT_EQ(created.exit_code, 1);
    EXPECT_NE(created.err.find("disk image not found: " + (dir_ / "absent.vmdk").string()), std::string::npos)
        << created.err;
    EXPECT_FALSE(fs::exists(manifest_path_));

    created = hyperexport("manifest create --disk " + q(dir_.path()) + " --output " + q(manifest_path_));
    EXPECT_EQ(created.exit_code, 1);
    EXPECT_FALSE(fs::exists(manifest_path_));

    ASSERT_EQ(create_all("").exit_code, 0);
    const std::string first = manifest_test::read_file(manifest_path_);
    created = create_all("");
    EXPECT_EQ(created.exit_code, 1);
    EXPECT_NE(created.err.find("--force"), std::string::npos) << created.err;
    EXPECT_EQ(manifest_test::read_file(manifest_path_), first);
    EXPECT_EQ(create_all("--force").exit_code, 0);
    EXPECT_FALSE(fs::exists(manifest_path_.string() + ".part"));
}

TEST(ManifestCliUsage, BadArgumentsPrintOneLineAndExitTwo) {
    const char* bad[] = {
        "manifest",
        "manifest frobnicate",
        "manifest create",
        "manifest create --disk /dev/null --bogus",
        "manifest create --disk /dev/null --target-format vmdk",
        "manifest create --disk /tmp/disk.img:qcow3",
        "manifest create --disk",
        "manifest verify",
        "manifest verify a.json b.json",
        "manifest verify --jobs many a.json",
        "manifest show",
        "manifest show --bogus a.json",
    };
    for (const char* arguments : bad) {
        const auto result = hyperexport(arguments);
        EXPECT_EQ(result.exit_code, 2) << arguments << "\n" << result.out << result.err;
        EXPECT_TRUE(is_one_line(result.err)) << arguments << ": [" << result.err << "]";
        EXPECT_EQ(result.out, "") << arguments;
    }
}

TEST(ManifestCliUsage, HelpIsComplete) {
    const std::pair<const char*, std::vector<const char*>> helps[] = {
        {"manifest --help", {"verify FILE", "show FILE", "create --disk PATH"}},
        {"manifest verify --help", {"--jobs", "MISMATCH", "MISSING", "Exit status"}},
        {"manifest show --help", {"--no-file-check", "FILE"}},
        {"manifest create --help",
         {"--disk", "--provider", "--vm-name", "--target-format", "--checksum", "--output ", "--output-dir",
          "--force", "--jobs", "vmdk, qcow2, raw"}},
    };
    for (const auto& [arguments, expected] : helps) {
        const auto result = hyperexport(arguments);
        EXPECT_EQ(result.exit_code, 0) << arguments << result.err;
        for (const char* text : expected)
            EXPECT_NE(result.out.find(text), std::string::npos) << arguments << ": " << text;
    }
    const auto top = hyperexport("--help");
    EXPECT_NE(top.out.find("manifest"), std::string::npos) << top.out;
}

}  // namespace
