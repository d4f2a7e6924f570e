#include "plugin_params.hpp"

#include <hypersdk/cxx/plugin.hpp>

#include <cstdlib>

#include "errors.hpp"
#include "hypersdk/plugin_common/json_access.hpp"
#include "s3.hpp"

namespace hypersdk::aws::plugin {

namespace pc = hypersdk::plugin_common;

namespace {

rapidjson::Document parse_object(const char* text, const std::string& what) {
    const std::string_view view = text == nullptr || *text == '\0' ? std::string_view("{}") : text;
    rapidjson::Document doc = pc::parse_json(view, what);
    if (!doc.IsObject()) throw pc::JsonError(what + " must be a JSON object");
    return doc;
}

template <typename Fn>
auto as_argument_error(Fn&& fn) {
    try {
        return fn();
    } catch (const pc::JsonError& e) {
        throw cxx::Error(HYPERSDK_ERR_INVALID_ARGUMENT, e.what());
    } catch (const Error& e) {
        throw cxx::Error(HYPERSDK_ERR_INVALID_ARGUMENT, e.what());
    }
}

std::string string_of(const rapidjson::Document& doc, const char* key) {
    return pc::get_string(doc, key, "").value_or("");
}

}  // namespace

Settings parse_settings(const char* config_json) {
    return as_argument_error([&] {
        const auto doc = parse_object(config_json, "the AWS configuration");
        ConfigInput in;
        in.access_key_id = string_of(doc, "access-key-id");
        in.secret_access_key = string_of(doc, "secret-access-key");
        in.session_token = string_of(doc, "session-token");
        in.region = string_of(doc, "region");
        in.profile = string_of(doc, "aws-profile");
        in.shared_credentials_file = string_of(doc, "shared-credentials-file");
        in.config_file = string_of(doc, "aws-config-file");
        in.endpoint_url = string_of(doc, "endpoint-url");
        in.endpoint_url_ec2 = string_of(doc, "endpoint-url-ec2");
        in.endpoint_url_ebs = string_of(doc, "endpoint-url-ebs");
        in.endpoint_url_s3 = string_of(doc, "endpoint-url-s3");
        in.ca_bundle = string_of(doc, "ca-bundle");
        if (const char* home = std::getenv("HOME")) in.home = home;

        Settings s;
        const std::string method = pc::get_string(doc, "aws-method", "").value_or("ebs-direct");
        if (method == "ebs-direct") {
            s.method = Method::ebs_direct;
        } else if (method == "export-task") {
            s.method = Method::export_task;
        } else {
            throw cxx::Error(
                HYPERSDK_ERR_INVALID_ARGUMENT,
                "--aws-method \"" + method + "\" is not a method: use ebs-direct or export-task");
        }
        s.s3_bucket = string_of(doc, "s3-bucket");
        s.s3_prefix = string_of(doc, "s3-prefix");
        if (!s.s3_bucket.empty()) check_bucket_name(s.s3_bucket);
        if (s.method == Method::export_task && s.s3_bucket.empty())
            throw cxx::Error(HYPERSDK_ERR_INVALID_ARGUMENT,
                             "--aws-method export-task needs --s3-bucket BUCKET (where EC2 writes the VMDK)");
        s.keep_snapshots = pc::get_bool(doc, "keep-snapshots", "").value_or(false);
        s.keep_intermediate = pc::get_bool(doc, "keep-intermediate", "").value_or(false);
        s.poll = std::chrono::seconds(pc::get_int(doc, "aws-poll-seconds", "", 1, 300).value_or(5));
        s.config = resolve_config(in);
        return s;
    });
}

ExportOptions parse_export_options(const char* options_json) {
    return as_argument_error([&] {
        const auto doc = parse_object(options_json, "the export options");
        ExportOptions o;
        o.format = pc::get_string(doc, "format", "").value_or("raw");
        if (o.format != "raw" && o.format != "vmdk")
            throw cxx::Error(
                HYPERSDK_ERR_UNSUPPORTED,
                "export format \"" + o.format +
                    "\" is not supported by aws: disks are written raw (--aws-method ebs-direct) or "
                    "as the VMDK EC2 makes (--aws-method export-task)");
        o.power_off = pc::get_bool(doc, "power_off", "").value_or(false);
        o.parallel = static_cast<int>(pc::get_int(doc, "parallel", "", 1, 64).value_or(4));
        return o;
    });
}

}  // namespace hypersdk::aws::plugin
