#include "property_collector.hpp"

#include "errors.hpp"

namespace hypersdk::vsphere {
namespace {

std::string traversal(std::string_view name, std::string_view type, std::string_view path,
                      std::initializer_list<std::string_view> next) {
    // Element order is the WSDL's: name, type, path, skip, selectSet.
    std::string xml = "<selectSet xsi:type=\"TraversalSpec\"><name>" + std::string(name) + "</name><type>" +
                      std::string(type) + "</type><path>" + std::string(path) + "</path><skip>false</skip>";
    for (auto n : next) xml += "<selectSet><name>" + std::string(n) + "</name></selectSet>";
    return xml + "</selectSet>";
}

// Appends the objects of one RetrieveResult; returns its continuation token.
std::string collect(const Response& response, pugi::xml_node result, std::vector<ObjectContent>& out) {
    for (auto object : children(result, "objects")) {
        ObjectContent content;
        content.obj = to_moref(child(object, "obj"));
        content.document = response.document();
        for (auto prop : children(object, "propSet"))
            content.props[child_text(prop, "name")] = child(prop, "val");
        out.push_back(std::move(content));
    }
    return child_text(result, "token");
}

}  // namespace

pugi::xml_node ObjectContent::get(std::string_view path) const {
    auto it = props.find(path);
    return it == props.end() ? pugi::xml_node() : it->second;
}

std::string ObjectContent::text(std::string_view path) const {
    return get(path).text().as_string();
}

std::string object_spec(const MoRef& obj, bool skip, std::string_view select_sets) {
    return "<objectSet><obj type=\"" + xml_escape(obj.type) + "\">" + xml_escape(obj.value) + "</obj><skip>" +
           (skip ? "true" : "false") + "</skip>" + std::string(select_sets) + "</objectSet>";
}

std::string vm_inventory_traversal() {
    return traversal("folderTraversal", "Folder", "childEntity",
                     {"folderTraversal", "datacenterVmTraversal", "vAppVmTraversal"}) +
           traversal("datacenterVmTraversal", "Datacenter", "vmFolder", {"folderTraversal"}) +
           traversal("vAppVmTraversal", "VirtualApp", "vm", {});
}

std::vector<ObjectContent> retrieve_properties(Session& session, const std::vector<PropertySpec>& specs,
                                               const std::string& object_set, int page_size, int max_pages) {
    const MoRef& collector = session.service_content().property_collector;
    std::string spec_set = "<specSet>";
    for (const auto& spec : specs) {
        spec_set += "<propSet><type>" + xml_escape(spec.type) + "</type>";
        for (const auto& path : spec.paths) spec_set += "<pathSet>" + xml_escape(path) + "</pathSet>";
        spec_set += "</propSet>";
    }
    spec_set += object_set + "</specSet>";

    std::vector<ObjectContent> out;
    Call first("RetrievePropertiesEx", collector);
    first.param_xml(spec_set).param_xml("<options><maxObjects>" + std::to_string(page_size) +
                                        "</maxObjects></options>");
    Response response = session.call(first);
    std::string token = collect(response, response.returnval(), out);
    for (int page = 1; !token.empty(); ++page) {
        if (page >= max_pages) {
            session.call(Call("CancelRetrievePropertiesEx", collector).param("token", token));
            throw Error(ErrorKind::protocol, "RetrievePropertiesEx: more than " + std::to_string(max_pages) +
                                                 " pages of results; giving up");
        }
        response = session.call(Call("ContinueRetrievePropertiesEx", collector).param("token", token));
        token = collect(response, response.returnval(), out);
    }
    return out;
}

}  // namespace hypersdk::vsphere
