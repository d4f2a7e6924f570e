#include <hypersdk/xml/xml_limits.hpp>

#include <algorithm>

namespace hypersdk::xml {
namespace {

// Deepest element nesting, walked with parent links: no recursion, one visit
// per node. Stops as soon as the limit is passed.
unsigned element_depth(const pugi::xml_document& document, unsigned limit) {
    unsigned depth = 0, deepest = 0;
    pugi::xml_node node = document.first_child();
    while (node) {
        if (node.type() == pugi::node_element) deepest = std::max(deepest, depth + 1);
        if (deepest > limit) return deepest;
        if (node.first_child()) {
            node = node.first_child();
            ++depth;
            continue;
        }
        while (node && !node.next_sibling()) {
            node = node.parent();
            if (node == document) return deepest;
            --depth;
        }
        if (node) node = node.next_sibling();
    }
    return deepest;
}

}  // namespace

std::string parse_xml_limited(pugi::xml_document& document, std::string_view text, const XmlLimits& limits) {
    document.reset();
    if (text.size() > limits.max_bytes)
        return "too large: " + std::to_string(text.size()) + " bytes (limit " +
               std::to_string(limits.max_bytes) + ")";
    // Every element, comment or processing instruction starts with '<'.
    if (static_cast<size_t>(std::count(text.begin(), text.end(), '<')) > limits.max_elements)
        return "more than " + std::to_string(limits.max_elements) + " elements";
    const pugi::xml_parse_result parsed = document.load_buffer(text.data(), text.size());
    if (!parsed) {
        document.reset();
        return std::string("not XML (") + parsed.description() + " at byte " + std::to_string(parsed.offset) +
               ")";
    }
    if (element_depth(document, limits.max_depth) > limits.max_depth) {
        document.reset();
        return "nested deeper than " + std::to_string(limits.max_depth) + " levels";
    }
    return {};
}

}  // namespace hypersdk::xml
