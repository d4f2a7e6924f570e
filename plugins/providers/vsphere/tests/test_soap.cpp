// SOAP envelopes and faults, without a server.
#include <gtest/gtest.h>

#include "errors.hpp"
#include "soap.hpp"

namespace hypersdk::vsphere {
namespace {

const char* kFault =
    R"(<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>VM must be powered off</faultstring><detail><InvalidPowerStateFault xmlns="urn:vim25" xsi:type="InvalidPowerState"><existingState>poweredOn</existingState></InvalidPowerStateFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>)";

TEST(VsphereSoap, EnvelopeEscapesParameters) {
    Call call("Login", MoRef{"SessionManager", "SessionManager"});
    call.param("userName", "a<b>&\"c'").param("count", int64_t{3});
    const std::string xml = call.envelope();
    EXPECT_NE(xml.find("<Login xmlns=\"urn:vim25\"><_this type=\"SessionManager\">SessionManager</_this>"),
              std::string::npos);
    EXPECT_NE(xml.find("<userName>a&lt;b&gt;&amp;&quot;c&apos;</userName><count>3</count>"),
              std::string::npos);
    pugi::xml_document doc;
    EXPECT_TRUE(doc.load_string(xml.c_str()));
}

TEST(VsphereSoap, FaultNamesTypeAndMessage) {
    try {
        parse_response(kFault, "ExportVm");
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::invalid_state);
        EXPECT_EQ(e.fault_type(), "InvalidPowerState");
        EXPECT_STREQ(e.what(), "vSphere fault InvalidPowerState in ExportVm: VM must be powered off");
    }
}

TEST(VsphereSoap, FaultTypeFromElementNameWithoutXsiType) {
    std::string body = kFault;
    body.replace(body.find(" xsi:type=\"InvalidPowerState\""), 29, "");
    body.replace(body.find("InvalidPowerStateFault"), 22, "InvalidLoginFault");
    body.replace(body.rfind("InvalidPowerStateFault"), 22, "InvalidLoginFault");
    try {
        parse_response(body, "Login");
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.fault_type(), "InvalidLogin");
        EXPECT_EQ(e.kind(), ErrorKind::auth);
    }
}

TEST(VsphereSoap, ResponseAndHelpersIgnorePrefixes) {
    auto r = parse_response(
        R"(<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body><v:ExportVmResponse xmlns:v="urn:vim25"><v:returnval type="HttpNfcLease">52-1</v:returnval></v:ExportVmResponse></S:Body></S:Envelope>)",
        "ExportVm");
    EXPECT_EQ(to_moref(r.returnval()), (MoRef{"HttpNfcLease", "52-1"}));
}

TEST(VsphereSoap, NotXmlIsAProtocolError) {
    try {
        parse_response("<html>nope", "Login");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::protocol);
    }
}

}  // namespace
}  // namespace hypersdk::vsphere
