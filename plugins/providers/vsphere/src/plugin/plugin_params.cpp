#include "plugin_params.hpp"

#include <hypersdk/cxx/plugin.hpp>

#include <cmath>

#include "hypersdk/plugin_common/json_access.hpp"

namespace hypersdk::vsphere::plugin {

namespace cxx = hypersdk::cxx;
namespace pc = hypersdk::plugin_common;

namespace {

rapidjson::Document parse_object(const char* text, const std::string& what) {
    const std::string_view view = text == nullptr || *text == '\0' ? std::string_view("{}") : text;
    rapidjson::Document doc = pc::parse_json(view, what);
    if (!doc.IsObject()) throw pc::JsonError(what + " must be a JSON object");
    return doc;
}

// JSON errors are the caller's bad input, not a plugin bug.
template <typename Fn>
auto as_argument_error(Fn&& fn) {
    try {
        return fn();
    } catch (const pc::JsonError& e) {
        throw cxx::Error(HYPERSDK_ERR_INVALID_ARGUMENT, e.what());
    }
}

}  // namespace

Config parse_config(const char* config_json) {
    return as_argument_error([&] {
        const auto doc = parse_object(config_json, "the vSphere configuration");
        Config c;
        c.url = pc::get_string(doc, "url", "").value_or("");
        c.username = pc::get_string(doc, "username", "").value_or("");
        c.password = pc::get_string(doc, "password", "").value_or("");
        c.insecure = pc::get_bool(doc, "insecure", "").value_or(false);
        c.thumbprint = pc::get_string(doc, "thumbprint", "").value_or("");
        // "ca-file" is the declared option's name; "ca_file" is the key older hosts sent.
        c.ca_file = pc::get_string(doc, "ca-file", "").value_or(pc::get_string(doc, "ca_file", "").value_or(""));
        c.datacenter = pc::get_string(doc, "datacenter", "").value_or("");
        if (c.url.empty())
            throw cxx::Error(
                HYPERSDK_ERR_INVALID_ARGUMENT,
                "no vSphere URL given: pass --url or set GOVC_URL (e.g. https://vcenter.example.com/sdk)");
        // A user in the URL (user:pass@host) is moved out by normalise().
        if (c.username.empty() && c.url.find('@') == std::string::npos)
            throw cxx::Error(HYPERSDK_ERR_INVALID_ARGUMENT,
                             "no vSphere user name given: pass --username or set GOVC_USERNAME");
        return c;
    });
}

ExportOptions parse_export_options(const char* options_json) {
    return as_argument_error([&] {
        const auto doc = parse_object(options_json, "the export options");
        ExportOptions o;
        o.format = pc::get_string(doc, "format", "").value_or("ovf");
        if (o.format == "ova")
            throw cxx::Error(HYPERSDK_ERR_UNSUPPORTED,
                             "this plugin does not write OVAs: export as ovf (hyperexport --format ova packs "
                             "the OVA from that)");
        if (o.format != "ovf")
            throw cxx::Error(HYPERSDK_ERR_UNSUPPORTED,
                             "export format \"" + o.format + "\" is not supported by vsphere; use ovf");
        o.power_off = pc::get_bool(doc, "power_off", "").value_or(false);
        o.parallel = static_cast<int>(pc::get_int(doc, "parallel", "", 1, 64).value_or(4));
        if (auto s = pc::get_number(doc, "lease_keepalive_seconds", "", 0.05))
            o.keepalive = std::chrono::milliseconds(static_cast<int64_t>(std::llround(*s * 1000)));
        if (auto s = pc::get_int(doc, "lease_ready_timeout_seconds", "", 1, 86400))
            o.lease_ready_timeout = std::chrono::seconds(*s);
        return o;
    });
}

}  // namespace hypersdk::vsphere::plugin
