// vim25 SOAP messages: building a call's envelope, parsing its response with
// pugixml, and turning SOAP faults into Errors that name the fault type. The
// helpers match elements by local name, so any namespace prefix works.
#pragma once

#include <pugixml.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace hypersdk::vsphere {

// A managed object reference: type "VirtualMachine", value "vm-42".
struct MoRef {
    std::string type;
    std::string value;
    bool empty() const { return value.empty(); }
    bool operator==(const MoRef&) const = default;
};

std::string xml_escape(std::string_view text);

// The body of one call: <Method xmlns="urn:vim25"><_this type=".."/>params</Method>.
// Parameters must be added in the order the WSDL declares them.
class Call {
public:
    Call(std::string method, const MoRef& self);
    Call& param(std::string_view name, std::string_view text);
    Call& param(std::string_view name, const MoRef& ref);
    Call& param(std::string_view name, int64_t value);
    Call& param_xml(std::string_view xml);  // already well-formed, escaped XML

    const std::string& method() const { return method_; }
    std::string envelope() const;

private:
    std::string method_;
    std::string body_;
};

// A parsed response; keeps its document alive for the nodes it hands out.
class Response {
public:
    Response() = default;
    explicit Response(std::shared_ptr<pugi::xml_document> doc, pugi::xml_node result)
        : doc_(std::move(doc)), result_(result) {}
    pugi::xml_node result() const { return result_; }  // <MethodResponse>
    pugi::xml_node returnval() const;                  // its first <returnval>, or null
    const std::shared_ptr<pugi::xml_document>& document() const { return doc_; }

private:
    std::shared_ptr<pugi::xml_document> doc_;
    pugi::xml_node result_;
};

// Parses an HTTP body. A SOAP fault becomes Error(kind by fault type) with
// "vSphere fault TYPE in METHOD: MESSAGE"; unparseable XML Error(protocol).
Response parse_response(const std::string& body, std::string_view method);

// Namespace-blind helpers.
std::string_view local_name(pugi::xml_node node);
pugi::xml_node child(pugi::xml_node node, std::string_view local);
std::vector<pugi::xml_node> children(pugi::xml_node node, std::string_view local);
std::string child_text(pugi::xml_node node, std::string_view local);  // "" when missing
std::string xsi_type(pugi::xml_node node);                            // the xsi:type attribute, any prefix
MoRef to_moref(pugi::xml_node node);                                  // <x type="T">V</x>

}  // namespace hypersdk::vsphere
