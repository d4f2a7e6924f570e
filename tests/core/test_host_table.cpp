// The hypersdk_host slots as a plugin calls them: through the C table only.
#include <hypersdk/version.h>
#include <hypersdk/core/host_table.hpp>
#include <hypersdk/core/job.hpp>

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>
#include <string>
#include <vector>

using hypersdk::core::HostTable;
using hypersdk::core::Job;
using hypersdk::core::TextBuffer;

namespace {

TEST(HostTable, DescribesTheHostAndThePlugin) {
    HostTable table("org.example.test", "/opt/plugins/test.so");
    const hypersdk_host* host = table.get();
    EXPECT_EQ(host->struct_size, sizeof(hypersdk_host));
    EXPECT_EQ(host->abi_major, HYPERSDK_ABI_MAJOR);
    EXPECT_STREQ(host->host_name, "hyperexport");
    EXPECT_STREQ(host->plugin_path, "/opt/plugins/test.so");
    EXPECT_TRUE(HYPERSDK_HOST_HAS(host, sink_close));
    EXPECT_EQ(table.plugin_id(), "org.example.test");
}

// A plugin's log line goes straight to the operator's terminal: text it
// quotes (a SOAP fault string with ESC[2J, a file name with a newline) must be
// shown, not obeyed.
TEST(HostTable, LogLinesCannotActOnTheTerminal) {
    std::ostringstream captured;
    const auto previous = spdlog::default_logger();
    auto logger = std::make_shared<spdlog::logger>(
        "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(captured));
    logger->set_pattern("%v");
    spdlog::set_default_logger(logger);
    HostTable table("org.example.test", "/x.so");
    table.get()->log(table.get(), HYPERSDK_LOG_INFO,
                     "fault: \x1b[2J\x1b]0;owned\x07 \xc2\x9b"
                     "1m caf\xc3\xa9\nnext");
    spdlog::set_default_logger(previous);
    EXPECT_EQ(captured.str(),
              "[org.example.test] fault: \\x1b[2J\\x1b]0;owned\\x07 \\u009b1m caf\xc3\xa9\\x0anext\n");
}

TEST(HostTable, BufferAppendCopiesBytes) {
    HostTable table("org.example.test", "/x.so");
    TextBuffer buffer;
    std::string text = "{\"a\":";
    ASSERT_EQ(table.get()->buffer_append(buffer.handle(), text.data(), text.size()), HYPERSDK_OK);
    text.assign("XXXXX");  // the host must have copied, not kept a pointer
    ASSERT_EQ(table.get()->buffer_append(buffer.handle(), "1}trailing", 2), HYPERSDK_OK);
    EXPECT_EQ(buffer.text(), "{\"a\":1}");
    EXPECT_EQ(table.get()->buffer_append(buffer.handle(), nullptr, 3), HYPERSDK_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(table.get()->buffer_append(nullptr, "x", 1), HYPERSDK_ERR_INVALID_ARGUMENT);
}

TEST(HostTable, JobErrorCopiesTheMessageAndForcesANegativeStatus) {
    HostTable table("org.example.test", "/x.so");
    Job job;
    std::string message = "bucket 'b' not found";
    table.get()->job_error(job.handle(), HYPERSDK_ERR_NOT_FOUND, message.c_str());
    message.assign(message.size(), '#');
    ASSERT_TRUE(job.error().has_value());
    EXPECT_EQ(job.error()->status, HYPERSDK_ERR_NOT_FOUND);
    EXPECT_EQ(job.error()->message, "bucket 'b' not found");

    // A non-negative status is not an error code: it becomes GENERIC.
    table.get()->job_error(job.handle(), 5, nullptr);
    EXPECT_EQ(job.error()->status, HYPERSDK_ERR_GENERIC);
    EXPECT_EQ(job.error()->message, "");
}

TEST(HostTable, JobSlotsForwardProgressCancelWarningsAndOutput) {
    HostTable table("org.example.test", "/x.so");
    const hypersdk_host* host = table.get();
    Job job;
    uint64_t done = 0, total = 0;
    std::vector<std::string> lines;
    job.on_progress([&](uint64_t d, uint64_t t) { done = d, total = t; });
    job.on_output([&](std::string_view line) { lines.emplace_back(line); });

    host->job_progress(job.handle(), 3, 10);
    EXPECT_EQ(done, 3u);
    EXPECT_EQ(total, 10u);
    host->job_output(job.handle(), "qemu-img: 50%");
    EXPECT_EQ(lines, std::vector<std::string>{"qemu-img: 50%"});
    host->job_warning(job.handle(), "export", "VM is powered on");
    ASSERT_EQ(job.warnings().size(), 1u);
    EXPECT_EQ(job.warnings()[0].message, "VM is powered on");

    EXPECT_FALSE(host->job_is_cancelled(job.handle()));
    job.cancel();
    EXPECT_TRUE(host->job_is_cancelled(job.handle()));
    // NULL jobs are tolerated, not crashed on.
    host->job_progress(nullptr, 1, 1);
    EXPECT_FALSE(host->job_is_cancelled(nullptr));
}

TEST(HostTable, SinkOpenWithoutFactoryIsUnsupported) {
    HostTable table("org.example.test", "/x.so");
    Job job;
    hypersdk_sink* sink = reinterpret_cast<hypersdk_sink*>(0x1);
    EXPECT_EQ(table.get()->sink_open(job.handle(), "{\"kind\":\"disk\",\"file_name\":\"a.vmdk\"}", &sink),
              HYPERSDK_ERR_UNSUPPORTED);
    EXPECT_EQ(sink, nullptr);
    ASSERT_TRUE(job.error().has_value());
    EXPECT_EQ(job.error()->status, HYPERSDK_ERR_UNSUPPORTED);
    EXPECT_EQ(table.get()->sink_open(job.handle(), nullptr, &sink), HYPERSDK_ERR_INVALID_ARGUMENT);
}

}  // namespace
