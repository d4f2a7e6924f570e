// PropertyCollector.RetrievePropertiesEx with ContinueRetrievePropertiesEx
// paging, and the traversal spec that walks the VM inventory.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "session.hpp"
#include "soap.hpp"

namespace hypersdk::vsphere {

struct PropertySpec {
    std::string type;                // "VirtualMachine"
    std::vector<std::string> paths;  // "name", "config.hardware.device", ...
};

// One object of the result: its properties' <val> nodes by path.
struct ObjectContent {
    MoRef obj;
    std::map<std::string, pugi::xml_node, std::less<>> props;
    std::shared_ptr<pugi::xml_document> document;  // keeps the nodes alive

    pugi::xml_node get(std::string_view path) const;  // null when absent
    std::string text(std::string_view path) const;    // "" when absent
};

// <objectSet> for `obj` with optional traversal (<selectSet> elements).
std::string object_spec(const MoRef& obj, bool skip, std::string_view select_sets = {});

// The <selectSet> elements for rootFolder -> datacenters -> vmFolder ->
// folders (recursively) -> VMs and vApps -> their VMs.
std::string vm_inventory_traversal();

// Retrieves every page. Stops with Error(protocol) after `max_pages`.
std::vector<ObjectContent> retrieve_properties(Session& session, const std::vector<PropertySpec>& specs,
                                               const std::string& object_set, int page_size = 500,
                                               int max_pages = 100000);

}  // namespace hypersdk::vsphere
