#include "soap.hpp"

#include <hypersdk/xml/xml_limits.hpp>

#include "errors.hpp"

namespace hypersdk::vsphere {
namespace {

// A RetrievePropertiesEx page of 500 VMs with their devices is tens of MB.
constexpr xml::XmlLimits kSoapXmlLimits{128u << 20, 4u << 20, 128};

ErrorKind kind_of_fault(const std::string& type) {
    if (type == "InvalidLogin" || type == "NotAuthenticated" || type == "NoPermission")
        return ErrorKind::auth;
    if (type == "InvalidPowerState" || type == "InvalidState" || type == "TaskInProgress")
        return ErrorKind::invalid_state;
    if (type == "ManagedObjectNotFound") return ErrorKind::not_found;
    if (type == "RequestCanceled") return ErrorKind::cancelled;
    return ErrorKind::fault;
}

}  // namespace

std::string xml_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&apos;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

Call::Call(std::string method, const MoRef& self) : method_(std::move(method)) {
    param("_this", self);
}

Call& Call::param(std::string_view name, std::string_view text) {
    body_ += "<" + std::string(name) + ">" + xml_escape(text) + "</" + std::string(name) + ">";
    return *this;
}

Call& Call::param(std::string_view name, const MoRef& ref) {
    body_ += "<" + std::string(name) + " type=\"" + xml_escape(ref.type) + "\">" + xml_escape(ref.value) +
             "</" + std::string(name) + ">";
    return *this;
}

Call& Call::param(std::string_view name, int64_t value) {
    return param(name, std::to_string(value));
}

Call& Call::param_xml(std::string_view xml) {
    body_ += xml;
    return *this;
}

std::string Call::envelope() const {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
           "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\""
           " xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\""
           " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
           "<soapenv:Body><" +
           method_ + " xmlns=\"urn:vim25\">" + body_ + "</" + method_ + "></soapenv:Body></soapenv:Envelope>";
}

pugi::xml_node Response::returnval() const {
    return child(result_, "returnval");
}

std::string_view local_name(pugi::xml_node node) {
    std::string_view name = node.name();
    auto colon = name.find(':');
    return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

pugi::xml_node child(pugi::xml_node node, std::string_view local) {
    for (auto c : node.children()) {
        if (c.type() == pugi::node_element && local_name(c) == local) return c;
    }
    return {};
}

std::vector<pugi::xml_node> children(pugi::xml_node node, std::string_view local) {
    std::vector<pugi::xml_node> out;
    for (auto c : node.children()) {
        if (c.type() == pugi::node_element && local_name(c) == local) out.push_back(c);
    }
    return out;
}

std::string child_text(pugi::xml_node node, std::string_view local) {
    return child(node, local).text().as_string();
}

std::string xsi_type(pugi::xml_node node) {
    for (auto a : node.attributes()) {
        std::string_view name = a.name();
        if (name.size() > 5 && name.substr(name.size() - 5) == ":type") {
            std::string_view value = a.value();
            auto colon = value.find(':');  // "vim25:VirtualDisk" -> "VirtualDisk"
            return std::string(colon == std::string_view::npos ? value : value.substr(colon + 1));
        }
    }
    return {};
}

MoRef to_moref(pugi::xml_node node) {
    return MoRef{node.attribute("type").as_string(), node.text().as_string()};
}

Response parse_response(const std::string& body, std::string_view method) {
    auto doc = std::make_shared<pugi::xml_document>();
    if (const std::string reason = xml::parse_xml_limited(*doc, body, kSoapXmlLimits); !reason.empty()) {
        throw Error(ErrorKind::protocol, std::string(method) + ": the server's answer is " + reason +
                                             "; is the URL a vSphere SDK endpoint?");
    }
    pugi::xml_node envelope = doc->document_element();
    pugi::xml_node soap_body = child(envelope, "Body");
    if (local_name(envelope) != "Envelope" || !soap_body) {
        throw Error(ErrorKind::protocol,
                    std::string(method) + ": the server's answer is not a SOAP envelope");
    }
    if (pugi::xml_node fault = child(soap_body, "Fault")) {
        std::string message = child_text(fault, "faultstring");
        std::string type;
        for (auto d : child(fault, "detail").children()) {
            if (d.type() != pugi::node_element) continue;
            type = xsi_type(d);
            if (type.empty()) {
                std::string_view name = local_name(d);
                if (name.size() > 5 && name.substr(name.size() - 5) == "Fault") name.remove_suffix(5);
                type = name;
            }
            break;
        }
        if (type.empty()) type = "SoapFault";
        throw Error(
            kind_of_fault(type),
            "vSphere fault " + type + " in " + std::string(method) + (message.empty() ? "" : ": " + message),
            type);
    }
    const std::string expected = std::string(method) + "Response";
    pugi::xml_node result = child(soap_body, expected);
    if (!result) throw Error(ErrorKind::protocol, std::string(method) + ": the answer has no " + expected);
    return Response(std::move(doc), result);
}

}  // namespace hypersdk::vsphere
