#include "ovf_manager.hpp"

#include <hypersdk/xml/xml_limits.hpp>
#include <pugixml.hpp>

#include <set>

#include "errors.hpp"

namespace hypersdk::vsphere {
namespace {

// Real descriptors are kilobytes.
constexpr xml::XmlLimits kOvfXmlLimits{16u << 20, 1u << 20, 128};

std::string fault_text(pugi::xml_node fault) {
    std::string type = xsi_type(child(fault, "fault"));
    std::string message = child_text(fault, "localizedMessage");
    if (type.empty()) return message.empty() ? "unknown fault" : message;
    return message.empty() ? type : type + ": " + message;
}

std::string cdp_xml(const std::string& name, const std::vector<OvfFileRef>& files) {
    // OvfCreateDescriptorParams and OvfFile members in WSDL order.
    std::string xml = "<cdp>";
    for (const auto& f : files) {
        xml += "<ovfFiles><deviceId>" + xml_escape(f.device_id) + "</deviceId><path>" + xml_escape(f.path) +
               "</path><size>" + std::to_string(f.size) + "</size></ovfFiles>";
    }
    if (!name.empty()) xml += "<name>" + xml_escape(name) + "</name>";
    return xml + "</cdp>";
}

// The namespace URI bound to the prefix of `node`'s name, searching upwards.
std::string namespace_of(pugi::xml_node node) {
    const std::string name = node.name();
    const auto colon = name.find(':');
    const std::string attr = colon == std::string::npos ? "xmlns" : "xmlns:" + name.substr(0, colon);
    for (auto n = node; n; n = n.parent()) {
        if (auto a = n.attribute(attr.c_str())) return a.value();
    }
    return {};
}

// ovf:href, whatever the prefix of the OVF namespace.
std::string href_of(pugi::xml_node file) {
    for (auto a : file.attributes()) {
        std::string_view name = a.name();
        if (name == "href" || (name.size() > 5 && name.substr(name.size() - 5) == ":href")) return a.value();
    }
    return {};
}

}  // namespace

bool is_missing_method_fault(const std::string& fault_type) {
    return fault_type == "MethodNotFound" || fault_type == "NotImplemented" || fault_type == "NotSupported";
}

std::optional<OvfDescriptorResult> create_ovf_descriptor(Session& session, const MoRef& entity,
                                                         const std::string& name,
                                                         const std::vector<OvfFileRef>& files) {
    const MoRef& manager = session.service_content().ovf_manager;
    if (manager.empty()) return std::nullopt;
    Response r;
    try {
        r = session.call(
            Call("CreateDescriptor", manager).param("obj", entity).param_xml(cdp_xml(name, files)));
    } catch (const Error& e) {
        if (is_missing_method_fault(e.fault_type())) return std::nullopt;
        throw;
    }
    pugi::xml_node rv = r.returnval();
    if (!rv) throw Error(ErrorKind::protocol, "CreateDescriptor of " + entity.value + " returned no result");
    OvfDescriptorResult out;
    out.descriptor = child_text(rv, "ovfDescriptor");
    for (auto e : children(rv, "error")) out.errors.push_back(fault_text(e));
    for (auto w : children(rv, "warning")) out.warnings.push_back(fault_text(w));
    return out;
}

void check_ovf_descriptor(const std::string& descriptor, const std::vector<OvfFileRef>& files) {
    if (descriptor.empty()) throw Error(ErrorKind::protocol, "the OVF descriptor is empty");
    pugi::xml_document doc;
    if (const std::string reason = xml::parse_xml_limited(doc, descriptor, kOvfXmlLimits); !reason.empty())
        throw Error(ErrorKind::protocol, "the OVF descriptor is " + reason);
    const pugi::xml_node root = doc.document_element();
    if (local_name(root) != "Envelope") {
        throw Error(ErrorKind::protocol, "the OVF descriptor's root element is <" + std::string(root.name()) +
                                             ">, not an OVF Envelope");
    }
    const std::string ns = namespace_of(root);
    if (ns.rfind("http://schemas.dmtf.org/ovf/envelope/", 0) != 0) {
        throw Error(ErrorKind::protocol, "the OVF descriptor's Envelope is in namespace '" + ns +
                                             "', not OVF's http://schemas.dmtf.org/ovf/envelope/1");
    }
    // The package must be self-consistent: every file written is referenced,
    // and nothing is referenced that the export did not write.
    std::set<std::string> written, referenced;
    for (const auto& f : files) written.insert(f.path);
    for (auto file : children(child(root, "References"), "File")) {
        const std::string href = href_of(file);
        if (!written.count(href)) {
            throw Error(ErrorKind::protocol, "the OVF descriptor references '" + href +
                                                 "', which is not one of the exported files");
        }
        referenced.insert(href);
    }
    for (const auto& path : written) {
        if (!referenced.count(path))
            throw Error(ErrorKind::protocol,
                        "the OVF descriptor does not reference the exported file " + path);
    }
}

}  // namespace hypersdk::vsphere
