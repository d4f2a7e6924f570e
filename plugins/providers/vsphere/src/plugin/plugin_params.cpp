#include "plugin_params.hpp"

#include <hypersdk/provider/error.hpp>

#include <cmath>

namespace hypersdk::vsphere::plugin {

using provider::ErrorKind;

Config parse_config(const provider::OptionValues& config) {
    Config c;
    c.url = config.string("url").value_or("");
    c.username = config.string("username").value_or("");
    c.password = config.string("password").value_or("");
    c.insecure = config.boolean("insecure").value_or(false);
    c.thumbprint = config.string("thumbprint").value_or("");
    // "ca-file" is the declared option's name; "ca_file" is the key older hosts sent.
    c.ca_file = config.string("ca-file").value_or(config.string("ca_file").value_or(""));
    c.datacenter = config.string("datacenter").value_or("");
    if (c.url.empty())
        throw provider::Error(
            ErrorKind::config,
            "no vSphere URL given: pass --url or set GOVC_URL (e.g. https://vcenter.example.com/sdk)");
    // A user in the URL (user:pass@host) is moved out by normalise().
    if (c.username.empty() && c.url.find('@') == std::string::npos)
        throw provider::Error(ErrorKind::config,
                              "no vSphere user name given: pass --username or set GOVC_USERNAME");
    return c;
}

ExportOptions parse_export_options(const provider::OptionValues& options) {
    const provider::CommonExportOptions common = provider::common_export_options(options);
    ExportOptions o;
    o.format = common.format.empty() ? "ovf" : common.format;
    if (o.format == "ova")
        throw provider::Error(
            ErrorKind::unsupported,
            "this plugin does not write OVAs: export as ovf (hyperexport --format ova packs "
            "the OVA from that)");
    if (o.format != "ovf")
        throw provider::Error(ErrorKind::unsupported,
                              "export format \"" + o.format + "\" is not supported by vsphere; use ovf");
    o.power_off = common.power_off;
    o.parallel = common.parallel;
    if (auto s = options.number("lease_keepalive_seconds", 0.05))
        o.keepalive = std::chrono::milliseconds(static_cast<int64_t>(std::llround(*s * 1000)));
    if (auto s = options.integer("lease_ready_timeout_seconds", 1, 86400))
        o.lease_ready_timeout = std::chrono::seconds(*s);
    return o;
}

}  // namespace hypersdk::vsphere::plugin
