#include "plugin_params.hpp"

#include <hypersdk/provider/error.hpp>

#include <cstdlib>

#include "error_status.hpp"
#include "s3.hpp"

namespace hypersdk::aws::plugin {

namespace pk = hypersdk::provider;

Settings parse_settings(const pk::OptionValues& o) {
    return with_kit_errors([&] {
        const auto str = [&](const char* key) { return o.string(key).value_or(""); };
        ConfigInput in;
        in.access_key_id = str("access-key-id");
        in.secret_access_key = str("secret-access-key");
        in.session_token = str("session-token");
        in.region = str("region");
        in.profile = str("aws-profile");
        in.shared_credentials_file = str("shared-credentials-file");
        in.config_file = str("aws-config-file");
        in.endpoint_url = str("endpoint-url");
        in.endpoint_url_ec2 = str("endpoint-url-ec2");
        in.endpoint_url_ebs = str("endpoint-url-ebs");
        in.endpoint_url_s3 = str("endpoint-url-s3");
        in.ca_bundle = str("ca-bundle");
        if (const char* home = std::getenv("HOME")) in.home = home;

        Settings s;
        const std::string method = o.string("aws-method").value_or("ebs-direct");
        if (method == "ebs-direct") {
            s.method = Method::ebs_direct;
        } else if (method == "export-task") {
            s.method = Method::export_task;
        } else {
            throw pk::Error(pk::ErrorKind::config,
                            "--aws-method \"" + method + "\" is not a method: use ebs-direct or export-task");
        }
        s.s3_bucket = str("s3-bucket");
        s.s3_prefix = str("s3-prefix");
        if (!s.s3_bucket.empty()) check_bucket_name(s.s3_bucket);
        if (s.method == Method::export_task && s.s3_bucket.empty())
            throw pk::Error(pk::ErrorKind::config,
                            "--aws-method export-task needs --s3-bucket BUCKET (where EC2 writes the VMDK)");
        s.keep_snapshots = o.boolean("keep-snapshots").value_or(false);
        s.keep_intermediate = o.boolean("keep-intermediate").value_or(false);
        s.poll = std::chrono::seconds(o.integer("aws-poll-seconds", 1, 300).value_or(5));
        s.config = resolve_config(in);
        return s;
    });
}

ExportOptions parse_export_options(const pk::OptionValues& options) {
    const auto common = pk::common_export_options(options);
    ExportOptions o;
    o.format = common.format.empty() ? "raw" : common.format;
    if (o.format != "raw" && o.format != "vmdk")
        throw pk::Error(
            pk::ErrorKind::unsupported,
            "export format \"" + o.format +
                "\" is not supported by aws: disks are written raw (--aws-method ebs-direct) or as the "
                "VMDK EC2 makes (--aws-method export-task)");
    o.power_off = common.power_off;
    o.parallel = common.parallel;
    return o;
}

}  // namespace hypersdk::aws::plugin
