// Unit tests of plugins/common: the subprocess runner (lines, env, exit
// codes, deadline and cancellation killing the whole process group), binary
// lookup, tool text parsing, the manifest reader, config/options parsing and
// the report.json / ConversionResult documents.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <sys/stat.h>
#include <hypersdk/cxx/plugin.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "hypersdk/core/conversion_manager.hpp"
#include "hypersdk/plugin_common/binary_lookup.hpp"
#include "hypersdk/plugin_common/child_environment.hpp"
#include "hypersdk/plugin_common/conversion_result.hpp"
#include "hypersdk/plugin_common/converter_params.hpp"
#include "hypersdk/plugin_common/json_access.hpp"
#include "hypersdk/plugin_common/manifest_reader.hpp"
#include "hypersdk/plugin_common/report.hpp"
#include "hypersdk/plugin_common/subprocess.hpp"
#include "hypersdk/plugin_common/tool_text.hpp"
#include "hypersdk/plugin_common/tool_version.hpp"
#include "test_images.hpp"

namespace pc = hypersdk::plugin_common;
using hypersdk::test::TempDir;
using namespace std::chrono_literals;

namespace {

struct Captured {
    std::vector<std::string> out, err;
};

pc::ProcessResult run_sh(const std::string& script, Captured& captured, pc::ProcessSpec spec = {},
                         const pc::CancelCheck& cancel = {}) {
    spec.argv = {"/bin/sh", "-c", script};
    return pc::run_process(
        spec,
        [&](pc::OutputStream s, std::string_view line) {
            (s == pc::OutputStream::out ? captured.out : captured.err).emplace_back(line);
        },
        cancel);
}

// Waits (bounded) until pid is gone; true if it is.
bool gone_within(pid_t pid, std::chrono::milliseconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
        if (!hypersdk::test::process_alive(pid)) return true;
        std::this_thread::sleep_for(20ms);
    }
    return !hypersdk::test::process_alive(pid);
}

void write_file(const std::string& path, const std::string& text, mode_t mode = 0644) {
    std::ofstream(path) << text;
    ::chmod(path.c_str(), mode);
}

}  // namespace

TEST(Subprocess, DeliversLinesOfBothStreamsSplitOnNewlineAndCarriageReturn) {
    Captured c;
    const auto r = run_sh(R"(echo out1; echo err1 >&2; printf 'a\rb\r\nc')", c);
    EXPECT_TRUE(r.succeeded()) << r.describe();
    EXPECT_EQ(c.out, (std::vector<std::string>{"out1", "a", "b", "c"}));
    EXPECT_EQ(c.err, (std::vector<std::string>{"err1"}));
}

TEST(Subprocess, ReportsExitCodeAndKeepsTheTail) {
    Captured c;
    const auto r = run_sh("echo first; echo boom >&2; exit 3", c);
    EXPECT_EQ(r.outcome, pc::ProcessOutcome::exited);
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_EQ(r.describe(), "exit code 3");
    EXPECT_NE(r.tail_text().find("boom"), std::string::npos);
}

TEST(Subprocess, AppliesEnvironmentOverridesAndWorkingDirectory) {
    TempDir dir;
    Captured c;
    pc::ProcessSpec spec;
    spec.environment = {{"HYPERSDK_TEST_VAR", "value with spaces"}, {"HOME", "/nowhere"}};
    spec.working_directory = dir.path();
    const auto r = run_sh("echo \"$HYPERSDK_TEST_VAR\"; echo \"$HOME\"; pwd", c, spec);
    ASSERT_TRUE(r.succeeded()) << r.describe();
    EXPECT_EQ(c.out, (std::vector<std::string>{"value with spaces", "/nowhere", dir.path()}));
}

TEST(ChildEnvironment, DropsCredentialsAndUnsetVariablesThenAddsTheConfiguredOnes) {
    const char* parent[] = {
        "PATH=/usr/bin", "GOVC_PASSWORD=vc-secret", "AWS_SECRET_ACCESS_KEY=k", "MY_TOKEN=t",
        "KEEP=kept",     "OVERRIDDEN=old",          "AZURE_CLIENT_SECRET=az",  "NOEQUALS",
        nullptr};
    const auto env = pc::child_environment(parent, {"MY_TOKEN"}, {{"OVERRIDDEN", "new"}, {"ADDED", "a=b"}});
    EXPECT_EQ(env, (std::vector<std::string>{"PATH=/usr/bin", "KEEP=kept", "NOEQUALS", "ADDED=a=b",
                                             "OVERRIDDEN=new"}));
}

TEST(ChildEnvironment, TheConfiguredEnvironmentMaySetACredentialAgain) {
    const char* parent[] = {"GOVC_PASSWORD=from-parent", nullptr};
    EXPECT_EQ(pc::child_environment(parent, {}, {{"GOVC_PASSWORD", "given"}}),
              std::vector<std::string>{"GOVC_PASSWORD=given"});
}

TEST(ChildEnvironment, ListsTheVendorsCredentialVariables) {
    const auto& names = pc::provider_credential_variables();
    for (const char* name :
         {"GOVC_PASSWORD", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AZURE_CLIENT_SECRET",
          "AZURE_CLIENT_CERTIFICATE_PASSWORD", "AZURE_STORAGE_KEY", "GOOGLE_OAUTH_ACCESS_TOKEN"})
        EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
}

// The runner itself: the child of run_process sees none of the parent's
// credentials, whatever the caller set.
TEST(Subprocess, ChildrenDoNotInheritCredentials) {
    ::setenv("GOVC_PASSWORD", "vc-secret", 1);
    ::setenv("AWS_SESSION_TOKEN", "aws-secret", 1);
    ::setenv("HYPERSDK_TEST_SECRET_OPTION", "plugin-secret", 1);
    ::setenv("HYPERSDK_TEST_PLAIN", "plain", 1);
    Captured c;
    pc::ProcessSpec spec;
    spec.environment_unset = {"HYPERSDK_TEST_SECRET_OPTION"};
    spec.environment = {{"HYPERSDK_TEST_ADDED", "added"}};
    const auto r = run_sh("env", c, spec);
    for (const char* name :
         {"GOVC_PASSWORD", "AWS_SESSION_TOKEN", "HYPERSDK_TEST_SECRET_OPTION", "HYPERSDK_TEST_PLAIN"})
        ::unsetenv(name);
    ASSERT_TRUE(r.succeeded()) << r.describe();
    auto has = [&](const std::string& entry) {
        return std::find(c.out.begin(), c.out.end(), entry) != c.out.end();
    };
    EXPECT_FALSE(has("GOVC_PASSWORD=vc-secret"));
    EXPECT_FALSE(has("AWS_SESSION_TOKEN=aws-secret"));
    EXPECT_FALSE(has("HYPERSDK_TEST_SECRET_OPTION=plugin-secret"));
    EXPECT_TRUE(has("HYPERSDK_TEST_PLAIN=plain"));
    EXPECT_TRUE(has("HYPERSDK_TEST_ADDED=added"));
}

// A tool whose output streams are closed while it still runs (every tool at
// its exit closes them an instant before it can be reaped) must be noticed
// when it exits, not at the next poll interval. The tool closes its streams,
// sleeps 0.25 s, writes the time and exits; run_process must return within a
// few milliseconds of that, not ~0.13 s later (the 200 ms interval's next tick
// after ~0.27 s is at 0.4 s). Best of 3, so a scheduling hiccup cannot decide.
TEST(Subprocess, NoticesTheToolsExitAtOnceWhenItsStreamsAreClosed) {
    TempDir dir;
    const std::string stamp = dir / "exit-time";
    double best_delay = 1e9;
    for (int attempt = 0; attempt < 3; ++attempt) {
        Captured c;
        pc::ProcessSpec spec;
        spec.poll_interval = 200ms;
        const auto r = run_sh("exec >/dev/null 2>&1; sleep 0.25; date +%s.%N >" + stamp, c, spec);
        const auto returned = std::chrono::system_clock::now();
        ASSERT_TRUE(r.succeeded()) << r.describe();
        std::ifstream in(stamp);
        double exited = 0;
        ASSERT_TRUE(in >> exited);
        const double now = std::chrono::duration<double>(returned.time_since_epoch()).count();
        best_delay = std::min(best_delay, now - exited);
    }
    EXPECT_LT(best_delay, 0.05) << "run_process returned " << best_delay << " s after the tool exited";
}

TEST(Subprocess, SpawnFailuresSayWhy) {
    pc::ProcessSpec spec;
    spec.argv = {"/nonexistent/tool", "--version"};
    auto r = pc::run_process(spec);
    EXPECT_EQ(r.outcome, pc::ProcessOutcome::spawn_failed);
    EXPECT_NE(r.error.find("cannot run /nonexistent/tool: No such file or directory"), std::string::npos)
        << r.error;

    spec.argv = {"/bin/true"};
    spec.working_directory = "/nonexistent-dir";
    r = pc::run_process(spec);
    EXPECT_EQ(r.outcome, pc::ProcessOutcome::spawn_failed);
    EXPECT_NE(r.error.find("working directory /nonexistent-dir"), std::string::npos) << r.error;
}

TEST(Subprocess, DeadlineKillsTheWholeProcessGroup) {
    Captured c;
    pc::ProcessSpec spec;
    spec.timeout = 300ms;
    const auto started = std::chrono::steady_clock::now();
    const auto r = run_sh("sleep 30 & echo $!; wait", c, spec);
    EXPECT_EQ(r.outcome, pc::ProcessOutcome::timed_out);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
    ASSERT_EQ(c.out.size(), 1u);
    EXPECT_TRUE(gone_within(std::stoi(c.out[0]), 3s)) << "the grandchild sleep survived";
}

TEST(Subprocess, CancellationEscalatesToSigkillWhenTermIsIgnored) {
    Captured c;
    pc::ProcessSpec spec;
    spec.kill_grace = 300ms;
    const auto started = std::chrono::steady_clock::now();
    const auto r = run_sh("trap '' TERM; sleep 30 & echo $!; wait", c, spec, [&] { return !c.out.empty(); });
    const auto elapsed = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(r.outcome, pc::ProcessOutcome::cancelled);
    EXPECT_GE(elapsed, 300ms);
    EXPECT_LT(elapsed, 10s);
    ASSERT_EQ(c.out.size(), 1u);
    EXPECT_TRUE(gone_within(std::stoi(c.out[0]), 3s)) << "the TERM-ignoring grandchild survived";
}

TEST(Subprocess, HelpersLeftBehindByAFinishedToolAreKilled) {
    Captured c;
    const auto started = std::chrono::steady_clock::now();
    // The background sleep keeps stdout open: without the group kill this would wait 30 s.
    const auto r = run_sh("sleep 30 & echo $!", c);
    EXPECT_TRUE(r.succeeded()) << r.describe();
    EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
    ASSERT_EQ(c.out.size(), 1u);
    EXPECT_TRUE(gone_within(std::stoi(c.out[0]), 3s));
}

TEST(Subprocess, ACallbackThatThrowsStillLeavesNoProcessBehind) {
    pc::ProcessSpec spec;
    spec.argv = {"/bin/sh", "-c", "echo $$; sleep 30"};
    pid_t pid = 0;
    EXPECT_THROW(pc::run_process(spec,
                                 [&](pc::OutputStream, std::string_view line) {
                                     pid = std::stoi(std::string(line));
                                     throw std::runtime_error("callback failed");
                                 }),
                 std::runtime_error);
    ASSERT_GT(pid, 0);
    EXPECT_TRUE(gone_within(pid, 3s));
}

TEST(LineSplitter, CarriageReturnNewlineIsOneEndAndLongLinesAreCut) {
    pc::LineSplitter split(4);
    std::vector<std::string> lines;
    auto emit = [&](std::string_view l) { lines.emplace_back(l); };
    split.feed("ab\r", emit);
    split.feed("\ncdefgh\n\nx", emit);
    split.finish(emit);
    EXPECT_EQ(lines, (std::vector<std::string>{"ab", "cdef", "gh", "", "x"}));
}

TEST(ToolText, ParsesQemuImgProgressLines) {
    EXPECT_DOUBLE_EQ(*pc::parse_progress_percent("    (12.34/100%)"), 12.34);
    EXPECT_DOUBLE_EQ(*pc::parse_progress_percent("(100.00/100%)"), 100.0);
    EXPECT_DOUBLE_EQ(*pc::parse_progress_percent("    (0.00/100%)"), 0.0);
    EXPECT_FALSE(pc::parse_progress_percent("No errors were found on the image."));
    EXPECT_FALSE(pc::parse_progress_percent("    (abc/100%)"));
    EXPECT_FALSE(pc::parse_progress_percent("    (150.00/100%)"));
}

TEST(ToolText, ExtractsBareVersions) {
    EXPECT_EQ(pc::extract_version("qemu-img version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)\nCopyright"),
              "7.2.22");
    EXPECT_EQ(pc::extract_version("0.2.0\n"), "0.2.0");
    EXPECT_EQ(pc::extract_version("virt-v2v 2.2.0"), "2.2.0");
    EXPECT_EQ(pc::extract_version("no version here"), "");
}

// validate() while routing and convert() both ask the tool its version: the
// second answer comes from memory, unless the tool file changed or the first
// probe failed.
TEST(ToolVersion, ASuccessfulProbeIsAskedOncePerToolFile) {
    TempDir dir;
    const std::string tool = dir / "tool";
    const std::string runs = dir / "runs";
    write_file(tool, "#!/bin/sh\necho run >>" + runs + "\necho 'tool version 1.2.3'\n", 0755);
    auto count_runs = [&] {
        std::ifstream in(runs);
        int lines = 0;
        for (std::string line; std::getline(in, line);) ++lines;
        return lines;
    };
    const pc::ConverterConfig config;
    EXPECT_EQ(pc::probe_version(tool, config).version, "1.2.3");
    EXPECT_EQ(pc::probe_version(tool, config).version, "1.2.3");
    EXPECT_EQ(count_runs(), 1);

    // An upgraded tool (a new file at the same path) is asked again.
    const std::string upgraded = dir / "tool.new";
    write_file(upgraded, "#!/bin/sh\necho run >>" + runs + "\necho 'tool version 1.2.40'\n", 0755);
    ASSERT_EQ(::rename(upgraded.c_str(), tool.c_str()), 0);
    EXPECT_EQ(pc::probe_version(tool, config).version, "1.2.40");
    EXPECT_EQ(count_runs(), 2);

    // A failing tool is not remembered.
    const std::string broken = dir / "broken";
    write_file(broken, "#!/bin/sh\necho run >>" + runs + "\nexit 3\n", 0755);
    EXPECT_FALSE(pc::probe_version(broken, config).ok());
    EXPECT_FALSE(pc::probe_version(broken, config).ok());
    EXPECT_EQ(count_runs(), 4);
}

TEST(ToolText, QuotesArgumentsOnlyWhenNeeded) {
    EXPECT_EQ(pc::format_command({"qemu-img", "convert", "-O", "qcow2", "/a b/c", "it's"}),
              "qemu-img convert -O qcow2 '/a b/c' 'it'\\''s'");
}

TEST(BinaryLookup, ExplicitPathMustBeAnExecutableRegularFile) {
    TempDir dir;
    write_file(dir / "tool", "#!/bin/sh\n", 0644);
    EXPECT_EQ(pc::find_executable("tool", dir / "tool").error,
              (dir / "tool").string() + ": is not executable");
    EXPECT_EQ(pc::find_executable("tool", dir.path().string()).error,
              dir.path().string() + ": is a directory");
    EXPECT_NE(pc::find_executable("tool", dir / "missing").error.find("No such file"), std::string::npos);
    ::chmod((dir / "tool").c_str(), 0755);
    EXPECT_EQ(pc::find_executable("tool", dir / "tool").path, dir / "tool");
}

TEST(BinaryLookup, SearchesPathThenExtraDirsSkippingNonExecutables) {
    TempDir first, second, extra;
    write_file(first / "mytool", "x", 0644);  // not executable: skipped
    write_file(second / "mytool", "#!/bin/sh\n", 0755);
    write_file(extra / "onlyextra", "#!/bin/sh\n", 0755);
    const char* old = std::getenv("PATH");
    const std::string saved = old != nullptr ? old : "";
    ::setenv("PATH", (first.path().string() + ":" + second.path().string()).c_str(), 1);
    EXPECT_EQ(pc::find_executable("mytool", "", {}).path, second / "mytool");
    EXPECT_EQ(pc::find_executable("onlyextra", "", {extra.path()}).path, extra / "onlyextra");
    EXPECT_FALSE(pc::find_executable("absent-tool-xyz", "", {extra.path()}).found());
    ::setenv("PATH", saved.c_str(), 1);
}

namespace {

std::string manifest_with(const std::string& disks, const std::string& rest = "") {
    return R"({"manifest_version": "1.0", "disks": [)" + disks + "]" + rest + "}";
}

int32_t manifest_error(const TempDir& dir, const std::string& text, std::string& message) {
    write_file(dir / "m.json", text);
    try {
        pc::read_manifest(dir / "m.json");
    } catch (const hypersdk::cxx::Error& e) {
        message = e.what();
        return e.status();
    }
    return 0;
}

}  // namespace

TEST(ManifestReader, ReadsWhatConvertersNeed) {
    TempDir dir;
    write_file(dir / "d.vhd", std::string(10, 'd'));
    write_file(dir / "b.vmdk", std::string(20, 'b'));
    const std::string checksum = "sha256:" + std::string(64, '0');
    write_file(dir / "m.json",
               manifest_with(R"({"id": "data", "source_format": "vhd", "bytes": 10, "local_path": ")" +
                                 (dir / "d.vhd").string() + R"(", "boot_order_hint": 1},
                                 {"id": "boot", "source_format": "vmdk", "bytes": 20, "local_path": ")" +
                                 (dir / "b.vmdk").string() + R"(", "boot_order_hint": 0, "checksum": ")" +
                                 checksum + R"("})",
                             R"(, "source": {"provider": "aws", "vm_name": "web"},
                                  "pipeline": {"fix": {"enabled": true}, "convert": {"enabled": true,
                                               "compress": true, "compress_level": 6}},
                                  "output": {"format": "raw"},
                                  "options": {"report": {"enabled": true, "path": "r/report.json"}})"));
    const auto m = pc::read_manifest(dir / "m.json");
    EXPECT_EQ(m.path, dir / "m.json");
    EXPECT_EQ(m.source_provider, "aws");
    EXPECT_EQ(m.source_vm_name, "web");
    ASSERT_EQ(m.disks.size(), 2u);
    EXPECT_EQ(m.disks[1].checksum, checksum);
    EXPECT_EQ(m.disks[1].label, "boot");  // defaults to the id
    EXPECT_EQ(m.disks[0].bytes, 10u);
    EXPECT_EQ(m.disks_in_boot_order().front().id,
              "boot");  // boot_order_hint 0 wins even though listed second
    EXPECT_TRUE(m.fix.enabled);
    EXPECT_FALSE(m.inspect.present);
    EXPECT_TRUE(m.convert_compress);
    EXPECT_EQ(m.compress_level, 6);
    EXPECT_EQ(m.output_format, "raw");
    EXPECT_EQ(m.effective_output_directory(), dir / "output");
    EXPECT_EQ(m.effective_report_path(), dir / "output/r/report.json");
}

// The converters' reader is the host's: its messages are the validator's,
// every issue on its own line, after the file's name.
TEST(ManifestReader, ErrorsNameTheFileAndTheKey) {
    TempDir dir;
    write_file(dir / "x", "x");
    std::string msg;
    const std::string disk =
        R"({"id": "d0", "source_format": "raw", "bytes": 1, "local_path": ")" + (dir / "x").string() + "\"}";
    const std::string header = "manifest " + (dir / "m.json").string() + " is invalid:\n";
    EXPECT_EQ(manifest_error(dir, R"({"disks": [)" + disk + "]}", msg), HYPERSDK_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(msg, header + "manifest_version: required key is missing");

    manifest_error(
        dir,
        manifest_with(disk + R"(, {"id": "d1", "source_format": "iso", "bytes": 1, "local_path": ")" +
                      (dir / "x").string() + "\"}"),
        msg);
    EXPECT_EQ(
        msg, header + "disks[1].source_format: must be one of vmdk, qcow2, raw, vhd, vhdx, vdi, got \"iso\"");

    manifest_error(dir, manifest_with(disk + "," + disk), msg);
    EXPECT_EQ(msg, header + "disks[1].id: duplicate id \"d0\" (already used by disks[0])");

    manifest_error(dir, manifest_with(disk, R"(, "pipeline": {"validate": {}})"), msg);
    EXPECT_EQ(msg, header + "pipeline.validate.enabled: required key is missing");

    // Every problem at once, not just the first.
    manifest_error(
        dir,
        manifest_with(R"({"id": "bad id", "source_format": "raw", "bytes": -1, "local_path": "rel"})",
                      R"(, "pipeline": {"convert": {"enabled": true, "compress_level": 12}})"),
        msg);
    EXPECT_EQ(msg,
              header +
                  "disks[0].id: must match ^[a-zA-Z0-9_-]+$ (letters, digits, '_' and '-'), got \"bad id\"\n"
                  "disks[0].bytes: must be an integer >= 0, got -1\n"
                  "disks[0].local_path: must be an absolute path, got \"rel\"\n"
                  "pipeline.convert.compress_level: must be an integer from 1 to 9, got 12");

    manifest_error(dir, "{\"manifest_version\": \"1.0\", ", msg);
    EXPECT_NE(msg.find("(document): not valid JSON"), std::string::npos) << msg;
    EXPECT_NE(msg.find("(at byte 28)"), std::string::npos) << msg;

    try {
        pc::read_manifest(dir / "absent.json");
        FAIL() << "no error for a missing manifest";
    } catch (const hypersdk::cxx::Error& e) {
        EXPECT_EQ(e.status(), HYPERSDK_ERR_NOT_FOUND);
        EXPECT_NE(std::string(e.what()).find(dir / "absent.json"), std::string::npos);
    }
}

TEST(ConverterParams, DefaultsAndValues) {
    const auto defaults = pc::parse_converter_config(nullptr);
    EXPECT_TRUE(defaults.binary_path.empty());
    EXPECT_EQ(defaults.timeout().count(), 0);
    const auto config = pc::parse_converter_config(
        R"({"binary_path": "/opt/h", "timeout_seconds": 1.5, "environment": {"A": "1"}, "future_key": 3})");
    EXPECT_EQ(config.binary_path, "/opt/h");
    EXPECT_EQ(config.timeout().count(), 1500);
    EXPECT_EQ(config.environment.at("A"), "1");
    EXPECT_TRUE(config.environment_unset.empty());
    EXPECT_EQ(pc::parse_converter_config(R"({"environment_unset": ["GOVC_PASSWORD", "X_TOKEN"]})")
                  .environment_unset,
              (std::vector<std::string>{"GOVC_PASSWORD", "X_TOKEN"}));
    const auto options = pc::parse_convert_options(
        R"({"stream_output": true, "verbose": 3, "target_format": "raw", "compression_level": 9, "custom_args": ["-x"]})");
    EXPECT_TRUE(options.stream_output);
    EXPECT_EQ(options.verbose, 3);
    EXPECT_EQ(options.custom_args, std::vector<std::string>{"-x"});
    EXPECT_EQ(pc::parse_convert_options("").verbose, 0);
}

TEST(ConverterParams, ErrorsNameTheBadKey) {
    auto message = [](auto&& fn) {
        try {
            fn();
        } catch (const hypersdk::cxx::Error& e) {
            EXPECT_EQ(e.status(), HYPERSDK_ERR_INVALID_ARGUMENT);
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_EQ(message([] { pc::parse_converter_config(R"({"timeout_seconds": "10"})"); }),
              "converter config: key 'timeout_seconds' must be a number, not a string");
    EXPECT_EQ(message([] { pc::parse_converter_config(R"({"environment": {"A": 1}})"); }),
              "converter config: key 'environment.A' must be a string");
    EXPECT_EQ(message([] { pc::parse_converter_config(R"({"environment_unset": ["A", 2]})"); }),
              "converter config: key 'environment_unset[1]' must be a string, not a number");
    EXPECT_EQ(message([] { pc::parse_converter_config(R"({"environment_unset": ["A=B"]})"); }),
              "converter config: key 'environment_unset' holds an invalid variable name 'A=B'");
    EXPECT_EQ(message([] { pc::parse_convert_options(R"({"verbose": 7})"); }),
              "convert options: key 'verbose' must be an integer >= 0 and <= 3, not 7");
    EXPECT_EQ(message([] { pc::parse_convert_options(R"({"custom_args": ["-a", 2]})"); }),
              "convert options: key 'custom_args[1]' must be a string, not a number");
    EXPECT_EQ(message([] { pc::parse_convert_options("[1]"); }),
              "convert options: convert options must be a JSON object");
    EXPECT_NE(message([] { pc::parse_convert_options("{bad"); }).find("convert options is not valid JSON"),
              std::string::npos);
}

TEST(Report, WriterProducesTheDocumentedShape) {
    pc::Report report;
    report.hyper2kvm_version = std::nullopt;
    report.extra = {{"tool_version", "7.2.22"}};
    report.input_manifest = {"/m.json", "1.0", "vsphere", "", "web"};
    report.success = false;
    report.duration_seconds = 2.5;
    report.stages = {{"load_manifest", true, 0.1, R"({"disks": 1})", ""},
                     {"convert", false, 2.4, "", "boom"}};
    report.artifacts = {{"converted_disk", "/out/d0.qcow2", "d0", "qcow2", 3 * 1024 * 1024, 0, false}};
    report.warnings = {{"validate", "careful", ""}};
    report.errors = {{"convert", "boom", "2024-01-01T00:00:00Z"}};
    report.input_disks = 1;
    report.output_disks = 1;
    rapidjson::Document doc;
    doc.Parse(pc::report_to_json(report));
    ASSERT_FALSE(doc.HasParseError());
    std::vector<std::string> keys;
    for (auto it = doc.MemberBegin(); it != doc.MemberEnd(); ++it) keys.emplace_back(it->name.GetString());
    EXPECT_EQ(keys, (std::vector<std::string>{"version", "timestamp", "hyper2kvm_version", "tool_version",
                                              "input_manifest", "pipeline", "artifacts", "warnings", "errors",
                                              "summary"}));
    EXPECT_TRUE(doc["hyper2kvm_version"].IsNull());
    EXPECT_TRUE(doc["input_manifest"]["source_vm_id"].IsNull());
    EXPECT_FALSE(doc["pipeline"]["success"].GetBool());
    EXPECT_EQ(doc["pipeline"]["stages"]["load_manifest"]["result"]["disks"].GetInt(), 1);
    EXPECT_STREQ(doc["pipeline"]["stages"]["convert"]["error"].GetString(), "boom");
    EXPECT_FALSE(doc["pipeline"]["stages"]["convert"].HasMember("result"));
    EXPECT_STREQ(doc["artifacts"][0]["size_human"].GetString(), "3.0 MiB");
    EXPECT_FALSE(std::string(doc["warnings"][0]["timestamp"].GetString()).empty());
    const auto& s = doc["summary"];
    EXPECT_EQ(s["total_stages"].GetInt(), 2);
    EXPECT_EQ(s["successful_stages"].GetInt(), 1);
    EXPECT_EQ(s["failed_stages"].GetInt(), 1);
    EXPECT_EQ(s["total_warnings"].GetInt(), 1);
    EXPECT_EQ(s["total_errors"].GetInt(), 1);
    EXPECT_EQ(s["total_artifacts"].GetInt(), 1);
    EXPECT_EQ(s["input_disks"].GetInt(), 1);
    EXPECT_EQ(s["output_disks"].GetInt(), 1);

    const auto back = pc::parse_report(pc::report_to_json(report), "r.json");
    EXPECT_FALSE(back.success);
    ASSERT_EQ(back.stages.size(), 2u);
    EXPECT_EQ(back.stages[1].error, "boom");
    EXPECT_EQ(back.artifacts[0].path, "/out/d0.qcow2");
    EXPECT_EQ(back.errors[0].message, "boom");
}

TEST(Report, ReaderNamesTheFileOnGarbageOrMissingSuccess) {
    try {
        pc::parse_report("{ nope", "hyper2kvm report /x/report.json");
        FAIL();
    } catch (const pc::JsonError& e) {
        EXPECT_NE(std::string(e.what()).find("hyper2kvm report /x/report.json is not valid JSON"),
                  std::string::npos);
    }
    try {
        pc::parse_report(R"({"version": "1.0", "success": true})", "/x/report.json");
        FAIL();
    } catch (const pc::JsonError& e) {
        EXPECT_EQ(std::string(e.what()), "/x/report.json: key 'pipeline' is missing");
    }
}

TEST(ConversionResultJson, HasExactlyTheDocumentedKeys) {
    pc::ConversionResult r;
    r.success = true;
    r.converted_files = {"/o/a.qcow2"};
    r.metadata_json = "not json";
    rapidjson::Document doc;
    doc.Parse(pc::conversion_result_to_json(r));
    ASSERT_FALSE(doc.HasParseError());
    std::vector<std::string> keys;
    for (auto it = doc.MemberBegin(); it != doc.MemberEnd(); ++it) keys.emplace_back(it->name.GetString());
    EXPECT_EQ(keys, (std::vector<std::string>{"success", "converted_files", "report_path", "duration_seconds",
                                              "error", "warnings", "metadata"}));
    EXPECT_TRUE(doc["metadata"].IsObject());
    EXPECT_EQ(doc["metadata"].MemberCount(), 0u);
}

// Files besides the images (virt-v2v's domain XML) travel in "artifacts",
// written only when there are some, and the host reads them back; entries it
// cannot use are skipped.
TEST(ConversionResultJson, ArtifactsReachTheHost) {
    pc::ConversionResult r;
    r.success = true;
    r.artifacts = {{"libvirt_domain_xml", "/o/web.xml"}};
    const std::string text = pc::conversion_result_to_json(r);
    hypersdk::core::ConversionOutcome outcome;
    ASSERT_TRUE(hypersdk::core::parse_conversion_result(text, outcome)) << outcome.error;
    ASSERT_EQ(outcome.artifacts.size(), 1u);
    EXPECT_EQ(outcome.artifacts[0].kind, "libvirt_domain_xml");
    EXPECT_EQ(outcome.artifacts[0].path, "/o/web.xml");

    hypersdk::core::ConversionOutcome odd;
    ASSERT_TRUE(hypersdk::core::parse_conversion_result(
        R"({"success": true, "artifacts": [{"kind": "x"}, 7, {"kind": 1, "path": "/p"},
            {"kind": "notes", "path": "/o/notes.txt"}]})",
        odd));
    ASSERT_EQ(odd.artifacts.size(), 1u);
    EXPECT_EQ(odd.artifacts[0].path, "/o/notes.txt");
}
