#include <gtest/gtest.h>

#include "hypersdk/core/conversion_routing.hpp"

using namespace hypersdk::core;

namespace {

ConverterProfile full_converter(const std::string& id, int32_t priority) {
    return {id,
            {"vmdk", "vhd", "vhdx", "raw", "qcow2", "vdi"},
            {"qcow2", "raw", "vdi"},
            true,
            true,
            true,
            {"*"},
            priority,
            id,
            "install " + id};
}

ConverterProfile format_only_converter(const std::string& id, int32_t priority) {
    return {id, {"vmdk", "vhd", "raw", "qcow2"}, {"qcow2", "raw"}, false, false, true, {"*"}, priority, id,
            ""};
}

ConverterCandidate usable(ConverterProfile profile) {
    return {std::move(profile), [] { return std::nullopt; }};
}

ConverterCandidate missing_tool(ConverterProfile profile, std::string message) {
    return {std::move(profile), [message] { return std::optional<std::string>(message); }};
}

ConversionNeeds vmdk_to_qcow2() {
    ConversionNeeds needs;
    needs.provider = "vsphere";
    needs.source_formats = {"vmdk"};
    return needs;
}

const CandidateVerdict& verdict_for(const RoutingDecision& decision, const std::string& id) {
    for (const auto& v : decision.verdicts)
        if (v.id == id) return v;
    throw std::runtime_error("no verdict for " + id);
}

}  // namespace

TEST(ConversionRouting, PicksHighestPriorityThatFits) {
    const auto decision = route_conversion(
        vmdk_to_qcow2(),
        {usable(format_only_converter("qemu-img", 10)), usable(full_converter("hyper2kvm", 100))},
        std::nullopt);
    ASSERT_TRUE(decision.chosen_id);
    EXPECT_EQ(*decision.chosen_id, "hyper2kvm");
    EXPECT_TRUE(verdict_for(decision, "qemu-img").accepted);
    EXPECT_NE(verdict_for(decision, "qemu-img").reason.find("hyper2kvm has higher priority"),
              std::string::npos);
    EXPECT_EQ(decision.verdicts.front().id, "hyper2kvm");
}

TEST(ConversionRouting, FallsBackWhenHigherPriorityToolIsMissing) {
    const auto decision =
        route_conversion(vmdk_to_qcow2(),
                         {missing_tool(full_converter("hyper2kvm", 100),
                                       "hyper2kvm not found (install with: pip install hyper2kvm)"),
                          usable(format_only_converter("qemu-img", 10))},
                         std::nullopt);
    ASSERT_TRUE(decision.chosen_id);
    EXPECT_EQ(*decision.chosen_id, "qemu-img");
    EXPECT_FALSE(verdict_for(decision, "hyper2kvm").accepted);
    EXPECT_EQ(verdict_for(decision, "hyper2kvm").reason,
              "hyper2kvm not found (install with: pip install hyper2kvm)");
}

TEST(ConversionRouting, DriverInjectionRequirementRefusesFormatOnlyConverters) {
    auto needs = vmdk_to_qcow2();
    needs.driver_injection = true;
    needs.os_detection = true;
    const auto decision =
        route_conversion(needs, {usable(format_only_converter("qemu-img", 10))}, std::nullopt);
    EXPECT_FALSE(decision.chosen_id);
    const auto& reason = verdict_for(decision, "qemu-img").reason;
    EXPECT_NE(reason.find("no driver injection"), std::string::npos) << reason;
    EXPECT_NE(reason.find("no OS detection"), std::string::npos) << reason;
    EXPECT_NE(decision.failure.find("no converter can do this job"), std::string::npos);
    EXPECT_NE(decision.failure.find("fix (driver injection)"), std::string::npos);
}

TEST(ConversionRouting, EveryMismatchIsNamed) {
    ConversionNeeds needs;
    needs.provider = "azure";
    needs.source_formats = {"vhdx", "vmdk"};
    needs.target_format = "vdi";
    needs.validation = true;
    ConverterProfile narrow{"narrow", {"vmdk"}, {"qcow2"}, false, false, false, {"vsphere"}, 1, "", ""};
    const auto reasons = capability_mismatches(needs, narrow);
    ASSERT_EQ(reasons.size(), 3u);
    EXPECT_EQ(reasons[0], "cannot read source format vhdx (reads vmdk)");
    EXPECT_EQ(reasons[1], "cannot write target format vdi (writes qcow2)");
    EXPECT_EQ(reasons[2], "does not support provider azure (supports vsphere)");
}

// VALIDATE never excludes a converter: the host checks the outputs itself.
TEST(ConversionRouting, AConverterThatCannotValidateIsChosenAndTheHostValidates) {
    auto needs = vmdk_to_qcow2();
    needs.validation = true;
    auto no_validation = format_only_converter("v2v-like", 50);
    no_validation.validation = false;
    const auto decision = route_conversion(needs, {usable(no_validation)}, std::nullopt);
    ASSERT_TRUE(decision.chosen_id) << decision.failure;
    EXPECT_TRUE(decision.host_validates);
    EXPECT_NE(verdict_for(decision, "v2v-like").reason.find("hyperexport validates its output"),
              std::string::npos);

    const auto validating =
        route_conversion(needs, {usable(format_only_converter("qemu-img", 10))}, std::nullopt);
    EXPECT_FALSE(validating.host_validates);
    needs.validation = false;
    EXPECT_FALSE(route_conversion(needs, {usable(no_validation)}, std::nullopt).host_validates);
}

TEST(ConversionRouting, AJobOnlyFixStopsNamesTheWayToFormatConversion) {
    auto needs = vmdk_to_qcow2();
    needs.driver_injection = true;
    needs.os_detection = true;
    const auto decision =
        route_conversion(needs, {usable(format_only_converter("qemu-img", 10))}, std::nullopt);
    EXPECT_FALSE(decision.chosen_id);
    EXPECT_NE(decision.failure.find("--fix=false"), std::string::npos) << decision.failure;
    // Not when the job fails for another reason as well.
    needs.target_format = "vhdx";
    EXPECT_EQ(route_conversion(needs, {usable(format_only_converter("qemu-img", 10))}, std::nullopt)
                  .failure.find("--fix=false"),
              std::string::npos);
}

TEST(ConversionRouting, ProviderListWithoutWildcardNeedsAProvider) {
    ConversionNeeds needs;
    needs.source_formats = {"vmdk"};
    ConverterProfile vsphere_only{"v", {"vmdk"}, {"qcow2"}, false, false, false, {"vsphere"}, 1, "", ""};
    const auto reasons = capability_mismatches(needs, vsphere_only);
    ASSERT_EQ(reasons.size(), 1u);
    EXPECT_NE(reasons[0].find("manifest names none"), std::string::npos);
    needs.provider = "vsphere";
    EXPECT_TRUE(capability_mismatches(needs, vsphere_only).empty());
}

TEST(ConversionRouting, ForcedConverterWinsOverPriority) {
    const auto decision = route_conversion(
        vmdk_to_qcow2(),
        {usable(full_converter("hyper2kvm", 100)), usable(format_only_converter("qemu-img", 10))},
        std::string("qemu-img"));
    ASSERT_TRUE(decision.chosen_id);
    EXPECT_EQ(*decision.chosen_id, "qemu-img");
    EXPECT_NE(verdict_for(decision, "hyper2kvm").reason.find("not selected"), std::string::npos);
}

TEST(ConversionRouting, ForcedConverterStillNeedsTheCapabilities) {
    auto needs = vmdk_to_qcow2();
    needs.driver_injection = true;
    const auto decision =
        route_conversion(needs, {usable(format_only_converter("qemu-img", 10))}, std::string("qemu-img"));
    EXPECT_FALSE(decision.chosen_id);
    EXPECT_NE(verdict_for(decision, "qemu-img").reason.find("no driver injection"), std::string::npos);
}

TEST(ConversionRouting, UnknownForcedConverterListsLoadedOnes) {
    const auto decision = route_conversion(vmdk_to_qcow2(), {usable(format_only_converter("qemu-img", 10))},
                                           std::string("nope"));
    EXPECT_FALSE(decision.chosen_id);
    EXPECT_EQ(decision.failure, "no converter plugin with id 'nope' is loaded (loaded: qemu-img)");
}

TEST(ConversionRouting, ValidateIsNotCalledForCandidatesThatCannotFit) {
    int validate_calls = 0;
    ConverterCandidate counting{format_only_converter("qemu-img", 10), [&] {
                                    ++validate_calls;
                                    return std::optional<std::string>();
                                }};
    auto needs = vmdk_to_qcow2();
    needs.target_format = "vdi";
    const auto decision = route_conversion(needs, {counting}, std::nullopt);
    EXPECT_FALSE(decision.chosen_id);
    EXPECT_EQ(validate_calls, 0);
}

TEST(ConversionRouting, NoConvertersLoaded) {
    const auto decision = route_conversion(vmdk_to_qcow2(), {}, std::nullopt);
    EXPECT_FALSE(decision.chosen_id);
    EXPECT_EQ(decision.failure, "no converter plugins are loaded (see hyperexport plugins list)");
    EXPECT_NE(format_routing_table(vmdk_to_qcow2(), decision).find("no converter plugins loaded"),
              std::string::npos);
}

TEST(ConversionRouting, TableMarksChosenAcceptedAndRefused) {
    auto needs = vmdk_to_qcow2();
    const auto decision = route_conversion(
        needs,
        {usable(full_converter("hyper2kvm", 100)), usable(format_only_converter("qemu-img", 10)),
         usable(ConverterProfile{"vhd-only", {"vhd"}, {"qcow2"}, false, false, false, {"*"}, 5, "", ""})},
        std::nullopt);
    const std::string table = format_routing_table(needs, decision);
    EXPECT_NE(table.find("Job needs: source vmdk -> qcow2, provider vsphere"), std::string::npos) << table;
    EXPECT_NE(table.find("* hyper2kvm"), std::string::npos) << table;
    // qemu-img fits, but its validate() never ran: the table must not call it usable.
    EXPECT_NE(table.find("? qemu-img"), std::string::npos) << table;
    EXPECT_NE(table.find("tool not checked"), std::string::npos) << table;
    EXPECT_EQ(table.find("usable"), std::string::npos) << table;
    EXPECT_NE(table.find("- vhd-only"), std::string::npos) << table;
    EXPECT_NE(table.find("cannot read source format vmdk"), std::string::npos) << table;
}
