// `hyperexport convert` end to end: the real binary, the real qemu-img and
// hyper2kvm converter plugins, real images in every source format, and
// `qemu-img compare` as the judge.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>

#include "images.hpp"
#include "process.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using namespace hypersdk::test;
using namespace std::chrono_literals;

namespace {

constexpr uint64_t kDiskBytes = 64ull * 1024 * 1024;

struct Disk {
    std::string id;
    std::string format;  // manifest source_format
    fs::path path;
};

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string json_string(const std::string& text) {
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

// A manifest written by hand, as a user or another exporter would.
void write_manifest(const fs::path& file, const std::vector<Disk>& disks, const fs::path& output_dir,
                    const std::string& pipeline_json) {
    std::ostringstream json;
    json << "{\n  \"manifest_version\": \"1.0\",\n  \"source\": {\"provider\": \"vsphere\", \"vm_name\": "
            "\"test-vm\"},\n"
         << "  \"disks\": [\n";
    for (size_t i = 0; i < disks.size(); ++i) {
        json << "    {\"id\": " << json_string(disks[i].id) << ", \"source_format\": \"" << disks[i].format
             << "\", \"bytes\": " << fs::file_size(disks[i].path)
             << ", \"local_path\": " << json_string(disks[i].path.string()) << ", \"boot_order_hint\": " << i
             << "}" << (i + 1 < disks.size() ? ",\n" : "\n");
    }
    json << "  ],\n  \"pipeline\": " << pipeline_json
         << ",\n  \"output\": {\"directory\": " << json_string(output_dir.string())
         << ", \"format\": \"qcow2\"}\n}\n";
    std::ofstream(file) << json.str();
}

const char* const kConvertAndValidate = R"({"convert": {"enabled": true}, "validate": {"enabled": true}})";

class ConvertCommand : public ::testing::Test {
protected:
    void SetUp() override {
        source_raw_ = dir_ / "source.raw";
        write_patterned_raw(source_raw_, kDiskBytes);
        fs::create_directories(dir_ / "home");
    }

    // Hermetic: only the build tree's plugins, no hyper2kvm on PATH or in ~/.local/bin.
    ProcessResult hyperexport(std::vector<std::string> args, ProcessOptions options = {}) {
        args.insert(args.begin(), {HYPEREXPORT_BINARY, "--no-default-plugin-dirs", "--plugin-dir",
                                   HYPERSDK_TEST_PLUGIN_DIR});
        options.env["PATH"] = "/usr/bin:/bin";
        options.env["HOME"] = (dir_ / "home").string();
        options.unset_env.push_back("HYPERSDK_PLUGIN_PATH");
        return run_process(args, options);
    }

    std::vector<Disk> make_all_variants() {
        std::vector<Disk> disks;
        for (const auto& variant : all_source_variants()) {
            const fs::path image = dir_ / (variant.name + "." + variant.extension);
            convert_raw_to(source_raw_, variant, image);
            std::string id = variant.name;
            disks.push_back({id, variant.manifest_format, image});
        }
        return disks;
    }

    void expect_outputs_match_source(const std::vector<Disk>& disks, const fs::path& output_dir) {
        for (const auto& disk : disks) {
            const fs::path converted = output_dir / (disk.id + ".qcow2");
            ASSERT_TRUE(fs::exists(converted)) << converted;
            std::string detail;
            EXPECT_TRUE(images_identical(source_raw_, "raw", converted, "qcow2", &detail))
                << disk.id << ": " << detail;
            EXPECT_FALSE(fs::exists(converted.string() + ".part")) << converted;
        }
    }

    TempDir dir_;
    fs::path source_raw_;
};

TEST_F(ConvertCommand, QemuImgPluginConvertsEverySourceFormatIdentically) {
    const auto disks = make_all_variants();
    const fs::path manifest = dir_ / "artifact-manifest.json";
    const fs::path output = dir_ / "out";
    write_manifest(manifest, disks, output, kConvertAndValidate);
    const std::string manifest_before = sha256_of_file(manifest);

    const auto result = hyperexport({"convert", "--manifest", manifest.string(), "--converter", "qemu-img"});
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_NE(result.out.find("SUCCESS"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("Converted Files (KVM-Ready):"), std::string::npos) << result.out;
    expect_outputs_match_source(disks, output);
    for (const auto& disk : disks)
        EXPECT_NE(result.out.find((output / (disk.id + ".qcow2")).string()), std::string::npos) << disk.id;

    // The report has hyper2kvm's shape, so every converter's output reads the same.
    rapidjson::Document report;
    report.Parse(read_text(output / "report.json").c_str());
    ASSERT_FALSE(report.HasParseError());
    ASSERT_TRUE(report.HasMember("pipeline") && report["pipeline"].IsObject());
    EXPECT_TRUE(report["pipeline"]["success"].GetBool());
    ASSERT_TRUE(report["artifacts"].IsArray());
    EXPECT_EQ(report["artifacts"].Size(), disks.size());
    EXPECT_EQ(sha256_of_file(manifest), manifest_before) << "convert must never modify the manifest";
}

TEST_F(ConvertCommand, Hyper2kvmIsPreferredAndItsReportIsRead) {
    const auto all = make_all_variants();
    // Boot disk streamOptimized (the shape vSphere exports) plus a fixed VHD data disk.
    const std::vector<Disk> disks{all[1], all[3]};
    const fs::path manifest = dir_ / "artifact-manifest.json";
    const fs::path output = dir_ / "kvm";
    write_manifest(manifest, disks, output, kConvertAndValidate);

    const auto result =
        hyperexport({"convert", "--manifest", manifest.string(), "--hyper2kvm-binary", FAKE_HYPER2KVM});
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_NE(result.out.find("with org.hypersdk.converter.hyper2kvm"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("[HYPER2KVM] "), std::string::npos) << "tool output is streamed with a prefix";
    expect_outputs_match_source(disks, output);
}

TEST_F(ConvertCommand, StreamConversionFalseHidesToolOutput) {
    const auto all = make_all_variants();
    const fs::path manifest = dir_ / "artifact-manifest.json";
    write_manifest(manifest, {all[0]}, dir_ / "out", kConvertAndValidate);
    const auto result = hyperexport({"convert", "--manifest", manifest.string(), "--hyper2kvm-binary",
                                     FAKE_HYPER2KVM, "--stream-conversion=false"});
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_EQ(result.out.find("[HYPER2KVM] "), std::string::npos) << result.out;
    EXPECT_EQ(result.err.find("[HYPER2KVM] "), std::string::npos) << result.err;
}

TEST_F(ConvertCommand, ExplainNamesWhyEachConverterIsRefused) {
    const auto all = make_all_variants();
    const fs::path manifest = dir_ / "artifact-manifest.json";
    // FIX needs driver injection: qemu-img cannot, and hyper2kvm is not installed.
    write_manifest(manifest, {all[0]}, dir_ / "out",
                   R"({"fix": {"enabled": true}, "convert": {"enabled": true}})");

    const auto explain = hyperexport({"convert", "--manifest", manifest.string(), "--explain"});
    EXPECT_EQ(explain.exit_code, 1) << explain.out << explain.err;
    EXPECT_NE(explain.out.find("no driver injection (manifest enables pipeline.fix)"), std::string::npos)
        << explain.out;
    EXPECT_NE(explain.out.find("hyper2kvm not found (install with: pip install hyper2kvm, or pass "
                               "--hyper2kvm-binary)"),
              std::string::npos)
        << explain.out;

    const auto run = hyperexport({"convert", "--manifest", manifest.string()});
    EXPECT_EQ(run.exit_code, 1);
    EXPECT_NE(run.err.find("no driver injection"), std::string::npos) << run.err;
    EXPECT_NE(run.err.find("no converter can do this job"), std::string::npos) << run.err;
    EXPECT_FALSE(fs::exists(dir_ / "out")) << "nothing may be written when no converter fits";

    // With hyper2kvm available, the same manifest routes to it.
    const auto with_tool = hyperexport(
        {"convert", "--manifest", manifest.string(), "--explain", "--hyper2kvm-binary", FAKE_HYPER2KVM});
    EXPECT_EQ(with_tool.exit_code, 0) << with_tool.out << with_tool.err;
    EXPECT_NE(with_tool.out.find("* org.hypersdk.converter.hyper2kvm"), std::string::npos) << with_tool.out;
}

TEST_F(ConvertCommand, TimeoutStopsTheConverterAndKeepsInputs) {
    const auto all = make_all_variants();
    const fs::path manifest = dir_ / "artifact-manifest.json";
    write_manifest(manifest, {all[0]}, dir_ / "out", kConvertAndValidate);
    const std::string manifest_before = sha256_of_file(manifest);
    const std::string disk_before = sha256_of_file(all[0].path);

    ProcessOptions options;
    options.env["FAKE_HYPER2KVM_MODE"] = "hang";
    options.timeout = 60s;
    const auto started = std::chrono::steady_clock::now();
    const auto result = hyperexport({"convert", "--manifest", manifest.string(), "--hyper2kvm-binary",
                                     FAKE_HYPER2KVM, "--conversion-timeout", "2s"},
                                    options);
    const auto elapsed = std::chrono::steady_clock::now() - started;
    ASSERT_FALSE(result.timed_out) << "hyperexport itself must stop";
    EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
    EXPECT_NE(result.err.find("timed out"), std::string::npos) << result.err;
    EXPECT_NE(result.out.find("TIMED OUT"), std::string::npos) << result.out;
    EXPECT_LT(elapsed, 30s);
    EXPECT_EQ(sha256_of_file(manifest), manifest_before);
    EXPECT_EQ(sha256_of_file(all[0].path), disk_before);
}

// SIGINT (Ctrl-C), SIGTERM and SIGHUP (a closed terminal or ssh session) all
// do the same: cancel the job, kill the tool's whole process group (the fake
// hyper2kvm hangs with a child of its own), leave no .part file, exit 1.
class ConvertSignal : public ConvertCommand, public ::testing::WithParamInterface<int> {};

TEST_P(ConvertSignal, CancelsKillsTheToolGroupAndLeavesNoPartFiles) {
    const auto all = make_all_variants();
    const fs::path manifest = dir_ / "artifact-manifest.json";
    const fs::path output = dir_ / "out";
    const fs::path pid_file = dir_ / "tool-pids.txt";
    write_manifest(manifest, {all[0]}, output, kConvertAndValidate);

    ProcessOptions options;
    options.env["FAKE_HYPER2KVM_MODE"] = "hang";
    options.env["FAKE_HYPER2KVM_PID_FILE"] = pid_file.string();
    options.env["PATH"] = "/usr/bin:/bin";
    options.env["HOME"] = (dir_ / "home").string();
    BackgroundProcess process(
        {HYPEREXPORT_BINARY, "--no-default-plugin-dirs", "--plugin-dir", HYPERSDK_TEST_PLUGIN_DIR, "convert",
         "--manifest", manifest.string(), "--hyper2kvm-binary", FAKE_HYPER2KVM},
        options);
    ASSERT_TRUE(process.wait_for_output("[HYPER2KVM]", 20s)) << process.out() << process.err();
    // The tool's group: the fake writes {"pid", "pgid", "child"} once its child runs.
    pid_t tool_group = 0;
    for (int i = 0; i < 200 && tool_group == 0; ++i) {
        std::ifstream in(pid_file);
        const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        rapidjson::Document pids;
        pids.Parse(text.c_str());
        if (pids.IsObject() && pids.HasMember("child") && pids.HasMember("pgid"))
            tool_group = static_cast<pid_t>(pids["pgid"].GetInt());
        else
            std::this_thread::sleep_for(50ms);
    }
    ASSERT_GT(tool_group, 0) << "the fake tool did not start its child";
    ASSERT_TRUE(process_group_alive(tool_group));
    process.send_signal(GetParam());
    const auto result = process.wait(30s);
    ASSERT_FALSE(result.timed_out) << strsignal(GetParam()) << " must stop the conversion";
    EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
    EXPECT_NE(result.err.find("cancelled"), std::string::npos) << result.err;
    EXPECT_FALSE(process_group_alive(process.pid()));
    bool tool_alive = true;
    for (int i = 0; i < 60 && tool_alive; ++i) {  // reaping may lag by a moment
        tool_alive = process_group_alive(tool_group);
        if (tool_alive) std::this_thread::sleep_for(50ms);
    }
    EXPECT_FALSE(tool_alive) << "the tool's process group outlived hyperexport";
    if (fs::exists(output)) {
        for (const auto& entry : fs::recursive_directory_iterator(output))
            EXPECT_NE(entry.path().extension(), ".part") << entry.path();
    }
}

INSTANTIATE_TEST_SUITE_P(EverySignal, ConvertSignal, ::testing::Values(SIGINT, SIGTERM, SIGHUP),
                         [](const ::testing::TestParamInfo<int>& info) {
                             return std::string(sigabbrev_np(info.param));
                         });

// A converter reports a warning through job_warning and again in its
// ConversionResult: the user sees it once.
TEST_F(ConvertCommand, EachWarningIsShownOnce) {
    const auto all = make_all_variants();
    const fs::path manifest = dir_ / "artifact-manifest.json";
    write_manifest(manifest, {all[0]}, dir_ / "out", kConvertAndValidate);
    const auto result = hyperexport({"convert", "--manifest", manifest.string(), "--converter", "qemu-img",
                                     "--target-format", "raw", "--compress-level", "5", "--json"});
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    rapidjson::Document document;
    ASSERT_FALSE(document.Parse(result.out.c_str()).HasParseError()) << result.out;
    size_t seen = 0;
    for (const auto& warning : document["warnings"].GetArray())
        if (std::string(warning.GetString()).find("compression requested") != std::string::npos) ++seen;
    EXPECT_EQ(seen, 1u) << result.out;
}

// hyper2kvm (priority 100) fits but is not installed: qemu-img is used, and
// the user is told, in one line, why the better converter was passed over.
TEST_F(ConvertCommand, APassedOverConverterIsNamedWithItsReason) {
    const auto all = make_all_variants();
    const fs::path manifest = dir_ / "artifact-manifest.json";
    write_manifest(manifest, {all[0]}, dir_ / "out", kConvertAndValidate);
    const auto result = hyperexport({"convert", "--manifest", manifest.string()});
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_NE(
        result.out.find("[INFO] org.hypersdk.converter.hyper2kvm fits this job but cannot run (hyper2kvm "
                        "not found"),
        std::string::npos)
        << result.out;
    EXPECT_NE(result.out.find("; using org.hypersdk.converter.qemu-img instead"), std::string::npos)
        << result.out;
}

// --converter X whose tool is missing: the last line is X's reason, not the
// generic "no converter can do this job".
TEST_F(ConvertCommand, AForcedConverterThatCannotRunSaysWhy) {
    const auto all = make_all_variants();
    const fs::path manifest = dir_ / "artifact-manifest.json";
    write_manifest(manifest, {all[0]}, dir_ / "out", kConvertAndValidate);
    const auto result = hyperexport({"convert", "--manifest", manifest.string(), "--converter", "hyper2kvm"});
    EXPECT_EQ(result.exit_code, 1);
    const std::string last_line = result.err.substr(result.err.rfind('\n', result.err.size() - 2) + 1);
    EXPECT_EQ(
        last_line.rfind("hyperexport: --converter org.hypersdk.converter.hyper2kvm cannot run: hyper2kvm "
                        "not found",
                        0),
        0u)
        << result.err;
    EXPECT_EQ(result.err.find("no converter can do this job"), std::string::npos) << result.err;
}

// A converter that can fix the guest but not validate its output (virt-v2v,
// here the fake of tests/converters) is chosen for a full migration, and
// hyperexport runs qemu-img check on what it wrote: the result is in the
// summary, --json and report.json, and a corrupt image fails the job.
class HostValidation : public ConvertCommand, public ::testing::WithParamInterface<bool> {};

TEST_P(HostValidation, AConverterWithoutValidateIsCheckedByTheHost) {
    const bool corrupt = GetParam();
    const fs::path tools = dir_ / "tools";
    fs::create_directories(tools);
    for (const char* tool : {"nbdkit", "nbdcopy"}) {
        std::ofstream(tools / tool) << "#!/bin/sh\necho " << tool << " 1.32.5\n";
        fs::permissions(tools / tool, fs::perms::owner_all);
    }
    std::ofstream(dir_ / "vmlinuz") << "not really a kernel";
    const fs::path image = dir_ / "boot.qcow2";
    convert_raw_to(source_raw_, {"qcow2", "qcow2", "qcow2", {}, "qcow2"}, image);
    write_manifest(dir_ / "m.json", {{"disk-0", "qcow2", image}}, dir_ / "out",
                   R"({"inspect": {"enabled": true}, "fix": {"enabled": true}, "convert": {"enabled": true},)"
                   R"( "validate": {"enabled": true}})");
    ProcessOptions options;
    options.env["SUPERMIN_KERNEL"] = (dir_ / "vmlinuz").string();
    options.env["LIBGUESTFS_BACKEND_SETTINGS"] = "force_tcg";
    if (corrupt) options.env["FAKE_V2V_MODE"] = "corrupt";
    std::vector<std::string> args{"convert",           "--manifest",  (dir_ / "m.json").string(),
                                  "--virt-v2v-binary", FAKE_VIRT_V2V, "--json"};
    // The fake tools first; qemu-img and the shell from the system.
    auto with_tools = [&](std::vector<std::string> a) {
        a.insert(a.begin(),
                 {HYPEREXPORT_BINARY, "--no-default-plugin-dirs", "--plugin-dir", HYPERSDK_TEST_PLUGIN_DIR});
        options.env["PATH"] = tools.string() + ":/usr/bin:/bin";
        options.env["HOME"] = (dir_ / "home").string();
        options.unset_env.push_back("HYPERSDK_PLUGIN_PATH");
        return run_process(a, options);
    };
    auto result = with_tools(args);
    std::erase_if(result.out, [](char c) { return c == ' ' || c == '\n'; });  // pretty-printed JSON
    const std::string report = read_text(dir_ / "out" / "report.json");
    if (!corrupt) {
        ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
        EXPECT_NE(result.out.find(R"("converter":"org.hypersdk.converter.virt-v2v")"), std::string::npos)
            << result.out;
        EXPECT_NE(result.out.find(R"("passed":true,"detail":"noerrors")"), std::string::npos) << result.out;
        EXPECT_NE(report.find(R"("host_validation":{"tool":"qemu-img check")"), std::string::npos) << report;
        // virt-v2v's outputs carry the names every converter uses, and its
        // domain XML is listed beside them.
        EXPECT_NE(result.out.find(R"("converted_files":[")" + (dir_ / "out/disk-0.qcow2").string() + "\"]"),
                  std::string::npos)
            << result.out;
        EXPECT_NE(result.out.find(R"("artifacts":[{"kind":"libvirt_domain_xml","path":")" +
                                  (dir_ / "out/test-vm.xml").string() + "\"}]"),
                  std::string::npos)
            << result.out;
        // The summary, for a second job of the same disk into another directory.
        write_manifest(
            dir_ / "m2.json", {{"disk-0", "qcow2", image}}, dir_ / "out2",
            R"({"inspect": {"enabled": true}, "fix": {"enabled": true}, "convert": {"enabled": true},)"
            R"( "validate": {"enabled": true}})");
        const auto human = with_tools(
            {"convert", "--manifest", (dir_ / "m2.json").string(), "--virt-v2v-binary", FAKE_VIRT_V2V});
        EXPECT_EQ(human.exit_code, 0) << human.out << human.err;
        EXPECT_NE(human.out.find("qemu-img check by hyperexport: 1 of 1 image(s) OK"), std::string::npos)
            << human.out;
        EXPECT_NE(human.out.find("yes, by org.hypersdk.converter.virt-v2v"), std::string::npos) << human.out;
        EXPECT_NE(human.out.find("Other Outputs"), std::string::npos) << human.out;
        // virt-v2v's stage lines are shown unasked (no --stream), but not under --quiet.
        const size_t stage_line = human.out.find("] Setting up the source: -i disk");
        ASSERT_NE(stage_line, std::string::npos) << human.out;
        EXPECT_EQ(human.out.rfind("[VIRT-V2V] [", stage_line), human.out.rfind('\n', stage_line) + 1)
            << human.out;
        write_manifest(
            dir_ / "m3.json", {{"disk-0", "qcow2", image}}, dir_ / "out3",
            R"({"inspect": {"enabled": true}, "fix": {"enabled": true}, "convert": {"enabled": true},)"
            R"( "validate": {"enabled": true}})");
        const auto quiet = with_tools({"--quiet", "convert", "--manifest", (dir_ / "m3.json").string(),
                                       "--virt-v2v-binary", FAKE_VIRT_V2V});
        EXPECT_EQ(quiet.exit_code, 0) << quiet.out << quiet.err;
        EXPECT_EQ((quiet.out + quiet.err).find("Inspecting the source"), std::string::npos)
            << quiet.out << quiet.err;
        EXPECT_NE(human.out.find("1 (libvirt_domain_xml)"), std::string::npos) << human.out;
        EXPECT_NE(human.out.find("  * " + (dir_ / "out2/test-vm.xml").string() + " (libvirt_domain_xml)"),
                  std::string::npos)
            << human.out;
        // The same job again: the host's record vouches for virt-v2v's earlier
        // outputs, its domain XML included (an artifact), so no --force is needed.
        const std::vector<std::string> again = {"convert", "--manifest", (dir_ / "m.json").string(),
                                                "--virt-v2v-binary", FAKE_VIRT_V2V};
        const auto rerun = with_tools(again);
        EXPECT_EQ(rerun.exit_code, 0) << rerun.out << rerun.err;
        EXPECT_NE(read_text(dir_ / "out/.hyperexport-outputs.json").find("test-vm.xml"), std::string::npos);
        // A domain XML someone put there is not this job's: only --force replaces it.
        fs::remove(dir_ / "out/test-vm.xml");
        std::ofstream(dir_ / "out/test-vm.xml") << "<domain>mine</domain>";
        const auto refused = with_tools(again);
        EXPECT_NE(refused.exit_code, 0) << refused.out << refused.err;
        EXPECT_NE((refused.out + refused.err).find("test-vm.xml already exists"), std::string::npos)
            << refused.out << refused.err;
        EXPECT_NE((refused.out + refused.err).find("pass --force to replace them"), std::string::npos)
            << refused.out << refused.err;
        EXPECT_EQ(read_text(dir_ / "out/test-vm.xml"), "<domain>mine</domain>");
        auto forced_args = again;
        forced_args.push_back("--force");
        const auto forced = with_tools(forced_args);
        EXPECT_EQ(forced.exit_code, 0) << forced.out << forced.err;
        EXPECT_NE(read_text(dir_ / "out/test-vm.xml").find("<source file="), std::string::npos);
    } else {
        EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
        EXPECT_NE(result.out.find("validate:qemu-imgcheckof"), std::string::npos) << result.out;
        EXPECT_NE(result.out.find("corruption(s)"), std::string::npos) << result.out;
        EXPECT_NE(report.find(R"("passed":false)"), std::string::npos) << report;
    }
}

INSTANTIATE_TEST_SUITE_P(SoundAndCorrupt, HostValidation, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Corrupt" : "Sound"; });

TEST_F(ConvertCommand, DryRunConvertsNothing) {
    const auto all = make_all_variants();
    const fs::path manifest = dir_ / "artifact-manifest.json";
    const fs::path output = dir_ / "out";
    write_manifest(manifest, {all[0], all[2]}, output, kConvertAndValidate);
    const auto result =
        hyperexport({"convert", "--manifest", manifest.string(), "--converter", "qemu-img", "--dry-run"});
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_NE(result.out.find("qemu-img convert"), std::string::npos) << "dry run shows the commands";
    EXPECT_FALSE(fs::exists(output / (all[0].id + ".qcow2")));
    EXPECT_FALSE(fs::exists(output / (all[2].id + ".qcow2")));
}

TEST_F(ConvertCommand, InvalidManifestIsRefusedWithEveryProblem) {
    const fs::path manifest = dir_ / "bad.json";
    std::ofstream(manifest)
        << R"({"manifest_version": "2.0", "disks": [{"id": "bad id", "source_format": "iso",
        "bytes": -1, "local_path": "relative.vmdk"}]})";
    const auto result = hyperexport({"convert", "--manifest", manifest.string()});
    EXPECT_EQ(result.exit_code, 1);
    for (const char* path : {"manifest_version", "disks[0].id", "disks[0].source_format", "disks[0].bytes",
                             "disks[0].local_path"})
        EXPECT_NE(result.err.find(path), std::string::npos) << path << "\n" << result.err;
}

TEST_F(ConvertCommand, UsageErrorsExitTwoWithOneLine) {
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"convert"},
          {"convert", "--manifest", "m.json", "--conversion-timeout", "soon"},
          {"convert", "--manifest", "m.json", "--target-format", "vmdk"},
          {"convert", "--manifest", "m.json", "--bogus"}}) {
        const auto result = hyperexport(args);
        EXPECT_EQ(result.exit_code, 2) << args.back() << ": " << result.err;
        EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    }
}

TEST_F(ConvertCommand, HelpDescribesEveryOption) {
    const auto result = hyperexport({"convert", "--help"});
    ASSERT_EQ(result.exit_code, 0);
    for (const char* flag :
         {"--manifest", "--converter", "--explain", "--target-format", "--conversion-timeout",
          "--stream-conversion", "--dry-run", "--hyper2kvm-binary", "--qemu-img-binary", "--json"})
        EXPECT_NE(result.out.find(flag), std::string::npos) << flag;
}

}  // namespace
