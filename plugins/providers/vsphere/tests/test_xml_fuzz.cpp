// Bounded, deterministic fuzzing of the vSphere client's XML entry points: a
// SOAP response (what any server, or anything posing as one, sends back) and
// the OVF descriptor CreateDescriptor returns. Hostile cases come from
// tests/support/hostile_input.hpp. A response may be refused, never crash or
// hang, and one nested 200,000 deep is refused. Labelled "sanitize":
// scripts/test reruns these under ASan/UBSan. The bounded reader itself
// (plugins/common/xml) is tested in tests/xml.
#include <gtest/gtest.h>

#include <chrono>

#include "errors.hpp"
#include "hostile_input.hpp"
#include "ovf_manager.hpp"
#include "soap.hpp"

namespace hypersdk::vsphere {
namespace {

constexpr unsigned kMutations = 2000;
constexpr uint32_t kSeed = 20260316;
constexpr auto kTimeLimit = std::chrono::seconds(120);

const std::string kResponse =
    R"(<?xml version="1.0" encoding="UTF-8"?>)"
    R"(<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" )"
    R"(xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>)"
    R"(<RetrievePropertiesExResponse xmlns="urn:vim25"><returnval><token>t1</token>)"
    R"(<objects><obj type="VirtualMachine">vm-42</obj><propSet><name>name</name><val xsi:type="xsd:string">web01</val>)"
    R"(</propSet><propSet><name>config.hardware.device</name><val xsi:type="ArrayOfVirtualDevice">)"
    R"(<VirtualDevice xsi:type="VirtualDisk"><key>2000</key><deviceInfo><label>Hard disk 1</label></deviceInfo>)"
    R"(<capacityInBytes>1024</capacityInBytes><backing><fileName>[ds] web01/web01.vmdk</fileName></backing>)"
    R"(</VirtualDevice></val></propSet></objects></returnval></RetrievePropertiesExResponse>)"
    R"(</soapenv:Body></soapenv:Envelope>)";

const std::string kDescriptor =
    R"(<?xml version="1.0" encoding="UTF-8"?>)"
    R"(<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1">)"
    R"(<References><File ovf:href="web01-disk-0.vmdk" ovf:id="file1" ovf:size="1024"/></References>)"
    R"(<DiskSection><Info>Virtual disk information</Info><Disk ovf:capacity="1024" ovf:diskId="vmdisk1" )"
    R"(ovf:fileRef="file1"/></DiskSection><VirtualSystem ovf:id="web01"><Info>A VM</Info></VirtualSystem>)"
    R"(</Envelope>)";

bool is_deep_case(const std::string& name) {
    return name.rfind("deep", 0) == 0;
}

// What the callers do with a response: walk returnval's objects and their
// properties (property_collector.cpp, vm_config.cpp).
size_t walk(const Response& response) {
    size_t seen = 0;
    for (auto object : children(response.returnval(), "objects")) {
        seen += to_moref(child(object, "obj")).value.size();
        for (auto prop : children(object, "propSet")) {
            seen += child_text(prop, "name").size();
            for (auto device : child(prop, "val").children()) seen += xsi_type(device).size();
        }
    }
    return seen + child_text(response.returnval(), "token").size();
}

template <typename Read>
void fuzz(const std::string& valid, Read read,
          void (*visit)(const std::string&, unsigned, uint32_t, const test::HostileInputVisitor&)) {
    const auto started = std::chrono::steady_clock::now();
    size_t cases = 0;
    visit(valid, kMutations, kSeed, [&](const std::string& name, const std::string& text) {
        SCOPED_TRACE(name);
        ++cases;
        std::string error;
        try {
            read(text);
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::protocol) << e.what();
            error = e.what();
        }
        if (is_deep_case(name)) {
            EXPECT_FALSE(error.empty()) << "a document nested 200,000 deep was accepted";
        }
    });
    EXPECT_GT(cases, kMutations);
    EXPECT_LT(std::chrono::steady_clock::now() - started, kTimeLimit);
    EXPECT_NO_THROW(read(valid));
}

TEST(VsphereXmlFuzz, SoapResponses) {
    fuzz(
        kResponse, [](const std::string& text) { (void)walk(parse_response(text, "RetrievePropertiesEx")); },
        test::for_each_hostile_xml);
}

TEST(VsphereXmlFuzz, OvfDescriptors) {
    const std::vector<OvfFileRef> files = {{"2000", "web01-disk-0.vmdk", 1024}};
    fuzz(
        kDescriptor, [&](const std::string& text) { check_ovf_descriptor(text, files); },
        test::for_each_hostile_xml);
}

}  // namespace
}  // namespace hypersdk::vsphere
