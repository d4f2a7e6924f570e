#include "domain_xml.hpp"

#include <hypersdk/cxx/plugin.hpp>
#include <hypersdk/xml/xml_limits.hpp>

#include <pugixml.hpp>
#include <sstream>

namespace hypersdk::virt_v2v {
namespace {

// virt-v2v's domain documents are a few kilobytes.
constexpr xml::XmlLimits kDomainXmlLimits{4u << 20, 64u << 10, 64};

std::string_view local_name(const pugi::xml_node& node) {
    std::string_view name = node.name();
    const size_t colon = name.find(':');
    return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

std::string firmware_of(const pugi::xml_node& domain) {
    const pugi::xml_node os = domain.child("os");
    if (std::string_view(os.attribute("firmware").value()) == "efi") return "uefi";
    if (std::string_view(os.child("loader").attribute("type").value()) == "pflash") return "uefi";
    return "bios";
}

std::string osinfo_id_of(const pugi::xml_node& domain) {
    for (const pugi::xml_node group : domain.child("metadata").children())
        if (local_name(group) == "libosinfo")
            for (const pugi::xml_node os : group.children())
                if (local_name(os) == "os") return os.attribute("id").value();
    return {};
}

}  // namespace

GuestOs guest_os_from_osinfo_id(std::string_view id) {
    GuestOs guest;
    guest.osinfo_id = std::string(id);
    // Skip "scheme://host"; the path's last two segments are distro and version.
    const size_t scheme = id.find("://");
    std::string_view path = scheme == std::string_view::npos ? id : id.substr(scheme + 3);
    const size_t host_end = path.find('/');
    path = host_end == std::string_view::npos ? std::string_view() : path.substr(host_end + 1);
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    const size_t last = path.rfind('/');
    if (last == std::string_view::npos || last == 0) return guest;
    const std::string_view head = path.substr(0, last);
    const size_t distro_start = head.rfind('/') == std::string_view::npos ? 0 : head.rfind('/') + 1;
    const std::string_view distro = head.substr(distro_start), version = path.substr(last + 1);
    if (distro.empty() || version.empty()) return guest;
    guest.distro = std::string(distro);
    guest.version = std::string(version);
    return guest;
}

RewrittenDomain rewrite_domain_xml(std::string_view xml, const std::map<std::string, std::string>& renamed,
                                   const std::string& what) {
    pugi::xml_document document;
    if (const std::string reason = xml::parse_xml_limited(document, xml, kDomainXmlLimits); !reason.empty())
        throw cxx::Error(HYPERSDK_ERR_TOOL_FAILED, "virt-v2v's domain XML " + what + " is " + reason);
    pugi::xml_node domain = document.document_element();
    if (std::string_view(domain.name()) != "domain")
        throw cxx::Error(
            HYPERSDK_ERR_TOOL_FAILED,
            "virt-v2v's domain XML " + what + " has the root element <" + domain.name() + ">, not <domain>");
    RewrittenDomain out;
    for (pugi::xml_node disk : domain.child("devices").children("disk")) {
        pugi::xml_attribute file = disk.child("source").attribute("file");
        if (!file) continue;  // an empty CD-ROM drive, a volume
        const auto it = renamed.find(file.value());
        if (it == renamed.end()) {
            out.sources_left.emplace_back(file.value());
            continue;
        }
        file.set_value(it->second.c_str());
        ++out.sources_rewritten;
    }
    out.guest = guest_os_from_osinfo_id(osinfo_id_of(domain));
    out.guest.firmware = firmware_of(domain);
    std::ostringstream text;
    document.save(text, "  ", pugi::format_default, pugi::encoding_utf8);
    out.text = text.str();
    return out;
}

}  // namespace hypersdk::virt_v2v
