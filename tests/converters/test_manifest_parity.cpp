// One contract, one reader: every manifest the host refuses, the converters'
// reader (plugin_common::read_manifest) refuses with the same message, and
// every manifest the host accepts, they accept. A converter must never act on
// a manifest `hyperexport convert` would have refused.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <hypersdk/core/manifest_reader.hpp>
#include <hypersdk/core/manifest_validator.hpp>
#include <hypersdk/cxx/plugin.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "hypersdk/plugin_common/manifest_reader.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
namespace pc = hypersdk::plugin_common;
using hypersdk::test::TempDir;

namespace {

struct Case {
    const char* name;
    std::string json;
};

class ManifestParity : public ::testing::Test {
protected:
    void SetUp() override {
        disk_ = (dir_ / "disk-0.raw").string();
        std::ofstream(disk_) << std::string(512, 'x');
        fs::create_directories(dir_ / "a-directory");
    }

    // One disk whose fields can be overridden; `rest` goes after "disks".
    std::string manifest(const std::string& disk_fields, const std::string& rest = "") const {
        return R"({"manifest_version": "1.0", "disks": [{"id": "disk-0", "source_format": "raw", "bytes": 512, )" +
               disk_fields + "}]" + rest + "}";
    }
    std::string with_path(const std::string& local_path, const std::string& rest = "") const {
        return manifest(R"("local_path": ")" + local_path + "\"", rest);
    }
    std::string good_disk(const std::string& rest = "") const { return with_path(disk_, rest); }

    fs::path write(const std::string& json) const {
        const fs::path path = dir_ / "artifact-manifest.json";
        std::ofstream(path, std::ios::trunc) << json;
        return path;
    }

    // What the host says (empty when it accepts the manifest).
    static std::string host_verdict(const fs::path& path) {
        namespace core = hypersdk::core;
        return core::format_issues(core::validate_read_result(core::read_manifest_file(path)));
    }

    TempDir dir_;
    std::string disk_;
};

TEST_F(ManifestParity, EveryManifestTheHostRefusesTheConvertersRefuseWithTheSameMessage) {
    const std::vector<Case> bad = {
        {"not JSON", "{\"manifest_version\": \"1.0\", "},
        {"not an object", "[]"},
        {"nested too deep", std::string(200, '[') + std::string(200, ']')},
        {"no version", R"({"disks": []})"},
        {"version 2.0", R"({"manifest_version": "2.0", "disks": [{"id": "disk-0", "source_format": "raw", )"
                        R"("bytes": 1, "local_path": ")" +
                            disk_ + R"("}]})"},
        {"no disks", R"({"manifest_version": "1.0", "disks": []})"},
        {"bad id", R"({"manifest_version": "1.0", "disks": [{"id": "disk 0", "source_format": "raw", )"
                   R"("bytes": 1, "local_path": ")" +
                       disk_ + R"("}]})"},
        {"duplicate id", R"({"manifest_version": "1.0", "disks": [{"id": "d", "source_format": "raw", )"
                         R"("bytes": 1, "local_path": ")" +
                             disk_ +
                             R"("}, {"id": "d", "source_format": "raw", )"
                             R"("bytes": 1, "local_path": ")" +
                             disk_ + R"("}]})"},
        {"unknown format", R"({"manifest_version": "1.0", "disks": [{"id": "d", "source_format": "iso", )"
                           R"("bytes": 1, "local_path": ")" +
                               disk_ + R"("}]})"},
        {"bytes is a string", R"({"manifest_version": "1.0", "disks": [{"id": "d", "source_format": "raw", )"
                              R"("bytes": "1", "local_path": ")" +
                                  disk_ + R"("}]})"},
        {"negative bytes", R"({"manifest_version": "1.0", "disks": [{"id": "d", "source_format": "raw", )"
                           R"("bytes": -1, "local_path": ")" +
                               disk_ + R"("}]})"},
        {"relative local_path", with_path("disk-0.raw")},
        {"missing disk file", with_path((dir_ / "absent.raw").string())},
        {"disk is a directory", with_path((dir_ / "a-directory").string())},
        {"bad checksum", manifest(R"("local_path": ")" + disk_ + R"(", "checksum": "sha256:00")")},
        {"duplicate key", manifest(R"("local_path": ")" + disk_ + R"(", "local_path": "/x")")},
        {"efi firmware", good_disk(R"(, "vm": {"firmware": "efi"})")},
        {"bad mac", good_disk(R"(, "nics": [{"mac": "zz"}])")},
        {"bad timestamp", good_disk(R"(, "metadata": {"created_at": "yesterday"})")},
        {"unknown pipeline key", good_disk(R"(, "pipeline": {"deploy": {"enabled": true}})")},
        {"stage without enabled", good_disk(R"(, "pipeline": {"validate": {}})")},
        {"compress level 12",
         good_disk(R"(, "pipeline": {"convert": {"enabled": true, "compress_level": 12}})")},
        {"verbose 5", good_disk(R"(, "options": {"verbose": 5})")},
        {"output format vmdk", good_disk(R"(, "output": {"format": "vmdk"})")},
        {"report is not an object", good_disk(R"(, "options": {"report": "r.json"})")},
        {"disk is a character device", with_path("/dev/zero")},
        {"dot-dot in local_path",
         with_path(dir_.path().string() + "/../" + dir_.path().filename().string() + "/disk-0.raw")},
        {"ESC in local_path", with_path(disk_ + "\\u001b[2J")},
        {"dot-dot in output.directory", good_disk(R"(, "output": {"directory": "/srv/out/../../etc"})")},
        {"report outside the output", good_disk(R"(, "output": {"directory": "/srv/out"},)"
                                                R"( "options": {"report": {"path": "/etc/cron.d/x"}})")},
        {"report with dot-dot", good_disk(R"(, "options": {"report": {"path": "../../x.json"}})")},
        {"absolute report, no output", good_disk(R"(, "options": {"report": {"path": "/srv/out/r.json"}})")},
    };
    for (const Case& c : bad) {
        SCOPED_TRACE(c.name);
        const fs::path path = write(c.json);
        const std::string host = host_verdict(path);
        ASSERT_FALSE(host.empty()) << "the host accepts it";
        try {
            pc::read_manifest(path);
            ADD_FAILURE() << "the converters accept what the host refuses:\n" << host;
        } catch (const hypersdk::cxx::Error& error) {
            EXPECT_EQ(error.status(), HYPERSDK_ERR_INVALID_ARGUMENT);
            EXPECT_EQ(std::string(error.what()), "manifest " + path.string() + " is invalid:\n" + host);
        }
    }
}

TEST_F(ManifestParity, EveryManifestTheHostAcceptsTheConvertersAccept) {
    const std::string out = (dir_ / "out").string();
    const std::vector<Case> good = {
        {"minimal", good_disk()},
        {"relative report path",
         good_disk(R"(, "options": {"report": {"enabled": true, "path": "r/report.json"}})")},
        {"everything",
         good_disk(R"(, "source": {"provider": "vsphere", "vm_name": "web01"},)"
                   R"( "vm": {"cpu": 2, "mem_gb": 4, "firmware": "uefi"},)"
                   R"( "pipeline": {"convert": {"enabled": true, "compress": true, "compress_level": 6}},)"
                   R"( "output": {"directory": ")" +
                   out +
                   R"(", "format": "raw"},)"
                   R"( "options": {"dry_run": true, "verbose": 2, "report": {"path": "report.json"}},)"
                   R"( "x_vendor": {"kept": [1, 2]})")},
        {"relative output directory", good_disk(R"(, "output": {"directory": "converted"})")},
        {"absolute report inside the output",
         good_disk(R"(, "output": {"directory": ")" + out + R"("}, "options": {"report": {"path": ")" + out +
                   R"(/r/report.json"}})")},
    };
    for (const Case& c : good) {
        SCOPED_TRACE(c.name);
        const fs::path path = write(c.json);
        ASSERT_EQ(host_verdict(path), "");
        try {
            const pc::Manifest m = pc::read_manifest(path);
            ASSERT_EQ(m.disks.size(), 1u);
            EXPECT_EQ(m.disks[0].local_path, disk_);
        } catch (const hypersdk::cxx::Error& error) {
            ADD_FAILURE() << "the converters refuse what the host accepts: " << error.what();
        }
    }
}

}  // namespace
