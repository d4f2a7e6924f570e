// The one way our plugins parse XML they did not write (vSphere's SOAP
// responses and OVF descriptors, EC2's Query answers, S3's and EC2's error
// bodies): bounded in size, in elements and in nesting depth. pugixml's
// parser does not recurse, and callers walk the tree one level down at a
// time, so depth cannot crash us; but a 512 MiB body of "<a/>" would become
// gigabytes of nodes, and no answer we read nests more than a few dozen
// levels. DOCTYPEs are skipped (pugixml never expands entities it does not
// know), so entity expansion cannot blow up either. Each caller sets its own
// limits for what it reads.
#pragma once

#include <pugixml.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace hypersdk::xml {

struct XmlLimits {
    size_t max_bytes;
    size_t max_elements;  // bounded before parsing by counting '<'
    unsigned max_depth;
};

// Parses `text` into `document`. Returns "" on success, otherwise why it was
// refused: "too large: N bytes (limit M)", "more than N elements", "nested
// deeper than N levels", or "not XML (<pugixml's description> at byte N)".
std::string parse_xml_limited(pugi::xml_document& document, std::string_view text, const XmlLimits& limits);

}  // namespace hypersdk::xml
