// The libvirt domain XML virt-v2v -o local writes (output/create_libvirt_xml.ml):
// its disks' <source file=...> name where virt-v2v wrote them, and its
// <metadata> carries the OS that libosinfo matched to the inspected guest
// (<libosinfo:os id="http://debian.org/debian/12"/>). We point the sources
// at the renamed disks and read the OS and firmware back for the report.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace hypersdk::virt_v2v {

struct GuestOs {
    std::string osinfo_id;  // "http://debian.org/debian/12"; empty when virt-v2v named none
    std::string distro;     // "debian": the id's second-to-last path segment
    std::string version;    // "12": its last path segment
    std::string firmware;   // "uefi" (a pflash loader or firmware='efi') or "bios"
};

// "http://debian.org/debian/12" -> {distro "debian", version "12"}; both
// empty when the id has fewer than two path segments.
GuestOs guest_os_from_osinfo_id(std::string_view id);

struct RewrittenDomain {
    std::string text;  // the XML with every renamed disk source replaced
    GuestOs guest;
    int sources_rewritten = 0;
    std::vector<std::string> sources_left;  // <source file> not in `renamed`, unchanged
};

// Parses `xml` (bounded: size, elements, depth; no DTD, no entity expansion)
// and replaces each <devices><disk><source file="X"> found in `renamed` (old
// absolute path -> new one). Throws cxx::Error(HYPERSDK_ERR_TOOL_FAILED)
// naming `what` when it is not a <domain> document.
RewrittenDomain rewrite_domain_xml(std::string_view xml, const std::map<std::string, std::string>& renamed,
                                   const std::string& what);

}  // namespace hypersdk::virt_v2v
