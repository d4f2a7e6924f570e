// What the summary box says about a conversion: the tool's own error line,
// whether the guest was fixed, and the host's VALIDATE.
#include <gtest/gtest.h>

#include "conversion_step.hpp"

namespace hypersdk::host {
namespace {

std::string row(const SummaryRows& rows, const std::string& key) {
    for (const auto& [name, value] : rows)
        if (name == key) return value;
    return "<no row " + key + ">";
}

TEST(ConversionSummary, ErrorRowIsTheToolsErrorLineNotTheFirstLineOfItsOutput) {
    const std::string error =
        "virt-v2v failed (exit code 1): [   0.0] Setting up the source: -i ova /out/web01.ovf\n"
        "[  12.3] Opening the source\n"
        "[  40.1] Inspecting the source\n"
        "virt-v2v: error: no bootloader detected\n"
        "\n"
        "If reporting bugs, run virt-v2v with debugging enabled";
    EXPECT_EQ(error_headline(error), "virt-v2v: error: no bootloader detected");
}

TEST(ConversionSummary, ErrorRowTakesTheToolsLineFromOurFirstLine) {
    EXPECT_EQ(error_headline("nbdcopy failed (exit code 1): nbdcopy: error: connection refused"),
              "nbdcopy: error: connection refused");
}

TEST(ConversionSummary, ErrorRowWithoutAToolErrorLineIsTheFirstLine) {
    EXPECT_EQ(error_headline("qemu-img convert failed (exit code 1): qemu-img: Could not open 'x'\nmore"),
              "qemu-img convert failed (exit code 1): qemu-img: Could not open 'x'");
    EXPECT_EQ(error_headline(""), "");
}

TEST(ConversionSummary, SaysPlainlyWhenTheGuestWasNotFixed) {
    core::ConversionOutcome outcome;
    outcome.status = core::ConversionStatus::succeeded;
    outcome.success = true;
    outcome.converter_id = "io.example.qemu-img";
    outcome.fix_requested = false;
    EXPECT_EQ(row(conversion_summary_rows(outcome), "Guest Fixed").rfind("no: format conversion only", 0),
              0u);
    outcome.fix_requested = true;
    EXPECT_EQ(row(conversion_summary_rows(outcome), "Guest Fixed"), "yes, by io.example.qemu-img");
}

TEST(ConversionSummary, CountsTheHostsImageChecks) {
    core::ConversionOutcome outcome;
    outcome.success = false;
    outcome.fix_requested = true;
    outcome.host_checks = {{"/o/disk-0.qcow2", true, "no errors"},
                           {"/o/disk-1.qcow2", false, "2 corruption(s)"}};
    outcome.error = "validate: qemu-img check of /o/disk-1.qcow2: 2 corruption(s), 0 check error(s)";
    const auto rows = conversion_summary_rows(outcome);
    EXPECT_EQ(row(rows, "Validation"), "qemu-img check by hyperexport: 1 of 2 image(s) OK");
    EXPECT_EQ(row(rows, "Guest Fixed"), "<no row Guest Fixed>");
    EXPECT_EQ(row(rows, "Conversion Error"), outcome.error);
}

}  // namespace
}  // namespace hypersdk::host
