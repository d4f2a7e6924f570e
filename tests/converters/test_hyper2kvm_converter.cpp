// The hyper2kvm converter plugin driving tests/converters/fake-hyper2kvm (the
// real hyper2kvm comes from PyPI, out of reach here): the documented command
// line, report.json parsing, failure surfacing, deadline and cancellation
// killing the whole process group, and the not-installed message.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include "converter_harness.hpp"
#include "test_images.hpp"

namespace fs = std::filesystem;
using namespace hypersdk::test;
using namespace std::chrono_literals;

namespace {

constexpr uint64_t kImageSize = 8 * 1024 * 1024;

std::string config_with(const std::string& env_json = "{}", const std::string& extra = "") {
    return R"({"binary_path": ")" FAKE_HYPER2KVM R"(", "environment": )" + env_json + extra + "}";
}

class Hyper2kvmConverter : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        sources_dir_ = std::make_unique<TempDir>();
        raw_ = *sources_dir_ / "pattern.raw";
        write_patterned_raw(raw_, kImageSize, 21);
        for (const auto& kind : {"vmdk-stream", "vhd-fixed", "vhdx", "qcow2"})
            images_.push_back(make_source_image(sources_dir_->path(), raw_, kind));
    }
    static void TearDownTestSuite() {
        images_.clear();
        sources_dir_.reset();
    }
    void SetUp() override { plugin_ = std::make_unique<LoadedConverter>(PLUGIN_PATH); }

    ManifestSpec spec_all() const {
        ManifestSpec spec;
        int hint = static_cast<int>(images_.size());
        // Listed in reverse boot order: the result must still put the boot disk first.
        for (const auto& img : images_) spec.disks.push_back({img.id, img.manifest_format, img.path, --hint});
        return spec;
    }
    std::string write(const ManifestSpec& spec) const {
        const std::string path = work_ / "artifact-manifest.json";
        write_manifest(path, spec);
        return path;
    }

    static inline std::unique_ptr<TempDir> sources_dir_;
    static inline std::string raw_;
    static inline std::vector<SourceImage> images_;
    TempDir work_;
    std::unique_ptr<LoadedConverter> plugin_;
};

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

TEST_F(Hyper2kvmConverter, DeclaresItsCapabilities) {
    EXPECT_STREQ(plugin_->descriptor().id, "org.hypersdk.converter.hyper2kvm");
    const auto& caps = *plugin_->converter().capabilities;
    EXPECT_TRUE(caps.supports_driver_injection);
    EXPECT_TRUE(caps.supports_os_detection);
    EXPECT_TRUE(caps.supports_validation);
    EXPECT_EQ(caps.priority, 100);
    EXPECT_STREQ(caps.tool_name, "hyper2kvm");
    EXPECT_STREQ(caps.install_hint, "pip install hyper2kvm");
    EXPECT_STREQ(caps.supported_providers[0], "*");
    int targets = 0;
    for (auto p = caps.supported_target_formats; *p != nullptr; ++p) ++targets;
    EXPECT_EQ(targets, 3);
}

TEST_F(Hyper2kvmConverter, ValidateAndVersionRunTheBinary) {
    EXPECT_EQ(plugin_->validate(config_with()).status, HYPERSDK_OK);
    const auto v = plugin_->version(config_with());
    EXPECT_EQ(v.status, HYPERSDK_OK) << v.error;
    EXPECT_EQ(v.text, "0.2.0");
}

TEST_F(Hyper2kvmConverter, NotInstalledGivesTheExactMessage) {
    for (const char* dir : {"/usr/local/bin/hyper2kvm", "/usr/bin/hyper2kvm"})
        if (fs::exists(dir)) GTEST_SKIP() << "a real hyper2kvm is installed at " << dir;
    TempDir empty;
    const std::string saved_path = std::getenv("PATH") != nullptr ? std::getenv("PATH") : "";
    const std::string saved_home = std::getenv("HOME") != nullptr ? std::getenv("HOME") : "";
    ::setenv("PATH", empty.path().c_str(), 1);
    ::setenv("HOME", empty.path().c_str(), 1);
    const auto v = plugin_->validate("{}");
    const auto c = plugin_->convert("{}", write(spec_all()), "{}");
    ::setenv("PATH", saved_path.c_str(), 1);
    ::setenv("HOME", saved_home.c_str(), 1);
    const std::string expected =
        "hyper2kvm not found (install with: pip install hyper2kvm, or pass --hyper2kvm-binary)";
    EXPECT_EQ(v.status, HYPERSDK_ERR_TOOL_MISSING);
    EXPECT_EQ(v.error, expected);
    EXPECT_EQ(c.status, HYPERSDK_ERR_TOOL_MISSING);
    EXPECT_EQ(c.error, expected);
    EXPECT_EQ(std::string(c.result["error"].GetString()), expected);
}

TEST_F(Hyper2kvmConverter, BinaryPathMustBeAnExecutableRegularFile) {
    const std::string not_exec = work_ / "hyper2kvm";
    std::ofstream(not_exec) << "#!/bin/sh\n";
    const auto r = plugin_->validate(R"({"binary_path": ")" + not_exec + R"("})");
    EXPECT_EQ(r.status, HYPERSDK_ERR_TOOL_MISSING);
    EXPECT_EQ(r.error,
              "hyper2kvm binary " + not_exec +
                  ": is not executable (install with: pip install hyper2kvm, or pass --hyper2kvm-binary)");
    const auto dir = plugin_->validate(R"({"binary_path": ")" + work_.path().string() + R"("})");
    EXPECT_TRUE(contains(dir.error, "is a directory")) << dir.error;
}

// hyper2kvm (and everything it starts) must not see the vCenter password or
// cloud keys of the shell hyperexport runs in: the version probe and the
// conversion both get the parent's environment minus the vendors' credential
// variables and minus environment_unset, plus environment.
TEST_F(Hyper2kvmConverter, ToolEnvironmentHasNoCredentials) {
    const std::vector<std::string> credentials = {
        "GOVC_PASSWORD",         "GOVC_URL",
        "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
        "AZURE_CLIENT_SECRET",   "AZURE_CLIENT_CERTIFICATE_PASSWORD",
        "AZURE_STORAGE_KEY",     "GOOGLE_OAUTH_ACCESS_TOKEN"};
    for (const auto& name : credentials) ::setenv(name.c_str(), ("secret-of-" + name).c_str(), 1);
    ::setenv("HYPERSDK_TEST_DECLARED_SECRET", "plugin-secret", 1);
    ::setenv("HYPERSDK_TEST_PLAIN", "plain", 1);
    auto config_dumping_to = [](const std::string& env_file) {
        return config_with(
            R"({"FAKE_HYPER2KVM_ENV_FILE": ")" + env_file + R"(", "HYPERSDK_TEST_ADDED": "added"})",
            R"(, "environment_unset": ["HYPERSDK_TEST_DECLARED_SECRET"])");
    };
    const std::string version_env = work_ / "version-env.json";
    const std::string convert_env = work_ / "convert-env.json";
    const auto v = plugin_->version(config_dumping_to(version_env));
    const auto c = plugin_->convert(config_dumping_to(convert_env), write(spec_all()), "{}");
    for (const auto& name : credentials) ::unsetenv(name.c_str());
    ::unsetenv("HYPERSDK_TEST_DECLARED_SECRET");
    ::unsetenv("HYPERSDK_TEST_PLAIN");
    ASSERT_EQ(v.status, HYPERSDK_OK) << v.error;
    ASSERT_EQ(c.status, HYPERSDK_OK) << c.error;

    for (const auto& file : {version_env, convert_env}) {
        SCOPED_TRACE(file);
        rapidjson::Document env;
        env.Parse(read_file(file));
        ASSERT_TRUE(env.IsObject()) << read_file(file);
        for (const auto& name : credentials) EXPECT_FALSE(env.HasMember(name.c_str())) << name << " leaked";
        EXPECT_FALSE(env.HasMember("HYPERSDK_TEST_DECLARED_SECRET"));
        ASSERT_TRUE(env.HasMember("HYPERSDK_TEST_PLAIN"));
        EXPECT_STREQ(env["HYPERSDK_TEST_PLAIN"].GetString(), "plain");
        ASSERT_TRUE(env.HasMember("HYPERSDK_TEST_ADDED"));
        EXPECT_STREQ(env["HYPERSDK_TEST_ADDED"].GetString(), "added");
        EXPECT_TRUE(env.HasMember("PATH"));
    }
}

TEST_F(Hyper2kvmConverter, ConvertsEveryDiskIdenticallyAndReadsTheReport) {
    auto spec = spec_all();
    spec.validate = true;
    const std::string argv_file = work_ / "argv.json";
    const auto r = plugin_->convert(config_with(R"({"FAKE_HYPER2KVM_ARGV_FILE": ")" + argv_file + R"("})"),
                                    write(spec), R"({"stream_output": true, "verbose": 2})");
    ASSERT_EQ(r.status, HYPERSDK_OK) << r.error << "\n" << r.text;
    EXPECT_TRUE(r.result["success"].GetBool());

    // The documented command line, manifest path absolute.
    rapidjson::Document argv;
    argv.Parse(read_file(argv_file));
    ASSERT_TRUE(argv.IsArray());
    ASSERT_EQ(argv.Size(), 3u);
    EXPECT_STREQ(argv[0].GetString(), "--manifest");
    EXPECT_EQ(std::string(argv[1].GetString()), work_ / "artifact-manifest.json");
    EXPECT_STREQ(argv[2].GetString(), "-vv");

    const std::string out_dir = work_ / "output";
    const auto& files = r.result["converted_files"];
    ASSERT_EQ(files.Size(), images_.size());
    EXPECT_EQ(std::string(files[0].GetString()), out_dir + "/qcow2.qcow2");  // lowest boot_order_hint first
    for (const auto& img : images_) {
        EXPECT_EQ(compare_images(img.path, img.qemu_format, out_dir + "/" + img.id + ".qcow2", "qcow2"), "")
            << img.id;
        EXPECT_EQ(compare_images(raw_, "raw", out_dir + "/" + img.id + ".qcow2", "qcow2"), "") << img.id;
    }
    EXPECT_EQ(std::string(r.result["report_path"].GetString()), out_dir + "/report.json");
    const auto& meta = r.result["metadata"];
    EXPECT_STREQ(meta["tool_version"].GetString(), "0.2.0");
    EXPECT_EQ(meta["exit_code"].GetInt(), 0);
    EXPECT_TRUE(meta["stages"]["convert"]["success"].GetBool());
    EXPECT_EQ(meta["stages"]["convert"]["result"]["converted_disks"].Size(), images_.size());
    EXPECT_TRUE(meta["stages"]["validate"]["success"].GetBool());
    // Streamed lines from the tool's stderr log.
    EXPECT_TRUE(std::any_of(r.output.begin(), r.output.end(),
                            [](const auto& l) { return contains(l, "converting disk vmdk-stream"); }));
    ASSERT_FALSE(r.progress.empty());
    EXPECT_EQ(r.progress.back().first, r.progress.back().second);
}

TEST_F(Hyper2kvmConverter, ReportPathOptionAndReportWarningsAreHonoured) {
    ManifestSpec spec;
    spec.disks.push_back({"disk0", "vhdx", images_[2].path, 0});
    spec.output_directory = work_ / "converted";
    spec.output_format = "raw";
    spec.report_path = "reports/run.json";
    spec.validate = true;
    const auto r = plugin_->convert(config_with(), write(spec), R"({"target_format": "qcow2"})");
    ASSERT_EQ(r.status, HYPERSDK_OK) << r.error;
    EXPECT_EQ(std::string(r.result["report_path"].GetString()), work_ / "converted/reports/run.json");
    EXPECT_EQ(compare_images(raw_, "raw", work_ / "converted/disk0.raw", "raw"), "");
    // The fake warns that raw cannot be checked; target_format cannot override the manifest.
    std::vector<std::string> warnings;
    for (const auto& w : r.result["warnings"].GetArray()) warnings.emplace_back(w.GetString());
    EXPECT_TRUE(std::any_of(warnings.begin(), warnings.end(),
                            [](auto& w) { return contains(w, "cannot check raw"); }));
    EXPECT_TRUE(std::any_of(warnings.begin(), warnings.end(),
                            [](auto& w) { return contains(w, "target_format 'qcow2' ignored"); }));
    EXPECT_TRUE(std::any_of(r.warnings.begin(), r.warnings.end(), [](auto& w) {
        return w.stage == "validate" && contains(w.message, "cannot check raw");
    }));
}

TEST_F(Hyper2kvmConverter, FailureSurfacesTheReportsErrors) {
    const auto r =
        plugin_->convert(config_with(R"({"FAKE_HYPER2KVM_MODE": "fail"})"), write(spec_all()), "{}");
    EXPECT_EQ(r.status, HYPERSDK_ERR_TOOL_FAILED);
    EXPECT_TRUE(contains(r.error, "convert: simulated conversion failure (FAKE_HYPER2KVM_MODE=fail)"))
        << r.error;
    EXPECT_TRUE(contains(r.error, "exit code 1")) << r.error;
    EXPECT_FALSE(r.result["success"].GetBool());
    EXPECT_EQ(std::string(r.result["report_path"].GetString()), work_ / "output/report.json");
    EXPECT_FALSE(r.result["metadata"]["stages"]["convert"]["success"].GetBool());
}

TEST_F(Hyper2kvmConverter, GarbageReportIsNamed) {
    const auto r = plugin_->convert(config_with(R"({"FAKE_HYPER2KVM_MODE": "garbage-report"})"),
                                    write(spec_all()), "{}");
    EXPECT_EQ(r.status, HYPERSDK_ERR_TOOL_FAILED);
    EXPECT_TRUE(contains(
        r.error, "hyper2kvm report " + (work_ / "output/report.json").string() + " is not valid JSON"))
        << r.error;
}

// A report.json nested 200,000 deep used to overflow the stack of the
// process that loaded the plugin (the host) in the recursive JSON parser.
TEST_F(Hyper2kvmConverter, DeeplyNestedReportIsRefusedWithoutCrashing) {
    const auto r =
        plugin_->convert(config_with(R"({"FAKE_HYPER2KVM_MODE": "deep-report"})"), write(spec_all()), "{}");
    EXPECT_EQ(r.status, HYPERSDK_ERR_TOOL_FAILED);
    EXPECT_TRUE(contains(r.error, "hyper2kvm report " + (work_ / "output/report.json").string() +
                                      " is nested deeper than 128 levels"))
        << r.error;
}

TEST_F(Hyper2kvmConverter, MissingReportIsNamed) {
    const auto r =
        plugin_->convert(config_with(R"({"FAKE_HYPER2KVM_MODE": "no-report"})"), write(spec_all()), "{}");
    EXPECT_EQ(r.status, HYPERSDK_ERR_TOOL_FAILED);
    EXPECT_TRUE(contains(r.error, "hyper2kvm exited 0 but wrote no report.json (looked for " +
                                      (work_ / "output/report.json").string()))
        << r.error;
}

TEST_F(Hyper2kvmConverter, StaleReportFromAnEarlierRunDoesNotCount) {
    fs::create_directories(work_ / "output");
    std::ofstream(work_ / "output/report.json") << R"({"pipeline": {"success": true}})";
    const auto old = fs::file_time_type::clock::now() - std::chrono::hours(1);
    fs::last_write_time(work_ / "output/report.json", old);
    const auto r =
        plugin_->convert(config_with(R"({"FAKE_HYPER2KVM_MODE": "no-report"})"), write(spec_all()), "{}");
    EXPECT_EQ(r.status, HYPERSDK_ERR_TOOL_FAILED) << r.text;
    EXPECT_TRUE(contains(r.error, "exited 0 but wrote no report.json")) << r.error;
}

namespace {

struct HangPids {
    pid_t pid = 0, pgid = 0, child = 0;
};

HangPids read_pids(const std::string& path) {
    HangPids p;
    rapidjson::Document d;
    d.Parse(read_file(path));
    if (d.IsObject()) p = {d["pid"].GetInt(), d["pgid"].GetInt(), d["child"].GetInt()};
    return p;
}

// Bounded wait until no live process remains in the group.
bool group_gone(pid_t pgid, std::chrono::milliseconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
        if (live_processes_in_group(pgid).empty()) return true;
        std::this_thread::sleep_for(50ms);
    }
    return live_processes_in_group(pgid).empty();
}

}  // namespace

TEST_F(Hyper2kvmConverter, JobDeadlineKillsTheHungToolAndItsChild) {
    const std::string pid_file = work_ / "pids.json";
    LoadedConverter::Hooks hooks;
    // 6 s: the fake is Python, and on a loaded 2-core machine it needs close
    // to 2 s just to start and spawn its child.
    hooks.setup = [](hypersdk::core::Job& job) { job.set_deadline(std::chrono::steady_clock::now() + 6s); };
    const auto started = std::chrono::steady_clock::now();
    const auto r = plugin_->convert(
        config_with(R"({"FAKE_HYPER2KVM_MODE": "hang", "FAKE_HYPER2KVM_PID_FILE": ")" + pid_file + R"("})"),
        write(spec_all()), "{}", hooks);
    const auto elapsed = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(r.status, HYPERSDK_ERR_CANCELLED) << r.error;
    EXPECT_GE(elapsed, 6s);
    EXPECT_LT(elapsed, 20s);
    const HangPids pids = read_pids(pid_file);
    ASSERT_GT(pids.child, 0) << "the fake did not start its child";
    EXPECT_EQ(pids.pgid, pids.pid) << "hyper2kvm must run in its own process group";
    EXPECT_TRUE(group_gone(pids.pgid, 3s)) << "a process of the group survived";
    EXPECT_FALSE(process_alive(pids.child));
}

TEST_F(Hyper2kvmConverter, ConfigTimeoutEscalatesToSigkillWhenTermIsIgnored) {
    const std::string pid_file = work_ / "pids.json";
    const auto started = std::chrono::steady_clock::now();
    const auto r = plugin_->convert(config_with(R"({"FAKE_HYPER2KVM_MODE": "hang-ignore-term",
                                                    "FAKE_HYPER2KVM_PID_FILE": ")" +
                                                    pid_file + R"("})",
                                                // 3 s: time for Python to start and ignore SIGTERM on a
                                                // loaded machine (1 s flaked once, likely TERM came first).
                                                ", \"timeout_seconds\": 3"),
                                    write(spec_all()), "{}");
    const auto elapsed = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(r.status, HYPERSDK_ERR_TIMEOUT) << r.error;
    EXPECT_TRUE(contains(r.error, "did not finish within timeout_seconds")) << r.error;
    EXPECT_GE(elapsed, 7s);  // 3 s deadline + the 5 s SIGTERM grace before SIGKILL (less 1 s slack)
    EXPECT_LT(elapsed, 25s);
    const HangPids pids = read_pids(pid_file);
    ASSERT_GT(pids.child, 0);
    EXPECT_TRUE(group_gone(pids.pgid, 3s));
}

TEST_F(Hyper2kvmConverter, CancellationMidConversionLeavesNoPartFile) {
    TempDir big_dir;
    write_random_raw(big_dir / "big.raw", 64 * 1024 * 1024, 5);
    ManifestSpec spec;
    spec.disks.push_back({"big", "raw", big_dir / "big.raw", 0});
    spec.compress = true;  // slow: incompressible data, compressed output
    const std::string part = work_ / "output/big.qcow2.part";
    bool part_seen = false;
    LoadedConverter::Hooks hooks;
    hooks.on_output = [&](hypersdk::core::Job& job, std::string_view line) {
        if (!contains(std::string(line), "running qemu-img convert")) return;
        for (int i = 0; i < 200 && !fs::exists(part); ++i) std::this_thread::sleep_for(10ms);
        part_seen = fs::exists(part);
        job.cancel();
    };
    const auto r = plugin_->convert(config_with(), write(spec), R"({"stream_output": true})", hooks);
    EXPECT_TRUE(part_seen) << "the fake never started writing";
    EXPECT_EQ(r.status, HYPERSDK_ERR_CANCELLED) << r.error;
    EXPECT_TRUE(files_with_suffix(work_.path(), ".part").empty());
    EXPECT_FALSE(fs::exists(work_ / "output/big.qcow2"));
}

TEST_F(Hyper2kvmConverter, DryRunOnlyPrintsTheCommand) {
    const auto r = plugin_->convert(config_with(), write(spec_all()), R"({"dry_run": true, "verbose": 1,
                                                                       "custom_args": ["--log-file", "/tmp/x"]})");
    ASSERT_EQ(r.status, HYPERSDK_OK) << r.error;
    ASSERT_EQ(r.output.size(), 1u);
    EXPECT_EQ(r.output[0], std::string("dry run: ") + FAKE_HYPER2KVM + " --manifest " +
                               (work_ / "artifact-manifest.json").string() + " -v --log-file /tmp/x");
    EXPECT_FALSE(fs::exists(work_ / "output"));
}
