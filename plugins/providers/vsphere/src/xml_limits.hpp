// The one way the vSphere client parses XML it did not write (SOAP responses,
// OVF descriptors): bounded in size, in elements and in nesting depth.
// pugixml's parser does not recurse, and neither does our walking of the tree
// (soap.hpp's helpers look one level down at a time), so depth cannot crash
// us; but a 512 MiB body of "<a/>" would become gigabytes of nodes, and no
// vSphere answer nests more than a few dozen levels. DOCTYPEs are skipped
// (pugixml never expands entities it does not know), so entity expansion
// cannot blow up either.
#pragma once

#include <pugixml.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace hypersdk::vsphere {

struct XmlLimits {
    size_t max_bytes;
    size_t max_elements;  // bounded before parsing by counting '<'
    unsigned max_depth;
};

// A RetrievePropertiesEx page of 500 VMs with their devices is tens of MB.
inline constexpr XmlLimits kSoapXmlLimits{128u << 20, 4u << 20, 128};
// Real descriptors are kilobytes.
inline constexpr XmlLimits kOvfXmlLimits{16u << 20, 1u << 20, 128};

// Parses `text` into `document`. Returns "" on success, otherwise why it was
// refused: "too large: N bytes (limit M)", "more than N elements", "nested
// deeper than N levels", or "not XML (<pugixml's description> at byte N)".
std::string parse_xml_limited(pugi::xml_document& document, std::string_view text, const XmlLimits& limits);

}  // namespace hypersdk::vsphere
